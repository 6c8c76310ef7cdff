{{/*
The pod template shared by the CronJob's jobTemplate and the Deployment. Everything a run needs is
here, so `kubectl create job --from=cronjob/<release>` makes a complete Job. Pod Security Standards
"restricted": non-root 65532, no privilege escalation, no capabilities, RuntimeDefault seccomp,
read-only root filesystem with an emptyDir for /tmp.
*/}}
{{- define "leakguard.podTemplate" -}}
{{- $root := index . 0 -}}
{{- $command := index . 1 -}}
{{- with $root -}}
metadata:
  labels:
    {{- include "leakguard.labels" . | nindent 4 }}
    app.kubernetes.io/component: {{ $command }}
    {{- with .Values.podLabels }}
    {{- toYaml . | nindent 4 }}
    {{- end }}
  annotations:
    checksum/config: {{ include "leakguard.config" . | sha256sum }}
    {{- with .Values.podAnnotations }}
    {{- toYaml . | nindent 4 }}
    {{- end }}
spec:
  serviceAccountName: {{ include "leakguard.serviceAccountName" . }}
  automountServiceAccountToken: true
  {{- if eq $command "run" }}
  restartPolicy: Never
  {{- end }}
  {{- with .Values.priorityClassName }}
  priorityClassName: {{ . }}
  {{- end }}
  {{- with .Values.imagePullSecrets }}
  imagePullSecrets:
    {{- toYaml . | nindent 4 }}
  {{- end }}
  securityContext:
    runAsNonRoot: true
    runAsUser: 65532
    runAsGroup: 65532
    fsGroup: 65532
    seccompProfile:
      type: RuntimeDefault
  containers:
    - name: leakguard
      image: {{ include "leakguard.image" . }}
      imagePullPolicy: {{ .Values.image.pullPolicy }}
      args: [{{ $command | quote }}, "--config", {{ include "leakguard.configPath" . | quote }}]
      env:
        - name: LEAKGUARD_CONFIG
          value: {{ include "leakguard.configPath" . | quote }}
        - name: LEAKGUARD_LOG_LEVEL
          value: {{ .Values.logLevel | quote }}
        # The run's identity: the Lease holder and the Events' reportingInstance.
        - name: POD_NAME
          valueFrom:
            fieldRef:
              fieldPath: metadata.name
        - name: POD_NAMESPACE
          valueFrom:
            fieldRef:
              fieldPath: metadata.namespace
        {{- with .Values.k8sServiceHost }}
        # No kube-proxy: the in-cluster client reaches the API server here, not at the Service's ClusterIP.
        - name: KUBERNETES_SERVICE_HOST
          value: {{ . | quote }}
        - name: KUBERNETES_SERVICE_PORT
          value: {{ $root.Values.k8sServicePort | quote }}
        {{- end }}
        {{- with .Values.extraEnv }}
        {{- toYaml . | nindent 8 }}
        {{- end }}
      resources:
        {{- toYaml .Values.resources | nindent 8 }}
      securityContext:
        runAsNonRoot: true
        runAsUser: 65532
        runAsGroup: 65532
        allowPrivilegeEscalation: false
        readOnlyRootFilesystem: true
        privileged: false
        capabilities:
          drop: ["ALL"]
        seccompProfile:
          type: RuntimeDefault
      volumeMounts:
        - name: config
          mountPath: /etc/leakguard
          readOnly: true
        - name: tmp
          mountPath: /tmp
        {{- if .Values.secrets.existingSecret }}
        - name: secrets
          mountPath: {{ .Values.secrets.mountPath }}
          readOnly: true
        {{- end }}
  volumes:
    - name: config
      configMap:
        name: {{ include "leakguard.fullname" . }}
    - name: tmp
      emptyDir:
        sizeLimit: 64Mi
    {{- if .Values.secrets.existingSecret }}
    - name: secrets
      secret:
        secretName: {{ .Values.secrets.existingSecret }}
        defaultMode: 288 # 0440 written in decimal: YAML 1.1 (Helm, kubectl) reads 0440 as octal, YAML 1.2 as 440
        {{- with .Values.secrets.files }}
        items:
          {{- range $file, $key := . }}
          - key: {{ $key }}
            path: {{ $file }}
          {{- end }}
        {{- end }}
    {{- end }}
  {{- with .Values.nodeSelector }}
  nodeSelector:
    {{- toYaml . | nindent 4 }}
  {{- end }}
  {{- with .Values.tolerations }}
  tolerations:
    {{- toYaml . | nindent 4 }}
  {{- end }}
  {{- with .Values.affinity }}
  affinity:
    {{- toYaml . | nindent 4 }}
  {{- end }}
{{- end -}}
{{- end -}}
