#!/usr/bin/env bash
# The tarball's systemd unit: `systemd-analyze verify` accepts it, and `systemd-analyze security`
# rates its sandbox at most 2.0 ("OK"; 10 is an unconfined service). The CI machines run no
# systemd as PID 1, so the unit is checked offline, with ExecStart pointed at the unpacked
# launcher (verify requires the binary to exist). Usage: systemd-test.sh TARBALL
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
# shellcheck source=lib.sh
. "$here/lib.sh"

if ! command -v systemd-analyze >/dev/null; then
  echo "systemd-test: no systemd-analyze on this machine; skipped"
  exit 0
fi
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
tar -xzf "$1" -C "$work"
home=$(echo "$work"/wxtoken-*)
sed "s#^ExecStart=/opt/wxtoken/bin/wxtoken#ExecStart=$home/bin/wxtoken#" \
  "$home/systemd/wxtoken.service" >"$work/wxtoken.service"
if out=$(systemd-analyze verify "$work/wxtoken.service" 2>&1) && [ -z "$out" ]; then
  pass "systemd unit: verifies cleanly"
else
  fail "systemd unit: verifies cleanly" "$out"
fi
for key in DynamicUser=yes StateDirectory=wxtoken ProtectSystem=strict NoNewPrivileges=yes \
    Restart=on-failure EnvironmentFile=-/etc/wxtoken/wxtoken.env; do
  if grep -qx "$key" "$work/wxtoken.service"; then pass "systemd unit: $key"; else fail "systemd unit: $key" "missing"; fi
done
if out=$(systemd-analyze security --offline=yes --threshold=20 "$work/wxtoken.service" 2>&1); then
  pass "systemd unit: exposure $(sed -n 's/.*exposure level for [^:]*: \([0-9.]*\).*/\1/p' <<<"$out") (at most 2.0)"
else
  fail "systemd unit: exposure at most 2.0" "$(tail -n1 <<<"$out")"
fi
echo "systemd-test: $PASSED passed, $FAILED failed"
[ "$FAILED" = 0 ]
