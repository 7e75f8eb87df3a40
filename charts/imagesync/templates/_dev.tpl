{{/*
Shared parts of the development servers: restricted pods with ephemeral storage, reachable only from the
release's pods. (dict "root" $ "component" "postgres" "port" 5432 "extraPorts" (list ...))
*/}}
{{- define "imagesync.dev.podSecurity" -}}
securityContext:
  runAsNonRoot: true
  runAsUser: {{ .uid }}
  runAsGroup: {{ .uid }}
  fsGroup: {{ .uid }}
  seccompProfile:
    type: RuntimeDefault
{{- end }}

{{- define "imagesync.dev.containerSecurity" -}}
securityContext:
  allowPrivilegeEscalation: false
  readOnlyRootFilesystem: true
  capabilities:
    drop: [ALL]
{{- end }}

{{- define "imagesync.dev.service" -}}
apiVersion: v1
kind: Service
metadata:
  name: {{ include "imagesync.componentName" . }}
  namespace: {{ .root.Release.Namespace }}
  labels:
    {{- include "imagesync.labels" . | nindent 4 }}
spec:
  type: ClusterIP
  ports:
    {{- range .ports }}
    - name: {{ .name }}
      port: {{ .port }}
      targetPort: {{ .name }}
      protocol: TCP
    {{- end }}
  selector:
    {{- include "imagesync.selectorLabels" . | nindent 4 }}
{{- end }}

{{/* Ingress from the release's pods on the server's ports (plus .openPorts from anywhere). */}}
{{- define "imagesync.dev.networkPolicy" -}}
{{- if .root.Values.networkPolicy.enabled }}
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata:
  name: {{ include "imagesync.componentName" . }}
  namespace: {{ .root.Release.Namespace }}
  labels:
    {{- include "imagesync.labels" . | nindent 4 }}
spec:
  podSelector:
    matchLabels:
      {{- include "imagesync.selectorLabels" . | nindent 6 }}
  policyTypes: [Ingress]
  ingress:
    - from:
        - podSelector:
            matchLabels:
              {{- include "imagesync.selectorLabels" (dict "root" .root "component" "") | nindent 14 }}
      ports:
        {{- range .ports }}
        - port: {{ .name }}
          protocol: TCP
        {{- end }}
    {{- with .openPorts }}
    - ports:
        {{- range . }}
        - port: {{ . }}
          protocol: TCP
        {{- end }}
    {{- end }}
{{- end }}
{{- end }}

{{- define "imagesync.dev.image" -}}
image: {{ printf "%s:%s" .repository .tag }}
imagePullPolicy: {{ .pullPolicy }}
{{- end }}
