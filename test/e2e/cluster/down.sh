#!/usr/bin/env bash
# npm run cluster:down — stops the local e2e cluster, its real node and its Prometheus, leaving no
# process, mount or cgroup behind.
set -euo pipefail
source "$(dirname "$0")/common.sh"
source "$(dirname "$0")/real-node.sh"
take_lock

if [ ! -d "$state" ]; then log "nothing to stop ($state absent)"; exit 0; fi

real_node_down

pid="$(cat "$prom_pidfile" 2>/dev/null || true)"
if our_pid "$pid"; then
  log "stopping Prometheus (pid $pid)"
  kill -TERM "$pid"
  for _ in $(seq 1 40); do our_pid "$pid" || break; sleep 0.25; done
  if our_pid "$pid"; then kill -KILL "$pid"; fi
fi

if [ -d "$cluster_dir" ] && [ -x "$LEAKGUARD_E2E_BIN/kwokctl" ]; then
  log "deleting cluster $cluster_name"
  # kwokctl removes its context from the kubeconfig it is given: hand it our own copy (never ~/.kube).
  "$LEAKGUARD_E2E_BIN/kwokctl" delete cluster --name "$cluster_name" --kubeconfig "$state/kubeconfig" \
    >"$state/kwokctl-delete.log" 2>&1 9>&- || { log "kwokctl delete failed:"; cat "$state/kwokctl-delete.log" >&2; }
fi

# Anything still running from the state directory is ours: stop it by PID.
mapfile -t left < <(leftover_pids)
if [ ${#left[@]} -gt 0 ]; then
  log "stopping leftover processes: ${left[*]}"
  kill -TERM "${left[@]}" 2>/dev/null || true
  sleep 2
  mapfile -t left < <(leftover_pids)
  [ ${#left[@]} -eq 0 ] || kill -KILL "${left[@]}" 2>/dev/null || true
fi

if [ -n "$(mounts_under "$state")" ]; then log "mounts left under $state:"; mounts_under "$state" >&2; exit 1; fi
rm -rf "$state"
log "cluster down; no processes left"
