# Sourced by .ci/run: timed phases, background jobs, and the phase table printed at the end.
# Every phase and job is a line "<name>\t<start>\t<end>\t<status>[\t<log>]" (epoch seconds) in $ci_phases.
ci_dir="$(mktemp -d "${TMPDIR:-/tmp}/leakguard-ci.XXXXXX")"
ci_phases="$ci_dir/phases.tsv"
ci_started="$(date +%s)"
: >"$ci_phases"
declare -A ci_job_pid=() ci_job_start=() ci_job_file=()

ci_record() { printf '%s\t%s\t%s\t%s\t%s\n' "$1" "$2" "$3" "$4" "${5:-}" >>"$ci_phases"; }

# phase NAME COMMAND...: runs COMMAND in this shell (so `source` in it sticks) and records its time.
phase() {
  local name="$1" start rc=0; shift
  start="$(date +%s)"
  echo "── $name ──"
  "$@" || rc=$?
  ci_record "$name" "$start" "$(date +%s)" "$([ "$rc" = 0 ] && echo ok || echo "exit $rc")"
  return "$rc"
}

# background NAME COMMAND...: starts COMMAND in its own process group under nice (the foreground keeps
# the CPU it needs, the build takes what is left), its output in $ci_dir/<name>.log, its end time
# in $ci_dir/<name>.end.
background() {
  local name="$1" file; shift
  file="$ci_dir/$(tr -cs 'a-zA-Z0-9' '-' <<<"$name" | sed 's/-$//')"
  echo "── $name: started in the background (log: $file.log) ──"
  ci_job_start[$name]="$(date +%s)"
  ci_job_file[$name]="$file"
  setsid nice -n 10 bash -c 'rc=0; "$@" || rc=$?; date +%s >"$0.end"; exit "$rc"' "$file" "$@" \
    >"$file.log" 2>&1 </dev/null &
  ci_job_pid[$name]=$!
}

# await NAME: waits for a background job and shows its log; its failure fails CI.
await() {
  local name="$1" rc=0 waited file="${ci_job_file[$1]}" end
  waited="$(date +%s)"
  wait "${ci_job_pid[$name]}" || rc=$?
  unset "ci_job_pid[$name]"
  end="$(cat "$file.end" 2>/dev/null || date +%s)"
  ci_record "$name" "${ci_job_start[$name]}" "$end" "$([ "$rc" = 0 ] && echo ok || echo "exit $rc")" "$file.log"
  echo "── $name: exit $rc after $((end - ${ci_job_start[$name]}))s" \
    "(waited for it $(($(date +%s) - waited))s); its log: ──"
  cat "$file.log"
  if [ "$rc" != 0 ]; then echo "CI: background job \"$name\" failed (exit $rc); its log is above" >&2; exit "$rc"; fi
}

# On the way out (failure included): stop the background jobs still running, run ci_cleanup if the
# caller defines one, then print the table.
ci_finish() {
  local rc=$? name
  for name in "${!ci_job_pid[@]}"; do
    echo "CI: stopping background job \"$name\" (process group ${ci_job_pid[$name]})" >&2
    kill -TERM -- "-${ci_job_pid[$name]}" 2>/dev/null || true
    ci_record "$name" "${ci_job_start[$name]}" "$(date +%s)" "stopped" "${ci_job_file[$name]}.log"
  done
  if declare -F ci_cleanup >/dev/null; then ci_cleanup || true; fi
  node .ci/phase-table.mjs "$ci_phases" "$ci_started" "$ci_dir" || true
  exit "$rc"
}
