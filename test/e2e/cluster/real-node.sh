# Sourced by up.sh and down.sh (after common.sh): one real node beside the kwok nodes — Debian's
# containerd and runc, and a kubelet built from the control plane's own k8s.io/kubernetes version.
# Everything listens on 127.0.0.1; pods use the host network, or (without hostNetwork) a private pod
# network that reaches nothing but this machine (below). Facts this depends on are in the README's
# "Real node" section. Only one real node can run per machine: the kubelet's ports (10250, 10248), its
# device-plugin socket under /var/lib/kubelet, containerd's shim sockets under /run/containerd, the pod
# network namespaces under /run/netns and the /kubepods cgroups are fixed paths.
real_node_name="leakguard-real-node"
# NoSchedule taint and label: only pods that tolerate and select it (the tests') land there.
real_node_taint="leakguard.test/real-node"
node_dir="$state/node"
containerd_dir="$node_dir/containerd"
containerd_sock="$containerd_dir/containerd.sock"
kubelet_dir="$node_dir/kubelet"
kubelet_port=10250
kubelet_healthz_port=10248
# Images for the real node: built by test/e2e/provision/build-images.sh, imported into containerd.
pause_image="leakguard.local/pause:e2e"
# The pod network of pods without hostNetwork (the API server's pod proxy refuses loopback pod IPs, so
# a pod reached through it needs an address of its own): a bridge made here with the host's address on
# it, and the CNI bridge plugin putting each pod on it with a host-local address from a private /24.
# Nothing routes beyond the bridge: a pod gets no default route, and the plugin neither masquerades
# (ipMasq false) nor turns on IP forwarding (isGateway false: the host's address is set here instead),
# so pods and the host reach each other and nothing else.
pod_bridge="lg-e2e-pods0"
pod_prefix="10.244.0"
pod_subnet="$pod_prefix.0/24"
pod_gateway="$pod_prefix.1"
pod_network_name="leakguard-e2e-pods"
pod_conflist="$node_dir/cni/10-pods.conflist"

real_node_enabled() { [ "${LEAKGUARD_E2E_REAL_NODE:-1}" != 0 ]; }

ctr_k8s() { "$LEAKGUARD_E2E_BIN/ctr" --address "$containerd_sock" --namespace k8s.io "$@"; }

# The PIDs of every process in the kubelet's pod cgroups (any cgroup v1 controller or v2).
kubepods_pids() {
  local f
  for f in /sys/fs/cgroup/*/kubepods /sys/fs/cgroup/kubepods; do
    if [ -d "$f" ]; then find "$f" -name cgroup.procs -exec cat {} + 2>/dev/null; fi
  done | sort -u
  return 0
}

# Mount points at or below $1, deepest first.
mounts_under() {
  findmnt -rn -o TARGET | awk -v p="$1" 'index($0, p "/") == 1 || $0 == p' | sort -r
}

# Our processes whose executable is named $1.
our_pids_named() {
  local p exe
  for p in /proc/[0-9]*; do
    exe="$(readlink "$p/exe" 2>/dev/null)" || continue
    [ "${exe##*/}" = "$1" ] && our_pid "${p#/proc/}" && echo "${p#/proc/}"
  done
  return 0
}

# A kubelet or containerd running on this machine that is not ours (another checkout's real node).
foreign_node_processes() {
  local p exe
  for p in /proc/[0-9]*; do
    exe="$(readlink "$p/exe" 2>/dev/null)" || continue
    case "${exe##*/}" in
      kubelet | containerd) our_pid "${p#/proc/}" || echo "${p#/proc/} $(tr '\0' ' ' <"$p/cmdline" | cut -c1-160)" ;;
    esac
  done
  return 0
}

# Stops the real node and removes what it left on the machine: pod processes, shims, containerd,
# mounts, the /kubepods cgroups and the fixed paths. Safe to run when nothing is there; also cleans a
# crashed run's leftovers (called by up.sh before it starts a node).
real_node_down() {
  local pid f pids mnts
  pid="$(cat "$node_dir/kubelet.pid" 2>/dev/null || true)"
  if our_pid "$pid"; then
    log "stopping kubelet (pid $pid)"
    kill -TERM "$pid"
    for _ in $(seq 1 40); do our_pid "$pid" || break; sleep 0.25; done
    our_pid "$pid" && kill -KILL "$pid"
  fi
  # Pod processes: every container of every pod lives in a /kubepods cgroup — unless another
  # checkout's node runs (then its pods are there, and ours cannot be: up.sh refused to start).
  local foreign; foreign="$(foreign_node_processes)"
  if [ -n "$foreign" ]; then pids=(); else mapfile -t pids < <(kubepods_pids); fi
  if [ ${#pids[@]} -gt 0 ]; then
    log "stopping ${#pids[@]} pod processes"
    kill -KILL "${pids[@]}" 2>/dev/null || true
    for _ in $(seq 1 40); do [ -z "$(kubepods_pids)" ] && break; sleep 0.25; done
  fi
  # Shims, then containerd: ours run with our state directory on their command line.
  local name
  for name in containerd-shim-runc-v2 containerd; do
    mapfile -t pids < <(our_pids_named "$name")
    [ ${#pids[@]} -eq 0 ] && continue
    kill -TERM "${pids[@]}" 2>/dev/null || true
    for _ in $(seq 1 20); do [ -z "$(our_pids_named "$name")" ] && break; sleep 0.25; done
    mapfile -t pids < <(our_pids_named "$name")
    [ ${#pids[@]} -eq 0 ] || kill -KILL "${pids[@]}" 2>/dev/null || true
  done
  # Mounts: the kubelet bind-mounts its root directory onto itself and mounts volumes below it;
  # containerd mounts sandbox /dev/shm and overlay root filesystems below its state directory.
  mapfile -t mnts < <(mounts_under "$node_dir")
  for f in "${mnts[@]}"; do umount "$f" 2>/dev/null || umount -l "$f" 2>/dev/null || log "could not unmount $f"; done
  # cgroups: depth first; a directory goes once its processes are gone.
  for f in /sys/fs/cgroup/*/kubepods /sys/fs/cgroup/kubepods; do
    if [ -z "$foreign" ] && [ -d "$f" ]; then find "$f" -depth -type d -exec rmdir {} + 2>/dev/null || log "cgroup $f is still there"; fi
  done
  # Fixed paths (see the header); only what the node made, and only with no other runtime around.
  if [ -z "$(foreign_node_processes)" ]; then
    rm -rf /var/lib/kubelet/device-plugins /run/containerd/s /run/containerd/fifo /run/containerd/runc
    rmdir /var/lib/kubelet /run/containerd 2>/dev/null || true
    if [ -d /var/log/containers ]; then find /var/log/containers -maxdepth 1 -type l -lname "$node_dir/*" -delete; fi
    rmdir /var/log/containers 2>/dev/null || true
    pod_network_down
  fi
  [ -z "$(mounts_under "$node_dir")" ] || { log "mounts left under $node_dir; not removing it"; return 1; }
  rm -rf "$node_dir"
}

# Certificates signed by the cluster's CA (kwokctl's pki): the kubelet's client identity
# system:node:<name> (group system:nodes, so the Node authorizer applies) and its serving certificate
# for 127.0.0.1, which Prometheus verifies against the same CA.
real_node_certs() {
  local pki="$cluster_dir/pki" out="$node_dir/pki"
  mkdir -p "$out"
  openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -keyout "$out/client.key" \
    -subj "/O=system:nodes/CN=system:node:$real_node_name" -out "$out/client.csr" 2>/dev/null
  openssl x509 -req -in "$out/client.csr" -CA "$pki/ca.crt" -CAkey "$pki/ca.key" -CAcreateserial -days 30 \
    -extfile <(printf 'keyUsage=critical,digitalSignature\nextendedKeyUsage=clientAuth\n') -out "$out/client.crt" 2>/dev/null
  openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -keyout "$out/serving.key" \
    -subj "/CN=$real_node_name" -out "$out/serving.csr" 2>/dev/null
  openssl x509 -req -in "$out/serving.csr" -CA "$pki/ca.crt" -CAkey "$pki/ca.key" -CAcreateserial -days 30 \
    -extfile <(printf 'keyUsage=critical,digitalSignature\nextendedKeyUsage=serverAuth\nsubjectAltName=IP:127.0.0.1,DNS:%s\n' "$real_node_name") \
    -out "$out/serving.crt" 2>/dev/null
  chmod 600 "$out"/*.key
}

# The network namespaces containerd made for our pods (/run/netns/cni-…, still mounted once their pods
# are killed): those with an address in the pod range, which nothing else on the machine uses.
our_pod_netns() {
  local f
  for f in /run/netns/cni-*; do
    [ -e "$f" ] || continue
    nsenter --net="$f" ip -4 -o addr show 2>/dev/null | grep -qF " inet $pod_prefix." && echo "$f"
  done
  return 0
}

# Removes the pod network: our pods' network namespaces (their veth ends go with them), the CNI
# result cache of our network, and the bridge.
pod_network_down() {
  local f
  while read -r f; do
    [ -n "$f" ] || continue
    umount "$f" 2>/dev/null || umount -l "$f" 2>/dev/null || log "could not unmount $f"
    rm -f "$f"
  done < <(our_pod_netns)
  rmdir /run/netns 2>/dev/null || true
  rm -f /var/lib/cni/results/"$pod_network_name"-*
  rmdir /var/lib/cni/results /var/lib/cni 2>/dev/null || true
  if ip link show "$pod_bridge" >/dev/null 2>&1; then ip link delete "$pod_bridge" type bridge; fi
}

# The CNI network containerd gives pods without hostNetwork (containerd adds the loopback itself).
pod_network_conflist() {
  cat <<JSON
{
  "cniVersion": "1.0.0",
  "name": "$pod_network_name",
  "plugins": [
    {
      "type": "bridge",
      "bridge": "$pod_bridge",
      "isGateway": false,
      "ipMasq": false,
      "ipam": {
        "type": "host-local",
        "dataDir": "$node_dir/cni-ipam",
        "ranges": [[{"subnet": "$pod_subnet", "rangeStart": "$pod_prefix.10", "gateway": "$pod_gateway"}]]
      }
    }
  ]
}
JSON
}

# Whether the running node's pod network is the one this script makes (up.sh rebuilds an older node).
real_node_network_current() {
  ip -4 -o addr show dev "$pod_bridge" 2>/dev/null | grep -qF " inet $pod_gateway/" \
    && pod_network_conflist | cmp -s - "$pod_conflist"
}

# The bridge, with the host's address in the pod range, and the CNI config naming it.
real_node_pod_network() {
  # The range must be free here: no route of another interface covers it or lies inside it.
  local clash
  local other_dev='$1 != "default" { for (i = 1; i < NF; i++) if ($i == "dev") { if ($(i + 1) != br) print; break } }'
  clash="$( { ip -4 -o route show match "$pod_subnet"; ip -4 -o route show root "$pod_subnet"; } \
    | awk -v br="$pod_bridge" "$other_dev")"
  if [ -n "$clash" ]; then
    log "the real node's pod range $pod_subnet is routed elsewhere on this machine:"
    printf '  %s\n' "$clash" >&2
    return 1
  fi
  ip link show "$pod_bridge" >/dev/null 2>&1 || ip link add "$pod_bridge" type bridge
  ip addr replace "$pod_gateway/${pod_subnet#*/}" dev "$pod_bridge"
  ip link set "$pod_bridge" up
  mkdir -p "$node_dir/cni"
  pod_network_conflist >"$pod_conflist.tmp"
  mv -f "$pod_conflist.tmp" "$pod_conflist"
}

real_node_containerd() {
  mkdir -p "$containerd_dir"
  # A loaded CNI config is also what makes the runtime (and so the node) report NetworkReady.
  real_node_pod_network
  cat >"$containerd_dir/config.toml" <<TOML
# Generated by test/e2e/cluster/real-node.sh.
version = 2
root = "$containerd_dir/root"
state = "$containerd_dir/state"
disabled_plugins = [
  "io.containerd.snapshotter.v1.aufs", "io.containerd.snapshotter.v1.btrfs",
  "io.containerd.snapshotter.v1.zfs", "io.containerd.snapshotter.v1.devmapper",
]
[grpc]
  address = "$containerd_sock"
[plugins."io.containerd.internal.v1.opt"]
  path = "$containerd_dir/opt"
[plugins."io.containerd.grpc.v1.cri"]
  sandbox_image = "$pause_image"
  # Root here lacks CAP_SYS_RESOURCE, so the negative oom_score_adj the CRI gives sandboxes (-998)
  # fails every RunPodSandbox ("can't get final child's PID from pipe: EOF"); clamp scores at 0.
  restrict_oom_score_adj = true
  stream_server_address = "127.0.0.1"
  [plugins."io.containerd.grpc.v1.cri".containerd]
    snapshotter = "overlayfs"
    default_runtime_name = "runc"
    [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc]
      runtime_type = "io.containerd.runc.v2"
      [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc.options]
        SystemdCgroup = false
        Root = "$containerd_dir/runc"
  [plugins."io.containerd.grpc.v1.cri".cni]
    bin_dir = "/usr/lib/cni"
    conf_dir = "$node_dir/cni"
TOML
  setsid nohup "$LEAKGUARD_E2E_BIN/containerd" --config "$containerd_dir/config.toml" \
    >"$node_dir/containerd.log" 2>&1 </dev/null 9>&- &
  echo $! >"$node_dir/containerd.pid"
  for _ in $(seq 1 40); do
    ctr_k8s version >/dev/null 2>&1 && return 0
    our_pid "$(cat "$node_dir/containerd.pid")" || break
    sleep 0.25
  done
  log "containerd did not start:"; tail -20 "$node_dir/containerd.log" >&2; return 1
}

real_node_kubelet() {
  local server="$1" pki="$node_dir/pki"
  mkdir -p "$kubelet_dir" "$node_dir/pod-logs"
  "$LEAKGUARD_E2E_BIN/kubectl" config set-cluster e2e --server="$server" --certificate-authority="$cluster_dir/pki/ca.crt" \
    --embed-certs --kubeconfig "$node_dir/kubeconfig" >/dev/null
  "$LEAKGUARD_E2E_BIN/kubectl" config set-credentials node --client-certificate="$pki/client.crt" \
    --client-key="$pki/client.key" --embed-certs --kubeconfig "$node_dir/kubeconfig" >/dev/null
  "$LEAKGUARD_E2E_BIN/kubectl" config set-context node --cluster=e2e --user=node --kubeconfig "$node_dir/kubeconfig" >/dev/null
  "$LEAKGUARD_E2E_BIN/kubectl" config use-context node --kubeconfig "$node_dir/kubeconfig" >/dev/null
  cat >"$node_dir/kubelet.yaml" <<YAML
# Generated by test/e2e/cluster/real-node.sh.
apiVersion: kubelet.config.k8s.io/v1beta1
kind: KubeletConfiguration
address: 127.0.0.1
port: $kubelet_port
readOnlyPort: 0
healthzBindAddress: 127.0.0.1
healthzPort: $kubelet_healthz_port
tlsCertFile: $pki/serving.crt
tlsPrivateKeyFile: $pki/serving.key
# As on a production node: client certificates from the cluster CA or bearer tokens (TokenReview),
# each request authorized by the API server (SubjectAccessReview; /metrics/* is nodes/metrics).
authentication:
  anonymous: {enabled: false}
  webhook: {enabled: true}
  x509: {clientCAFile: $cluster_dir/pki/ca.crt}
authorization: {mode: Webhook}
containerRuntimeEndpoint: unix://$containerd_sock
cgroupDriver: cgroupfs
# cgroup v1 (hybrid) here; 1.34 only logs that v1 is in maintenance mode.
failCgroupV1: false
failSwapOn: false
podLogsDir: $node_dir/pod-logs
registerWithTaints:
  - {key: $real_node_taint, value: "true", effect: NoSchedule}
maxPods: 30
# The machine's disk is shared with other work: evict only when it is really full, never collect
# the imported images (they cannot be pulled again).
evictionHard: {memory.available: 100Mi, nodefs.available: 2%, imagefs.available: 2%, nodefs.inodesFree: 2%}
imageGCHighThresholdPercent: 100
imageGCLowThresholdPercent: 99
makeIPTablesUtilChains: false
syncFrequency: 10s
YAML
  # --containerd: cAdvisor finds containerd (and so the pod/container labels) at this socket only.
  setsid nohup "$LEAKGUARD_E2E_BIN/kubelet" \
    --config="$node_dir/kubelet.yaml" \
    --kubeconfig="$node_dir/kubeconfig" \
    --root-dir="$kubelet_dir" \
    --cert-dir="$pki" \
    --hostname-override="$real_node_name" \
    --node-ip=127.0.0.1 \
    --node-labels="$real_node_taint=true" \
    --containerd="$containerd_sock" \
    >"$node_dir/kubelet.log" 2>&1 </dev/null 9>&- &
  echo $! >"$node_dir/kubelet.pid"
  for _ in $(seq 1 60); do
    curl -fsS "http://127.0.0.1:$kubelet_healthz_port/healthz" >/dev/null 2>&1 && return 0
    our_pid "$(cat "$node_dir/kubelet.pid")" || break
    sleep 0.5
  done
  log "kubelet did not become healthy:"; tail -30 "$node_dir/kubelet.log" >&2; return 1
}

# Starts the real node against the running control plane ($1: the API server URL) and imports the
# images from build-images.sh (archives given as the remaining arguments).
real_node_up() {
  local server="$1"; shift
  local foreign
  foreign="$(foreign_node_processes)"
  if [ -n "$foreign" ]; then
    log "another kubelet or containerd runs on this machine (only one real node fits):"
    printf '  %s\n' "$foreign" >&2
    log "stop it (npm run cluster:down in its checkout) or set LEAKGUARD_E2E_REAL_NODE=0"
    return 1
  fi
  real_node_down # a crashed run's pods, mounts and cgroups
  mkdir -p "$node_dir"
  real_node_certs
  real_node_containerd
  local archive
  for archive in "$@"; do ctr_k8s images import --all-platforms "$archive" >/dev/null; done
  real_node_kubelet "$server"
}
