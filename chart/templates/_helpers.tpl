{{/* Names and labels. */}}
{{- define "leakguard.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{- define "leakguard.fullname" -}}
{{- if .Values.fullnameOverride -}}
{{- .Values.fullnameOverride | trunc 52 | trimSuffix "-" -}}
{{- else -}}
{{- $name := default .Chart.Name .Values.nameOverride -}}
{{- if contains $name .Release.Name -}}
{{- .Release.Name | trunc 52 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-%s" .Release.Name $name | trunc 52 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}
{{- end -}}

{{- define "leakguard.serviceAccountName" -}}
{{- if .Values.serviceAccount.create -}}
{{- default (include "leakguard.fullname" .) .Values.serviceAccount.name -}}
{{- else -}}
{{- required "serviceAccount.name: expected the name of an existing ServiceAccount when serviceAccount.create is false" .Values.serviceAccount.name -}}
{{- end -}}
{{- end -}}

{{- define "leakguard.selectorLabels" -}}
app.kubernetes.io/name: {{ include "leakguard.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end -}}

{{- define "leakguard.labels" -}}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{ include "leakguard.selectorLabels" . }}
app.kubernetes.io/version: {{ .Values.image.tag | default .Chart.AppVersion | trunc 63 | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
app.kubernetes.io/part-of: leakguard
{{- end -}}

{{- define "leakguard.image" -}}
{{- if .Values.image.digest -}}
{{- printf "%s@%s" .Values.image.repository .Values.image.digest -}}
{{- else -}}
{{- printf "%s:%s" .Values.image.repository (.Values.image.tag | default .Chart.AppVersion) -}}
{{- end -}}
{{- end -}}

{{- define "leakguard.configPath" -}}/etc/leakguard/config.yaml{{- end -}}

{{/* The lock (Lease) name: one per release, so two releases in one namespace do not exclude each other. */}}
{{- define "leakguard.lockName" -}}
{{- dig "lock" "name" (include "leakguard.fullname" .) .Values.config -}}
{{- end -}}

{{/*
The configuration file: .Values.config as given, plus what the chart knows better than the user —
the Lease's namespace (the release namespace) and name, and the schedule (one source for both kinds).
*/}}
{{- define "leakguard.config" -}}
{{- $cfg := deepCopy .Values.config -}}
{{- $lock := deepCopy (get $cfg "lock" | default dict) -}}
{{- if not (hasKey $lock "namespace") -}}{{- $_ := set $lock "namespace" .Release.Namespace -}}{{- end -}}
{{- if not (hasKey $lock "name") -}}{{- $_ := set $lock "name" (include "leakguard.lockName" .) -}}{{- end -}}
{{- $_ := set $cfg "lock" $lock -}}
{{- /* The kill switch is the annotation on this release's own CronJob (or Deployment). */ -}}
{{- if not (hasKey $cfg "controller") -}}
{{- $_ := set $cfg "controller" (dict "kind" .Values.kind "name" (include "leakguard.fullname" .) "namespace" .Release.Namespace) -}}
{{- end -}}
{{- if and (hasKey $cfg "schedule") (ne (toString $cfg.schedule) .Values.schedule) -}}
{{- fail (printf "config.schedule (%q) differs from schedule (%q): set only schedule" (toString $cfg.schedule) .Values.schedule) -}}
{{- end -}}
{{- $_ := set $cfg "schedule" .Values.schedule -}}
{{- toYaml $cfg -}}
{{- end -}}

{{/* Seconds in a duration like 300, "90s", "5m", "1h30m"; "" when the form is not one of these. */}}
{{- define "leakguard.durationSeconds" -}}
{{- $v := . -}}
{{- if kindIs "float64" $v -}}{{- int $v -}}
{{- else if or (kindIs "int" $v) (kindIs "int64" $v) -}}{{- $v -}}
{{- else if and (kindIs "string" $v) (regexMatch "^([0-9]+[hms])+$" $v) -}}
{{- $total := 0 -}}
{{- range $part := regexFindAll "[0-9]+[hms]" $v -1 -}}
{{- $n := trimSuffix "h" (trimSuffix "m" (trimSuffix "s" $part)) | atoi -}}
{{- if hasSuffix "h" $part -}}{{- $total = add $total (mul $n 3600) -}}
{{- else if hasSuffix "m" $part -}}{{- $total = add $total (mul $n 60) -}}
{{- else -}}{{- $total = add $total $n -}}{{- end -}}
{{- end -}}
{{- $total -}}
{{- end -}}
{{- end -}}

{{/* Checks the schema cannot express; each failure names the value and what is expected. */}}
{{- define "leakguard.validate" -}}
{{- $profileNames := list -}}
{{- range .Values.config.profiles -}}{{- $profileNames = append $profileNames .name -}}{{- end -}}
{{- range $name, $_ := .Values.rbac.workloads -}}
{{- if not (has $name $profileNames) -}}
{{- fail (printf "rbac.workloads.%s: no profile is named %q (profiles: %s)" $name $name (join ", " $profileNames)) -}}
{{- end -}}
{{- end -}}
{{- /* Every *File path under the secrets mount must be a mounted file. */ -}}
{{- $mount := trimSuffix "/" .Values.secrets.mountPath -}}
{{- $c := .Values.config -}}
{{- $paths := dict
  "prometheus.bearerTokenFile" (dig "prometheus" "bearerTokenFile" "" $c)
  "prometheus.basicAuth.passwordFile" (dig "prometheus" "basicAuth" "passwordFile" "" $c)
  "prometheus.caFile" (dig "prometheus" "caFile" "" $c)
  "notifications.slack.webhookUrlFile" (dig "notifications" "slack" "webhookUrlFile" "" $c)
  "notifications.slack.botTokenFile" (dig "notifications" "slack" "botTokenFile" "" $c)
  "github.tokenFile" (dig "github" "tokenFile" "" $c)
  "github.app.privateKeyFile" (dig "github" "app" "privateKeyFile" "" $c) -}}
{{- range $i, $r := (dig "chartRepositories" list $c) -}}
{{- $_ := set $paths (printf "chartRepositories[%d].bearerTokenFile" $i) (dig "bearerTokenFile" "" $r) -}}
{{- $_ := set $paths (printf "chartRepositories[%d].basicAuth.passwordFile" $i) (dig "basicAuth" "passwordFile" "" $r) -}}
{{- end -}}
{{- range $field, $path := $paths -}}
{{- if and $path (hasPrefix (printf "%s/" $mount) $path) -}}
{{- $file := trimPrefix (printf "%s/" $mount) $path -}}
{{- if not $.Values.secrets.existingSecret -}}
{{- fail (printf "config.%s points into %s, but secrets.existingSecret is empty: name the Secret that holds %s" $field $mount $file) -}}
{{- end -}}
{{- if not (hasKey $.Values.secrets.files $file) -}}
{{- fail (printf "config.%s is %s, but no file %q is mounted (secrets.files mounts: %s): add %s: <key in Secret %s>" $field $path $file (keys $.Values.secrets.files | sortAlpha | join ", ") $file $.Values.secrets.existingSecret) -}}
{{- end -}}
{{- end -}}
{{- end -}}
{{- /* A run must end before the Job is killed, and the Job before the next schedule. */ -}}
{{- if eq .Values.kind "CronJob" -}}
{{- $active := int .Values.cronJob.activeDeadlineSeconds -}}
{{- $deadline := include "leakguard.durationSeconds" (.Values.config.deadline | default "5m") -}}
{{- if and $deadline (ge (atoi $deadline) $active) -}}
{{- fail (printf "config.deadline (%v = %ss) must be below cronJob.activeDeadlineSeconds (%d)" .Values.config.deadline $deadline $active) -}}
{{- end -}}
{{- $every := regexFind "^\\*/[0-9]+ \\* \\* \\* \\*$" .Values.schedule -}}
{{- if $every -}}
{{- $period := mul (regexFind "[0-9]+" $every | atoi) 60 -}}
{{- if ge $active $period -}}
{{- fail (printf "cronJob.activeDeadlineSeconds (%d) must be below the schedule's period (%q = %ds), or runs would overlap" $active .Values.schedule $period) -}}
{{- end -}}
{{- end -}}
{{- end -}}
{{- end -}}

{{/*
The RBAC plan, as JSON: for each namespace that a profile watches, which actions are enabled and
the names of the objects they may touch. Profiles in one namespace share that namespace's Roles.
*/}}
{{- define "leakguard.rbacPlan" -}}
{{- $plan := dict -}}
{{- $catalog := .Files.Get "files/known-issue-workarounds.json" | fromJson -}}
{{- range $p := .Values.config.profiles -}}
{{- $entry := get $plan $p.namespace | default (dict "restart" false "evict" false "workaroundEnv" false "deployments" list "statefulSets" list "daemonSets" list "configMaps" list "readConfigMaps" list "heapConfigMaps" list) -}}
{{- $w := get $.Values.rbac.workloads $p.name | default (dict "deployments" (list $p.name)) -}}
{{- range $kind := list "deployments" "statefulSets" "daemonSets" -}}
{{- $_ := set $entry $kind (concat (get $entry $kind) (get $w $kind | default list) | uniq) -}}
{{- end -}}
{{- $ladder := $p.ladder | default (list "restart") -}}
{{- if has "restart" $ladder -}}
{{- if eq ($p.restartMode | default "rollout") "evict" -}}{{- $_ := set $entry "evict" true -}}{{- else -}}{{- $_ := set $entry "restart" true -}}{{- end -}}
{{- /* A DaemonSet's leaking pod is evicted alone (a rollout would restart it on every node). */ -}}
{{- if get $w "daemonSets" -}}{{- $_ := set $entry "evict" true -}}{{- end -}}
{{- end -}}
{{- $ownEnv := dig "workaround" "env" "" $p -}}
{{- $ownCm := dig "workaround" "configMap" "name" "" $p -}}
{{- if $ownCm -}}{{- $_ := set $entry "readConfigMaps" (append $entry.readConfigMaps $ownCm | uniq) -}}{{- end -}}
{{- if has "workaround" $ladder -}}
{{- /* What the workaround touches: the profile's own, else that of the known issues it names — the built-in
       catalogue's, generated into files/known-issue-workarounds.json (`npm run chart:catalog`), or the entry
       of the same id in config.knownIssues, which replaces it. An id the chart cannot see: the pod template. */ -}}
{{- $podTemplate := false -}}
{{- $cms := list -}}
{{- if or $ownEnv $ownCm -}}
{{- if $ownEnv -}}{{- $podTemplate = true -}}{{- end -}}
{{- if $ownCm -}}{{- $cms = list $ownCm -}}{{- end -}}
{{- else -}}
{{- range $id := ($p.knownIssues | default list) -}}
{{- $known := get $catalog $id | default (dict "podTemplate" true "configMaps" list) -}}
{{- range $user := ($.Values.config.knownIssues | default list) -}}
{{- if eq $user.id $id -}}
{{- $userCm := dig "workaround" "configMap" "name" "" $user -}}
{{- $known = dict "podTemplate" (not (empty (or (dig "workaround" "env" "" $user) (dig "workaround" "image" "" $user)))) "configMaps" (ternary (list $userCm) list (ne $userCm "")) -}}
{{- end -}}
{{- end -}}
{{- if $known.podTemplate -}}{{- $podTemplate = true -}}{{- end -}}
{{- $cms = concat $cms $known.configMaps -}}
{{- end -}}
{{- if not (or $podTemplate $cms) -}}{{- $podTemplate = true -}}{{- end -}}
{{- end -}}
{{- if $podTemplate -}}{{- $_ := set $entry "workaroundEnv" true -}}{{- end -}}
{{- if $cms -}}
{{- $_ := set $entry "configMaps" (concat $entry.configMaps $cms | uniq) -}}
{{- $_ := set $entry "readConfigMaps" (concat $entry.readConfigMaps $cms | uniq) -}}
{{- end -}}
{{- end -}}
{{- if dig "diagnostics" "heapProfile" "" $p -}}
{{- /* src/kube/heap-store.ts heapConfigMapName: leakguard-heap-<kind>-<name>, one per workload. */ -}}
{{- range $kind := list "deployments" "statefulSets" "daemonSets" -}}
{{- range $name := get $w $kind | default list -}}
{{- $_ := set $entry "heapConfigMaps" (append $entry.heapConfigMaps (printf "leakguard-heap-%s-%s" (lower $kind | trimSuffix "s") $name) | uniq) -}}
{{- end -}}
{{- end -}}
{{- end -}}
{{- $_ := set $plan $p.namespace $entry -}}
{{- end -}}
{{- toJson $plan -}}
{{- end -}}

{{/* Rules on the named workloads of one namespace's plan entry; nothing when no name is known. */}}
{{- define "leakguard.workloadRules" -}}
{{- $entry := index . 0 -}}
{{- $verbs := index . 1 -}}
{{- range $kind := list "deployments" "statefulSets" "daemonSets" -}}
{{- $names := get $entry $kind -}}
{{- if $names }}
- apiGroups: ["apps"]
  resources: [{{ lower $kind | quote }}]
  resourceNames: {{ toJson $names }}
  verbs: {{ toJson $verbs }}
{{- end -}}
{{- end -}}
{{- end -}}

{{/* List on each kind the namespace's plan names workloads of (a state read lists them: RBAC cannot name a list's objects). */}}
{{- define "leakguard.workloadListRules" -}}
{{- range $kind := list "deployments" "statefulSets" "daemonSets" -}}
{{- if get $ $kind }}
- apiGroups: ["apps"]
  resources: [{{ lower $kind | quote }}]
  verbs: ["list"]
{{- end -}}
{{- end -}}
{{- end -}}

{{/* One Role and its RoleBinding. Args: root context, action, namespace, rules (YAML text). */}}
{{- define "leakguard.role" -}}
{{- $root := index . 0 -}}
{{- $action := index . 1 -}}
{{- $namespace := index . 2 -}}
{{- $rules := index . 3 -}}
{{- if trim $rules }}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata:
  name: {{ include "leakguard.fullname" $root }}-{{ $action }}
  namespace: {{ $namespace }}
  labels:
    {{- include "leakguard.labels" $root | nindent 4 }}
    leakguard.io/action: {{ $action }}
rules:
{{- $rules }}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata:
  name: {{ include "leakguard.fullname" $root }}-{{ $action }}
  namespace: {{ $namespace }}
  labels:
    {{- include "leakguard.labels" $root | nindent 4 }}
    leakguard.io/action: {{ $action }}
roleRef:
  apiGroup: rbac.authorization.k8s.io
  kind: Role
  name: {{ include "leakguard.fullname" $root }}-{{ $action }}
subjects:
  - kind: ServiceAccount
    name: {{ include "leakguard.serviceAccountName" $root }}
    namespace: {{ $root.Release.Namespace }}
{{- end -}}
{{- end -}}
