# Podman settings for the packaging tests (sourced): Debian's runc (the machines' hybrid cgroups
# are refused by crun), open-files and process limits below the machine's hard ones (Podman's
# defaults for root are above them, and runc may not raise a limit), for every podman and
# podman-compose call, through a containers.conf of our own. (No pods: their infra containers
# take Podman's default limits whatever this file says.)
# shellcheck shell=bash

nofile=$(ulimit -Hn)
if [ "$nofile" = unlimited ] || [ "$nofile" -gt 65536 ]; then nofile=65536; fi
nofile=$(( nofile * 3 / 4 ))
# Processes (threads) per container: far more than a JVM here needs, below any hard limit seen.
nproc=4096
CONTAINERS_CONF=$(mktemp)
cat >"$CONTAINERS_CONF" <<CONF
[containers]
default_ulimits = ["nofile=$nofile:$nofile", "nproc=$nproc:$nproc"]
[engine]
runtime = "runc"
CONF
export CONTAINERS_CONF
PODMAN_ULIMITS=("--ulimit=nofile=$nofile:$nofile" "--ulimit=nproc=$nproc:$nproc")
