{{/*
The Grafana dashboard (JSON) of chart/templates/dashboard-configmap.yaml. Per watched profile: the
working set per pod with its memory limit, the floor leakguard judges (the detector's own query, see
_monitoring.tpl), container restarts as annotations; then leakguard's own runs. Variables: the data
source, the cluster (for Prometheus setups holding several; "All" matches series without the label)
and the namespace leakguard runs in.
*/}}

{{/* A panel's or query's data source: the dashboard's datasource variable. */}}
{{- define "leakguard.dashboard.datasource" -}}
{{- toJson (dict "type" "prometheus" "uid" "${datasource}") -}}
{{- end -}}

{{/* One panel. Args: id, title, type, gridPos (x y w h), targets (list of [expr legend]), unit, extra fields (dict). */}}
{{- define "leakguard.dashboard.panel" -}}
{{- $ds := include "leakguard.dashboard.datasource" . | fromJson -}}
{{- $pos := index . 3 -}}
{{- $targets := list -}}
{{- range $i, $t := index . 4 -}}
{{- $targets = append $targets (dict "refId" (substr $i (add1 $i | int) "ABCDEFGHIJ") "expr" (index $t 0) "legendFormat" (index $t 1) "datasource" $ds) -}}
{{- end -}}
{{- $panel := dict "id" (index . 0) "title" (index . 1) "type" (index . 2) "datasource" $ds "targets" $targets
  "gridPos" (dict "x" (index $pos 0) "y" (index $pos 1) "w" (index $pos 2) "h" (index $pos 3))
  "fieldConfig" (dict "defaults" (dict "unit" (index . 5)) "overrides" list) -}}
{{- toJson (merge (index . 6) $panel) -}}
{{- end -}}

{{- define "leakguard.dashboard" -}}
{{- $fullname := include "leakguard.fullname" . -}}
{{- $ns := .Release.Namespace -}}
{{- $ds := include "leakguard.dashboard.datasource" . | fromJson -}}
{{- $cluster := "cluster=~\"$cluster\"" -}}
{{- $step := include "leakguard.monitoring.stepSeconds" . | int64 -}}
{{- $panels := list -}}
{{- $annotations := list (dict "builtIn" 1 "name" "Annotations & Alerts" "type" "dashboard" "enable" true "hide" true "iconColor" "rgba(0, 211, 255, 1)" "datasource" (dict "type" "grafana" "uid" "-- Grafana --")) -}}
{{- $id := 1 -}}
{{- $y := 0 -}}
{{- range $p := .Values.config.profiles -}}
{{- $sel := printf "%s, namespace=%s, %s" $cluster (toJson $p.namespace) (include "leakguard.monitoring.containerMatcher" $p) -}}
{{- $panels = append $panels (dict "id" $id "type" "row" "title" (printf "Profile %s (namespace %s)" $p.name $p.namespace) "collapsed" false "gridPos" (dict "x" 0 "y" $y "w" 24 "h" 1) "panels" list) -}}
{{- $id = add1 $id -}}{{- $y = add1 $y -}}
{{- $workingSet := printf "max by (pod, container) (container_memory_working_set_bytes{%s})" $sel -}}
{{- $limit := printf "max by (pod, container) (kube_pod_container_resource_limits{%s, resource=\"memory\"})" $sel -}}
{{- $limitStyle := dict "matcher" (dict "id" "byRegexp" "options" "/^limit /") "properties" (list (dict "id" "custom.lineStyle" "value" (dict "fill" "dash" "dash" (list 10 10))) (dict "id" "color" "value" (dict "mode" "fixed" "fixedColor" "red"))) -}}
{{- $ws := include "leakguard.dashboard.panel" (list $id "Working set per pod, and the memory limit" "timeseries" (list 0 $y 12 9) (list (list $workingSet "{{pod}} {{container}}") (list $limit "limit {{pod}} {{container}}")) "bytes" dict) | fromJson -}}
{{- $_ := set $ws "fieldConfig" (dict "defaults" (dict "unit" "bytes") "overrides" (list $limitStyle)) -}}
{{- $panels = append $panels $ws -}}
{{- $id = add1 $id -}}
{{- $floor := include "leakguard.monitoring.floorQuery" (list $p $step (ternary "" $cluster (empty $p.query | not))) -}}
{{- $description := printf "The query leakguard runs for this profile: the lowest working set per %ds step. Its detector judges the minimum of each 15-minute bucket of this series over config.detection.window." $step -}}
{{- $panels = append $panels (include "leakguard.dashboard.panel" (list $id "Floor leakguard judges" "timeseries" (list 12 $y 12 9) (list (list $floor "{{pod}} {{container}}")) "bytes" (dict "interval" (printf "%ds" $step) "description" $description)) | fromJson) -}}
{{- $id = add1 $id -}}{{- $y = add $y 9 -}}
{{- $restarts := printf "max by (pod, container) (changes(kube_pod_container_status_restarts_total{%s}[5m])) > 0" $sel -}}
{{- $annotations = append $annotations (dict "name" (printf "Restarts: %s" $p.name) "datasource" $ds "enable" true "iconColor" "red" "expr" $restarts "step" "5m" "titleFormat" "container restarted" "textFormat" "{{pod}} {{container}}") -}}
{{- end -}}
{{- $panels = append $panels (dict "id" $id "type" "row" "title" (printf "leakguard's own runs (%s)" $fullname) "collapsed" false "gridPos" (dict "x" 0 "y" $y "w" 24 "h" 1) "panels" list) -}}
{{- $id = add1 $id -}}{{- $y = add1 $y -}}
{{- if eq .Values.kind "CronJob" -}}
{{- $cronJob := printf "%s, namespace=\"$namespace\", cronjob=%s" $cluster (toJson $fullname) -}}
{{- $owned := include "leakguard.monitoring.ownedJobs" (list $cluster "$namespace" $fullname) -}}
{{- $sinceSuccess := printf "time() - max(kube_cronjob_status_last_successful_time{%s})" $cronJob -}}
{{- $panels = append $panels (include "leakguard.dashboard.panel" (list $id "Since the last successful run" "stat" (list 0 $y 6 8) (list (list $sinceSuccess "")) "s" dict) | fromJson) -}}
{{- $id = add1 $id -}}
{{- $succeeded := printf "max by (job_name) (kube_job_status_succeeded{%s, namespace=\"$namespace\"} * on (cluster, namespace, job_name) group_left () %s) > 0" $cluster $owned -}}
{{- $failed := printf "max by (job_name) (kube_job_status_failed{%s, namespace=\"$namespace\"} * on (cluster, namespace, job_name) group_left () %s) > 0" $cluster $owned -}}
{{- $runs := include "leakguard.dashboard.panel" (list $id "Runs: Jobs of the CronJob (manual ones included) with succeeded / failed pods" "timeseries" (list 6 $y 12 8) (list (list $succeeded "succeeded {{job_name}}") (list $failed "failed {{job_name}}")) "none" dict) | fromJson -}}
{{- $_ := set $runs "fieldConfig" (dict "defaults" (dict "unit" "none" "custom" (dict "drawStyle" "bars" "fillOpacity" 80)) "overrides" (list (dict "matcher" (dict "id" "byRegexp" "options" "/^failed /") "properties" (list (dict "id" "color" "value" (dict "mode" "fixed" "fixedColor" "red")))) (dict "matcher" (dict "id" "byRegexp" "options" "/^succeeded /") "properties" (list (dict "id" "color" "value" (dict "mode" "fixed" "fixedColor" "green")))))) -}}
{{- $panels = append $panels $runs -}}
{{- $id = add1 $id -}}
{{- $suspended := printf "max(kube_cronjob_spec_suspend{%s})" $cronJob -}}
{{- $killSwitch := printf "count(kube_cronjob_annotations{%s, %s})" $cronJob (include "leakguard.monitoring.killSwitchMatcher" .) -}}
{{- $panels = append $panels (include "leakguard.dashboard.panel" (list $id "Suspended / kill switch on" "stat" (list 18 $y 6 8) (list (list $suspended "suspended") (list $killSwitch "kill switch")) "none" (dict "description" "The kill switch shows only when kube-state-metrics exports the annotation: --metric-annotations-allowlist=cronjobs=[leakguard.io/kill-switch].")) | fromJson) -}}
{{- else -}}
{{- $available := printf "max(kube_deployment_status_replicas_available{%s, namespace=\"$namespace\", deployment=%s})" $cluster (toJson $fullname) -}}
{{- $panels = append $panels (include "leakguard.dashboard.panel" (list $id "leakguard daemon: available replicas" "timeseries" (list 0 $y 24 8) (list (list $available "available")) "none" dict) | fromJson) -}}
{{- end -}}
{{- $controller := ternary (printf "kube_cronjob_info{%s, cronjob=%s}" $cluster (toJson $fullname)) (printf "kube_deployment_created{%s, deployment=%s}" $cluster (toJson $fullname)) (eq .Values.kind "CronJob") -}}
{{- $variables := list
  (dict "name" "datasource" "label" "Data source" "type" "datasource" "query" "prometheus" "hide" 0 "refresh" 1 "current" dict "options" list)
  (dict "name" "cluster" "label" "Cluster" "type" "query" "datasource" $ds "query" (dict "query" "label_values(kube_pod_info, cluster)" "refId" "cluster") "definition" "label_values(kube_pod_info, cluster)" "includeAll" true "allValue" ".*" "multi" false "refresh" 2 "sort" 1 "hide" 0 "current" (dict "text" "All" "value" "$__all") "options" list)
  (dict "name" "namespace" "label" "leakguard's namespace" "type" "query" "datasource" $ds "query" (dict "query" (printf "label_values(%s, namespace)" $controller) "refId" "namespace") "definition" (printf "label_values(%s, namespace)" $controller) "includeAll" false "multi" false "refresh" 2 "sort" 1 "hide" 0 "current" (dict "text" $ns "value" $ns) "options" list)
-}}
{{- toJson (dict
  "uid" (printf "leakguard-%s" (printf "%s/%s" $ns $fullname | sha256sum | trunc 12))
  "title" (printf "leakguard: %s/%s" $ns $fullname)
  "description" "Memory of the operators leakguard watches, the floor it judges, and its own runs (rendered by the leakguard Helm chart)."
  "tags" (list "leakguard" "memory")
  "schemaVersion" 41
  "version" 1
  "editable" true
  "graphTooltip" 1
  "time" (dict "from" "now-2d" "to" "now")
  "refresh" "5m"
  "timezone" "browser"
  "templating" (dict "list" $variables)
  "annotations" (dict "list" $annotations)
  "panels" $panels
  "links" list
) -}}
{{- end -}}
