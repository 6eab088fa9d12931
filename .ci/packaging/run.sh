#!/usr/bin/env bash
# The packaging tests, run once by .ci/run after the suite (they need its jar): both release
# tarballs, the systemd unit, the container image, the compose files and the Kubernetes overlays. Each test cleans
# up its containers, pods, volumes and networks on any exit; this script removes the image it
# built. Needs podman, runc, podman-compose, debootstrap, kubectl, curl, python3-yaml (.ci/run
# installs them). Prints one PASS/FAIL line per check and a closing 'N passed, N failed'.
# Usage: .ci/packaging/run.sh   (from anywhere; about 5 minutes with a cached base image)
set -uo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
cd "$root"

passed=0 failed=0
image="localhost/wxtoken-ci:$$"
out=$(mktemp)
cleanup() { podman rmi -f "$image" >/dev/null 2>&1 || true; rm -f "$out"; }
trap cleanup EXIT

# step NAME COMMAND...: runs one test script, adds up its checks (and counts a crash as a failure).
step() {
  local name=$1 start=$SECONDS
  shift
  echo "packaging: $name"
  "$@" 2>&1 | tee "$out"
  local rc=${PIPESTATUS[0]} p f
  p=$(grep -c '^PASS ' "$out") f=$(grep -c '^FAIL ' "$out")
  if [ "$rc" != 0 ] && [ "$f" = 0 ]; then f=1; echo "FAIL $name: exited $rc"; fi
  passed=$((passed + p)) failed=$((failed + f))
  echo "packaging: $name took $(( SECONDS - start )) s"
}

version=$(sed -n 's:^  <version>\(.*\)</version>:\1:p' pom.xml | head -n1)
start=$SECONDS
echo "packaging: building the linux-x64 tarball (jlink)"
if mvn -B -q -o -Pjlink -DskipTests -pl wxtoken-dist -am package >"$out" 2>&1 \
   || mvn -B -q -Pjlink -DskipTests -pl wxtoken-dist -am package >"$out" 2>&1; then
  echo "packaging: tarballs built in $(( SECONDS - start )) s"
else
  cat "$out"; echo "FAIL build the tarballs"; failed=$((failed + 1))
fi
tarball="wxtoken-dist/target/wxtoken-$version.tar.gz"
jlinked="wxtoken-dist/target/wxtoken-$version-linux-x64.tar.gz"

step "tarball" "$here/tarball-test.sh" "$tarball"
step "linux-x64 tarball without java" "$here/tarball-test.sh" "$jlinked" --no-java
step "systemd unit" "$here/systemd-test.sh" "$tarball"
step "kubernetes overlays" python3 "$here/kustomize-test.py"

start=$SECONDS
if base=$("$here/base-image.sh"); then
  echo "packaging: base image $base ready in $(( SECONDS - start )) s"
  step "container image" "$here/image-test.sh" "$base" "$image"
  if podman image exists "$image"; then
    step "compose" "$here/compose-test.sh" "$image" "$base"
  fi
else
  echo "FAIL build the Debian base image"; failed=$((failed + 1))
fi

echo "packaging: $passed passed, $failed failed"
[ "$failed" = 0 ]
