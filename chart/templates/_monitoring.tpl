{{/*
Helpers of the PrometheusRule and the Grafana dashboard: one home for the queries both use, so the
dashboard's floor is the query the detector runs (src/run/history.ts profileQuery; the e2e test
test/e2e/chart-monitoring.e2e.test.ts compares them) and the alerts read the same selectors.
*/}}

{{/* Seconds (an integer) in a config duration: a number of seconds, or `90s`, `15m`, `1h30m`, `1.5h`, `2d`, `1w`. */}}
{{- define "leakguard.monitoring.seconds" -}}
{{- $v := index . 0 -}}
{{- $field := index . 1 -}}
{{- if or (kindIs "float64" $v) (kindIs "int" $v) (kindIs "int64" $v) -}}
{{- round $v 0 | int64 -}}
{{- else -}}
{{- $s := trim (toString $v) -}}
{{- if not (regexMatch "^([0-9]+(\\.[0-9]+)?(ms|s|m|h|d|w))+$" $s) -}}
{{- fail (printf "%s: expected a duration like 90s, 15m, 24h or 1h30m, got %q" $field $s) -}}
{{- end -}}
{{- $unitSeconds := dict "ms" 0.001 "s" 1 "m" 60 "h" 3600 "d" 86400 "w" 604800 -}}
{{- $total := 0.0 -}}
{{- range $part := regexFindAll "[0-9]+(\\.[0-9]+)?(ms|s|m|h|d|w)" $s -1 -}}
{{- $unit := regexFind "(ms|s|m|h|d|w)$" $part -}}
{{- $total = addf $total (mulf (trimSuffix $unit $part | float64) (get $unitSeconds $unit)) -}}
{{- end -}}
{{- round $total 0 | int64 -}}
{{- end -}}
{{- end -}}

{{/* Bytes per hour in a growth rate like `5MiB/h`, `100KB/m`, `1Gi/d` (src/config/units.ts). */}}
{{- define "leakguard.monitoring.bytesPerHour" -}}
{{- $s := toString (index . 0) -}}
{{- $field := index . 1 -}}
{{- $m := regexFind "^\\s*[0-9]+(\\.[0-9]+)?\\s*[A-Za-z]*\\s*/\\s*[smhd]\\s*$" $s -}}
{{- $sizeUnits := dict "" 1 "B" 1 "K" 1e3 "KB" 1e3 "M" 1e6 "MB" 1e6 "G" 1e9 "GB" 1e9 "T" 1e12 "TB" 1e12 "Ki" 1024 "KiB" 1024 "Mi" 1048576 "MiB" 1048576 "Gi" 1073741824 "GiB" 1073741824 "Ti" 1099511627776 "TiB" 1099511627776 -}}
{{- $perHour := dict "s" 3600 "m" 60 "h" 1 "d" (divf 1 24) -}}
{{- $parts := splitList "/" (nospace $s) -}}
{{- $number := regexFind "^[0-9]+(\\.[0-9]+)?" (first $parts) -}}
{{- $unit := trimPrefix $number (first $parts) -}}
{{- if or (not $m) (not (hasKey $sizeUnits $unit)) -}}
{{- fail (printf "%s: expected a growth rate like 5MiB/h, got %q" $field $s) -}}
{{- end -}}
{{- mulf (float64 $number) (get $sizeUnits $unit) (get $perHour (last $parts)) -}}
{{- end -}}

{{/*
The schedule's period in seconds: monitoring.prometheusRule.schedulePeriod, else derived from
`schedule` (every N minutes, every N hours, hourly, daily, weekly). Fails, naming the value to set,
for any other form.
*/}}
{{- define "leakguard.monitoring.periodSeconds" -}}
{{- $override := .Values.monitoring.prometheusRule.schedulePeriod -}}
{{- $s := trim .Values.schedule -}}
{{- $macros := dict "@hourly" 3600 "@daily" 86400 "@midnight" 86400 "@weekly" 604800 -}}
{{- $n := "[0-9]+" -}}
{{- if $override -}}{{- include "leakguard.monitoring.seconds" (list $override "monitoring.prometheusRule.schedulePeriod") -}}
{{- else if hasKey $macros $s -}}{{- get $macros $s -}}
{{- else if eq $s "* * * * *" -}}60
{{- else if regexMatch (printf "^\\*/%s \\* \\* \\* \\*$" $n) $s -}}{{- mul (regexFind $n $s | atoi) 60 -}}
{{- else if regexMatch (printf "^%s \\* \\* \\* \\*$" $n) $s -}}3600
{{- else if regexMatch (printf "^%s \\*/%s \\* \\* \\*$" $n $n) $s -}}{{- mul (index (regexFindAll $n $s -1) 1 | atoi) 3600 -}}
{{- else if regexMatch (printf "^%s %s \\* \\* \\*$" $n $n) $s -}}86400
{{- else if regexMatch (printf "^%s %s \\* \\* %s$" $n $n $n) $s -}}604800
{{- else -}}
{{- fail (printf "monitoring.prometheusRule: cannot derive the period of schedule %q; set monitoring.prometheusRule.schedulePeriod (the longest time between two runs, e.g. 1h)" $s) -}}
{{- end -}}
{{- end -}}

{{/* The container matcher of a profile's queries, exactly as the detector's default query has it. */}}
{{- define "leakguard.monitoring.containerMatcher" -}}
{{- if .container -}}container={{ toJson .container }}{{- else -}}container!="", container!="POD"{{- end -}}
{{- end -}}

{{/*
The floor leakguard judges for one profile: the detector's query (src/run/history.ts profileQuery),
with the profile's `query` override as the detector substitutes it. Args: profile, step seconds,
an extra matcher placed first in the default query's selector ("" for none, e.g. the dashboard's
cluster variable).
*/}}
{{- define "leakguard.monitoring.floorQuery" -}}
{{- $p := index . 0 -}}
{{- $step := printf "%ds" (index . 1 | int64) -}}
{{- $extra := index . 2 -}}
{{- if $p.query -}}
{{- $p.query | replace "$namespace" $p.namespace | replace "$container" ($p.container | default "") | replace "$step" $step -}}
{{- else -}}
max by (namespace, pod, container) (min_over_time(container_memory_working_set_bytes{ {{- with $extra }}{{ . }}, {{ end }}namespace={{ toJson $p.namespace }}, {{ include "leakguard.monitoring.containerMatcher" $p }}}[{{ $step }}]))
{{- end -}}
{{- end -}}

{{/* The detector's step (config.prometheus.step) in seconds. */}}
{{- define "leakguard.monitoring.stepSeconds" -}}
{{- include "leakguard.monitoring.seconds" (list (dig "prometheus" "step" "5m" .Values.config) "config.prometheus.step") -}}
{{- end -}}

{{/*
Jobs owned by leakguard's CronJob (scheduled and `kubectl create job --from` alike: kubectl makes the
CronJob the Job's owner), as (namespace, job_name) → 1. Args: a cluster matcher ("" for none; when
set, the cluster label is kept), the namespace, the CronJob's name.
*/}}
{{- define "leakguard.monitoring.ownedJobs" -}}
{{- $cluster := index . 0 -}}
max by ({{ if $cluster }}cluster, {{ end }}namespace, job_name) (kube_job_owner{ {{- with $cluster }}{{ . }}, {{ end }}namespace={{ toJson (index . 1) }}, owner_kind="CronJob", owner_name={{ toJson (index . 2) }}})
{{- end -}}

{{/* The kill switch annotation as kube-state-metrics exports it (allowlisted), on in any spelling leakguard reads as on (src/kube/kill-switch.ts). */}}
{{- define "leakguard.monitoring.killSwitchMatcher" -}}
annotation_leakguard_io_kill_switch=~"(?i)\\s*(true|on|yes|1)\\s*"
{{- end -}}
