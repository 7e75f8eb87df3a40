{{/* Names, labels and the shared pieces of every component's pod. */}}

{{- define "imagesync.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/* <release>-imagesync, or the release name when it already contains the chart name. Leaves room for "-postgres". */}}
{{- define "imagesync.fullname" -}}
{{- if .Values.fullnameOverride }}
{{- .Values.fullnameOverride | trunc 52 | trimSuffix "-" }}
{{- else }}
{{- $name := default .Chart.Name .Values.nameOverride }}
{{- if contains $name .Release.Name }}
{{- .Release.Name | trunc 52 | trimSuffix "-" }}
{{- else }}
{{- printf "%s-%s" .Release.Name $name | trunc 52 | trimSuffix "-" }}
{{- end }}
{{- end }}
{{- end }}

{{/* The name of one component's objects: (dict "root" $ "component" "operator"). */}}
{{- define "imagesync.componentName" -}}
{{- printf "%s-%s" (include "imagesync.fullname" .root) .component }}
{{- end }}

{{- define "imagesync.chart" -}}
{{- printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/* Labels of every object: (dict "root" $ "component" "operator"). */}}
{{- define "imagesync.labels" -}}
helm.sh/chart: {{ include "imagesync.chart" .root }}
{{ include "imagesync.selectorLabels" . }}
app.kubernetes.io/version: {{ .root.Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .root.Release.Service }}
app.kubernetes.io/part-of: imagesync
{{- with .root.Values.global.commonLabels }}
{{ toYaml . }}
{{- end }}
{{- end }}

{{/* The labels a component's Service, PodDisruptionBudget and NetworkPolicy select its pods by. */}}
{{- define "imagesync.selectorLabels" -}}
app.kubernetes.io/name: {{ include "imagesync.name" .root }}
app.kubernetes.io/instance: {{ .root.Release.Name }}
{{- if .component }}
app.kubernetes.io/component: {{ .component }}
{{- end }}
{{- end }}

{{- define "imagesync.image" -}}
{{- if .Values.image.digest -}}
{{ .Values.image.repository }}@{{ .Values.image.digest }}
{{- else -}}
{{ .Values.image.repository }}:{{ .Values.image.tag | default .Chart.AppVersion }}
{{- end }}
{{- end }}

{{/* A component's ServiceAccount name: (dict "root" $ "component" "operator"). */}}
{{- define "imagesync.serviceAccountName" -}}
{{- $sa := (index .root.Values .component).serviceAccount }}
{{- if $sa.create }}
{{- default (include "imagesync.componentName" .) $sa.name }}
{{- else }}
{{- default "default" $sa.name }}
{{- end }}
{{- end }}

{{- define "imagesync.leaderElectionNamespace" -}}
{{- default .Release.Namespace .Values.operator.leaderElection.namespace }}
{{- end }}

{{- define "imagesync.leaderElectionId" -}}
{{- default (include "imagesync.componentName" (dict "root" . "component" "operator")) .Values.operator.leaderElection.id }}
{{- end }}

{{/* Namespaces where the operator may read Secrets; empty when it may read them cluster-wide. */}}
{{- define "imagesync.secretNamespaces" -}}
{{- if .Values.operator.clusterWideSecretAccess }}
{{- else if .Values.operator.secretNamespaces }}
{{- toJson (uniq .Values.operator.secretNamespaces) }}
{{- else if .Values.operator.watchNamespaces }}
{{- toJson (uniq .Values.operator.watchNamespaces) }}
{{- else }}
{{- toJson (list .Release.Namespace) }}
{{- end }}
{{- end }}

{{/* The Secret holding the credentials given inline (or the development ones). */}}
{{- define "imagesync.credentialsSecretName" -}}
{{- printf "%s-credentials" (include "imagesync.fullname" .) }}
{{- end }}

{{/* Whether the chart creates the credentials Secret: some credential is inline or comes from dev. */}}
{{- define "imagesync.hasCredentialsSecret" -}}
{{- $v := .Values }}
{{- if or (include "imagesync.devNats" .) (include "imagesync.devPostgres" .) (include "imagesync.devS3" .) (include "imagesync.devFakeDrive" .) (and $v.database.url (not $v.database.existingSecret)) (and $v.s3.accessKeyId (not $v.s3.existingSecret)) (and $v.drive.apiKey (not $v.drive.existingSecret)) (and $v.nats.url (not $v.nats.existingSecret)) }}true{{ end }}
{{- end }}

{{- define "imagesync.devNats" -}}{{ if and .Values.dev.enabled .Values.dev.nats.enabled }}true{{ end }}{{- end }}
{{- define "imagesync.devPostgres" -}}{{ if and .Values.dev.enabled .Values.dev.postgres.enabled }}true{{ end }}{{- end }}
{{- define "imagesync.devS3" -}}{{ if and .Values.dev.enabled .Values.dev.s3.enabled }}true{{ end }}{{- end }}
{{- define "imagesync.devFakeDrive" -}}{{ if and .Values.dev.enabled .Values.dev.fakeDrive.enabled }}true{{ end }}{{- end }}

{{/*
Refuses a configuration that cannot run, naming the values that fix it. The schema checks types; this checks
what a schema cannot: that every dependency has somewhere to come from.
*/}}
{{- define "imagesync.validate" -}}
{{- $v := .Values }}
{{- if not (or (include "imagesync.devPostgres" .) $v.database.existingSecret $v.database.url) }}
{{- fail "PostgreSQL is not configured: set database.existingSecret (a Secret with the key DATABASE_URL) or database.url, or dev.enabled=true for a bundled development database" }}
{{- end }}
{{- if not (or (include "imagesync.devNats" .) $v.nats.existingSecret $v.nats.url) }}
{{- fail "NATS is not configured: set nats.url (nats://host:4222) or nats.existingSecret, or dev.enabled=true for a bundled development NATS" }}
{{- end }}
{{- if not (or (include "imagesync.devS3" .) $v.s3.defaultBucket) }}
{{- fail "S3 is not configured: set s3.defaultBucket (and s3.endpoint for servers other than AWS S3), or dev.enabled=true for a bundled development S3 server" }}
{{- end }}
{{- if and (eq $v.worker.autoscaling.mode "keda") (not (or (include "imagesync.devNats" .) $v.nats.monitoringEndpoint)) }}
{{- fail "worker.autoscaling.mode=keda reads the JetStream consumer lag from NATS' monitoring endpoint: set nats.monitoringEndpoint (host:8222)" }}
{{- end }}
{{- if gt (int $v.worker.autoscaling.minReplicas) (int $v.worker.autoscaling.maxReplicas) }}
{{- fail (printf "worker.autoscaling.minReplicas (%d) is above maxReplicas (%d)" (int $v.worker.autoscaling.minReplicas) (int $v.worker.autoscaling.maxReplicas)) }}
{{- end }}
{{- if and $v.operator.clusterWideSecretAccess $v.operator.secretNamespaces }}
{{- fail "operator.clusterWideSecretAccess and operator.secretNamespaces exclude each other: cluster-wide access already covers every namespace" }}
{{- end }}
{{- end }}

{{/* postgres://, nats:// and http:// addresses of the bundled development servers. */}}
{{- define "imagesync.devDatabaseUrl" -}}
{{- printf "postgres://imagesync:%s@%s-postgres:5432/imagesync?sslmode=disable" .Values.dev.postgres.password (include "imagesync.fullname" .) }}
{{- end }}
{{- define "imagesync.natsUrl" -}}
{{- if include "imagesync.devNats" . }}{{ printf "nats://%s-nats:4222" (include "imagesync.fullname" .) }}{{ else }}{{ .Values.nats.url }}{{ end }}
{{- end }}
{{- define "imagesync.natsMonitoringEndpoint" -}}
{{- if include "imagesync.devNats" . }}{{ printf "%s-nats.%s.svc:8222" (include "imagesync.fullname" .) .Release.Namespace }}{{ else }}{{ .Values.nats.monitoringEndpoint }}{{ end }}
{{- end }}

{{/* A secretKeyRef env var: (dict "name" "DATABASE_URL" "secret" "x" "key" "y"). */}}
{{- define "imagesync.secretEnv" -}}
- name: {{ .name }}
  valueFrom:
    secretKeyRef:
      name: {{ .secret }}
      key: {{ .key }}
{{- end }}

{{/* The environment every ImageSync process reads: connections, storage, Drive, logging. */}}
{{- define "imagesync.commonEnv" -}}
{{- $v := .Values }}
{{- $creds := include "imagesync.credentialsSecretName" . }}
- name: LOG_LEVEL
  value: {{ $v.logLevel | quote }}
- name: IMAGESYNC_QUEUE_PREFIX
  value: {{ $v.nats.queuePrefix | quote }}
{{- if include "imagesync.devPostgres" . }}
{{ include "imagesync.secretEnv" (dict "name" "DATABASE_URL" "secret" $creds "key" "DATABASE_URL") }}
{{- else if $v.database.existingSecret }}
{{ include "imagesync.secretEnv" (dict "name" "DATABASE_URL" "secret" $v.database.existingSecret "key" $v.database.existingSecretKey) }}
{{- else }}
{{ include "imagesync.secretEnv" (dict "name" "DATABASE_URL" "secret" $creds "key" "DATABASE_URL") }}
{{- end }}
{{- if and $v.nats.existingSecret (not (include "imagesync.devNats" .)) }}
{{ include "imagesync.secretEnv" (dict "name" "NATS_URL" "secret" $v.nats.existingSecret "key" $v.nats.existingSecretKey) }}
{{- else }}
{{ include "imagesync.secretEnv" (dict "name" "NATS_URL" "secret" $creds "key" "NATS_URL") }}
{{- end }}
{{- if include "imagesync.devS3" . }}
- name: S3_ENDPOINT
  value: {{ printf "http://%s-s3:7070" (include "imagesync.fullname" .) | quote }}
- name: S3_REGION
  value: us-east-1
- name: S3_FORCE_PATH_STYLE
  value: "true"
- name: S3_CHECKSUMS
  value: {{ $v.s3.checksums | quote }}
- name: DEFAULT_BUCKET
  value: {{ $v.dev.s3.bucket | quote }}
{{ include "imagesync.secretEnv" (dict "name" "AWS_ACCESS_KEY_ID" "secret" $creds "key" "AWS_ACCESS_KEY_ID") }}
{{ include "imagesync.secretEnv" (dict "name" "AWS_SECRET_ACCESS_KEY" "secret" $creds "key" "AWS_SECRET_ACCESS_KEY") }}
{{- else }}
- name: S3_ENDPOINT
  value: {{ $v.s3.endpoint | quote }}
- name: S3_REGION
  value: {{ $v.s3.region | quote }}
- name: S3_FORCE_PATH_STYLE
  value: {{ $v.s3.forcePathStyle | quote }}
- name: S3_CHECKSUMS
  value: {{ $v.s3.checksums | quote }}
- name: DEFAULT_BUCKET
  value: {{ $v.s3.defaultBucket | quote }}
{{- if $v.s3.existingSecret }}
{{ include "imagesync.secretEnv" (dict "name" "AWS_ACCESS_KEY_ID" "secret" $v.s3.existingSecret "key" $v.s3.accessKeyIdKey) }}
{{ include "imagesync.secretEnv" (dict "name" "AWS_SECRET_ACCESS_KEY" "secret" $v.s3.existingSecret "key" $v.s3.secretAccessKeyKey) }}
{{- else if $v.s3.accessKeyId }}
{{ include "imagesync.secretEnv" (dict "name" "AWS_ACCESS_KEY_ID" "secret" $creds "key" "AWS_ACCESS_KEY_ID") }}
{{ include "imagesync.secretEnv" (dict "name" "AWS_SECRET_ACCESS_KEY" "secret" $creds "key" "AWS_SECRET_ACCESS_KEY") }}
{{- end }}
{{- end }}
{{- if include "imagesync.devFakeDrive" . }}
- name: DRIVE_API_ROOT_URL
  value: {{ printf "http://%s-fake-drive:%d/" (include "imagesync.fullname" .) (int $v.dev.fakeDrive.port) | quote }}
{{ include "imagesync.secretEnv" (dict "name" "DRIVE_API_KEY" "secret" $creds "key" "DRIVE_API_KEY") }}
{{- else }}
- name: DRIVE_API_ROOT_URL
  value: {{ $v.drive.apiRootUrl | quote }}
{{- if $v.drive.existingSecret }}
{{ include "imagesync.secretEnv" (dict "name" "DRIVE_API_KEY" "secret" $v.drive.existingSecret "key" $v.drive.existingSecretKey) }}
{{- else if $v.drive.apiKey }}
{{ include "imagesync.secretEnv" (dict "name" "DRIVE_API_KEY" "secret" $creds "key" "DRIVE_API_KEY") }}
{{- end }}
{{- end }}
{{- end }}

{{/* Pod annotations that roll the pods when the chart-managed credentials change. */}}
{{- define "imagesync.checksumAnnotations" -}}
{{- if include "imagesync.hasCredentialsSecret" . }}
checksum/credentials: {{ include (print .Template.BasePath "/credentials-secret.yaml") . | sha256sum | trunc 16 | quote }}
{{- end }}
{{- end }}

{{/*
The pod-level settings shared by the three processes: (dict "root" $ "component" "operator"). Scheduling
values of the component win over the global ones.
*/}}
{{- define "imagesync.podScheduling" -}}
{{- $c := index .root.Values .component }}
{{- with .root.Values.global.imagePullSecrets }}
imagePullSecrets:
  {{- toYaml . | nindent 2 }}
{{- end }}
{{- with (default .root.Values.global.priorityClassName $c.priorityClassName) }}
priorityClassName: {{ . }}
{{- end }}
{{- with $c.nodeSelector }}
nodeSelector:
  {{- toYaml . | nindent 2 }}
{{- end }}
{{- with $c.tolerations }}
tolerations:
  {{- toYaml . | nindent 2 }}
{{- end }}
{{- with $c.affinity }}
affinity:
  {{- toYaml . | nindent 2 }}
{{- end }}
{{- if or $c.topologySpreadConstraints $c.spreadAcrossNodes }}
topologySpreadConstraints:
  {{- with $c.topologySpreadConstraints }}
  {{- toYaml . | nindent 2 }}
  {{- end }}
  {{- if $c.spreadAcrossNodes }}
  - maxSkew: 1
    topologyKey: kubernetes.io/hostname
    whenUnsatisfiable: ScheduleAnyway
    labelSelector:
      matchLabels:
        {{- include "imagesync.selectorLabels" . | nindent 8 }}
  {{- end }}
{{- end }}
securityContext:
  {{- toYaml .root.Values.podSecurityContext | nindent 2 }}
{{- end }}

{{/* A writable /tmp on the read-only root filesystem. */}}
{{- define "imagesync.tmpVolume" -}}
- name: tmp
  emptyDir:
    sizeLimit: 256Mi
{{- end }}
{{- define "imagesync.tmpVolumeMount" -}}
- name: tmp
  mountPath: /tmp
{{- end }}

{{/* A PodDisruptionBudget: (dict "root" $ "component" "operator"). */}}
{{- define "imagesync.podDisruptionBudget" -}}
{{- $pdb := (index .root.Values .component).podDisruptionBudget }}
{{- if $pdb.enabled }}
apiVersion: policy/v1
kind: PodDisruptionBudget
metadata:
  name: {{ include "imagesync.componentName" . }}
  namespace: {{ .root.Release.Namespace }}
  labels:
    {{- include "imagesync.labels" . | nindent 4 }}
spec:
  {{- if not (kindIs "invalid" $pdb.minAvailable) }}
  minAvailable: {{ $pdb.minAvailable }}
  {{- else }}
  maxUnavailable: {{ $pdb.maxUnavailable }}
  {{- end }}
  selector:
    matchLabels:
      {{- include "imagesync.selectorLabels" . | nindent 6 }}
{{- end }}
{{- end }}

{{/* A ServiceAccount: (dict "root" $ "component" "operator" "automount" true). */}}
{{- define "imagesync.serviceAccount" -}}
{{- $sa := (index .root.Values .component).serviceAccount }}
{{- if $sa.create }}
apiVersion: v1
kind: ServiceAccount
metadata:
  name: {{ include "imagesync.serviceAccountName" . }}
  namespace: {{ .root.Release.Namespace }}
  labels:
    {{- include "imagesync.labels" . | nindent 4 }}
  {{- with $sa.annotations }}
  annotations:
    {{- toYaml . | nindent 4 }}
  {{- end }}
automountServiceAccountToken: {{ .automount }}
{{- end }}
{{- end }}
