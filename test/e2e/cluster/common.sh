# Sourced by up.sh and down.sh: where the local e2e cluster keeps its state (git-ignored).
repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/../../.." && pwd)"
# shellcheck source=../provision/versions.sh
source "$repo/test/e2e/provision/versions.sh"
state="${LEAKGUARD_E2E_STATE:-$repo/.leakguard-e2e}"
cluster_name="leakguard-e2e"
export KWOK_WORKDIR="$state/kwok"
cluster_dir="$KWOK_WORKDIR/clusters/$cluster_name"
prom_dir="$state/prometheus"
prom_pidfile="$prom_dir/prometheus.pid"
env_file="$state/env"

log() { printf '[e2e-cluster %s] %s\n' "$(date -u +%H:%M:%S)" "$*" >&2; }

# A PID from one of our pid files counts only while it is alive and still runs from our state
# directory, so a recycled PID is never signalled.
our_pid() {
  local pid="$1"
  [ -n "$pid" ] && [ -r "/proc/$pid/cmdline" ] && tr '\0' ' ' <"/proc/$pid/cmdline" | grep -qF "$state/"
}

# Processes (ours) whose command line points into the state directory.
leftover_pids() {
  local p
  for p in /proc/[0-9]*; do
    p="${p#/proc/}"
    [ "$p" != "$$" ] && our_pid "$p" && echo "$p"
  done
  return 0
}

# One cluster:up / cluster:down at a time per state directory (several test runs may share it).
# down.sh run from up.sh inherits the lock instead of waiting for itself.
take_lock() {
  [ "${LEAKGUARD_E2E_LOCK_HELD:-}" = "$state" ] && return 0
  local lock="${TMPDIR:-/tmp}/leakguard-e2e-$(printf '%s' "$state" | md5sum | cut -c1-12).lock"
  exec 9>"$lock"
  if ! flock -n 9; then
    log "waiting for another cluster:up/cluster:down on $state"
    flock 9
  fi
  export LEAKGUARD_E2E_LOCK_HELD="$state"
}
