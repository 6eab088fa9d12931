#!/usr/bin/env bash
# Builds the CI's base image from Debian packages (no container registry is reachable): a
# `debootstrap --variant=minbase` root with a JRE, Redis and HAProxy, imported with `podman import`.
# The root file system is cached under $WXTOKEN_CI_CACHE (default ~/.cache/wxtoken-ci), keyed by
# the suite and package list, so a second run only imports it.
# Usage: base-image.sh  -> prints the image name (localhost/wxtoken-ci-base:KEY)
set -euo pipefail

suite=${WXTOKEN_CI_SUITE:-bookworm}
packages=openjdk-17-jre-headless,ca-certificates,redis-server,haproxy
cache=${WXTOKEN_CI_CACHE:-$HOME/.cache/wxtoken-ci}
key=$(printf '%s %s v1' "$suite" "$packages" | sha256sum | cut -c1-12)
rootfs="$cache/base-$suite-$key.tar"
image="localhost/wxtoken-ci-base:$key"

# The Debian mirror this machine already uses (so the script names no host of its own).
mirror() {
  local uri
  uri=$(sed -n 's/^URIs:[[:space:]]*//p' /etc/apt/sources.list.d/*.sources 2>/dev/null \
    | grep -v security | head -n1 || true)
  if [ -z "$uri" ]; then
    uri=$(sed -n 's/^deb[[:space:]]\+\(\[[^]]*\][[:space:]]\+\)\?\([^[:space:]]*\).*/\2/p' \
      /etc/apt/sources.list 2>/dev/null | grep -v security | head -n1 || true)
  fi
  [ -n "$uri" ] || { echo "base-image: no Debian mirror in /etc/apt" >&2; exit 1; }
  echo "$uri"
}

if ! podman image exists "$image"; then
  if [ ! -s "$rootfs" ]; then
    mkdir -p "$cache"
    work=$(mktemp -d "$cache/rootfs.XXXXXX")
    trap 'rm -rf "$work"' EXIT
    echo "base-image: debootstrap $suite ($packages) ..." >&2
    debootstrap --variant=minbase --include="$packages" "$suite" "$work" "$(mirror)" >"$work.log" 2>&1 \
      || { tail -n 30 "$work.log" >&2; exit 1; }
    rm -f "$work.log"
    # The packages' own services are not started in a container; drop what an image does not need.
    rm -rf "$work"/var/cache/apt/archives/*.deb "$work"/var/lib/apt/lists/* "$work"/usr/share/doc/* \
      "$work"/usr/share/man/* "$work"/usr/share/locale/*
    tar -C "$work" --numeric-owner -cf "$rootfs.tmp" .
    mv "$rootfs.tmp" "$rootfs"
  fi
  podman import -q --change 'CMD ["/bin/bash"]' --change 'ENV LANG=C.UTF-8' "$rootfs" "$image" >/dev/null
fi
echo "$image"
