#!/usr/bin/env bash
# Makes the server's class-data sharing archive with the runtime that will run it: starts
# `serve` on a throw-away store with -XX:ArchiveClassesAtExit, waits until it answers /ready,
# stops it (the archive is written at exit). Usage: cds-archive.sh JAVA JAR ARCHIVE
set -euo pipefail
java=$1 jar=$2 archive=$3
mkdir -p "$(dirname "$archive")"
work=$(mktemp -d)
trap 'kill "$pid" 2>/dev/null || true; rm -rf "$work"' EXIT
port=$(( 20000 + RANDOM % 20000 ))
WXTOKEN_LOG_LEVEL=WARN "$java" -XX:ArchiveClassesAtExit="$archive" -XX:+UseSerialGC \
  -jar "$jar" serve --host 127.0.0.1 --port "$port" --store "file:$work/data" >"$work/log" 2>&1 &
pid=$!
ready=
deadline=$(( SECONDS + 180 ))  # generous: a loaded build machine starts slowly
while [ "$SECONDS" -lt "$deadline" ]; do
  if (exec 3<>"/dev/tcp/127.0.0.1/$port" && printf 'GET /ready HTTP/1.0\r\n\r\n' >&3 \
      && head -n1 <&3 | grep -q ' 200') 2>/dev/null; then ready=1; break; fi
  kill -0 "$pid" 2>/dev/null || break
  sleep 0.1
done
[ -n "$ready" ] || { echo "cds-archive: the server did not start:" >&2; cat "$work/log" >&2; exit 1; }
kill -TERM "$pid"
wait "$pid" || true
if [ ! -s "$archive" ]; then
  # A JVM without a base archive (some distributions ship none) cannot write one: run without.
  echo "cds-archive: no archive written; the launcher runs without one:" >&2
  tail -n 5 "$work/log" >&2
fi
