{{/*
Grants a ClusterRole to a component's ServiceAccount: cluster-wide (a ClusterRoleBinding) when namespaces is
empty, else a RoleBinding in each namespace, so the permission holds only there.
(dict "root" $ "component" "operator" "role" "<ClusterRole name>" "namespaces" (list ...))
*/}}
{{- define "imagesync.bindClusterRole" -}}
{{- $subject := dict "kind" "ServiceAccount" "name" (include "imagesync.serviceAccountName" .) "namespace" .root.Release.Namespace }}
{{- if not .namespaces }}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata:
  name: {{ .role }}
  labels:
    {{- include "imagesync.labels" . | nindent 4 }}
roleRef:
  apiGroup: rbac.authorization.k8s.io
  kind: ClusterRole
  name: {{ .role }}
subjects:
  - {{- toYaml $subject | nindent 4 }}
{{- else }}
{{- range .namespaces }}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata:
  name: {{ $.role }}
  namespace: {{ . }}
  labels:
    {{- include "imagesync.labels" $ | nindent 4 }}
roleRef:
  apiGroup: rbac.authorization.k8s.io
  kind: ClusterRole
  name: {{ $.role }}
subjects:
  - {{- toYaml $subject | nindent 4 }}
{{- end }}
{{- end }}
{{- end }}
