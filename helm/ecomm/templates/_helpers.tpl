{{/* Chart name. */}}
{{- define "ecomm.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{/* Fully qualified app name. */}}
{{- define "ecomm.fullname" -}}
{{- if .Values.fullnameOverride -}}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- $name := default .Chart.Name .Values.nameOverride -}}
{{- if contains $name .Release.Name -}}
{{- .Release.Name | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-%s" .Release.Name $name | trunc 63 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}
{{- end -}}

{{- define "ecomm.namespace" -}}
{{- .Values.namespace.name | default .Release.Namespace -}}
{{- end -}}

{{- define "ecomm.chart" -}}
{{- printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{/* Standard app.kubernetes.io labels. */}}
{{- define "ecomm.labels" -}}
helm.sh/chart: {{ include "ecomm.chart" . }}
app.kubernetes.io/name: {{ include "ecomm.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
app.kubernetes.io/part-of: ecomm
{{- with .Values.commonLabels }}
{{ toYaml . }}
{{- end }}
{{- end -}}

{{/* Selector labels for a component: (dict "ctx" $ "component" "backend"). */}}
{{- define "ecomm.selectorLabels" -}}
app.kubernetes.io/name: {{ include "ecomm.name" .ctx }}
app.kubernetes.io/instance: {{ .ctx.Release.Name }}
app.kubernetes.io/component: {{ .component }}
{{- end -}}

{{/* Image reference: registry/repository:tag[@digest]. (dict "ctx" $ "image" .Values.backend.image "tag" "x") */}}
{{- define "ecomm.image" -}}
{{- $tag := .tag | default .image.tag -}}
{{- if .image.digest -}}
{{- printf "%s/%s:%s@%s" .ctx.Values.imageRegistry .image.repository $tag .image.digest -}}
{{- else -}}
{{- printf "%s/%s:%s" .ctx.Values.imageRegistry .image.repository $tag -}}
{{- end -}}
{{- end -}}

{{- define "ecomm.backendName" -}}
{{- printf "%s-backend" (include "ecomm.fullname" .) | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{- define "ecomm.frontendName" -}}
{{- printf "%s-frontend" (include "ecomm.fullname" .) | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{/* Name of the Kubernetes Secret synced by the CSI driver from Secrets Manager. */}}
{{- define "ecomm.dbSecretName" -}}
{{- printf "%s-db" (include "ecomm.fullname" .) -}}
{{- end -}}

{{/* Tracks that exist, sorted (blue, green). */}}
{{- define "ecomm.idleTrack" -}}
{{- if eq .Values.blueGreen.activeTrack "blue" -}}green{{- else -}}blue{{- end -}}
{{- end -}}

{{/* Backend environment (contract names): (dict "ctx" $ "direct" false). The serving pods reach the
     database through RDS Proxy (backend.database.host); the migration Job, with "direct" true,
     reaches the instance itself (backend.database.direct): docs/ecomm-architecture.md. */}}
{{- define "ecomm.backendEnv" -}}
{{- $direct := .direct }}
{{- with .ctx }}
{{- $db := .Values.backend.database }}
{{- $target := ternary $db.direct $db $direct }}
- name: ECOMM_DB_USER
  valueFrom:
    secretKeyRef:
      name: {{ include "ecomm.dbSecretName" . }}
      key: username
- name: ECOMM_DB_PASSWORD
  valueFrom:
    secretKeyRef:
      name: {{ include "ecomm.dbSecretName" . }}
      key: password
- name: ECOMM_ADDR
  value: "0.0.0.0:{{ .Values.backend.port }}"
# The URL is built in the backend from these parts, every part percent-encoded (a rotated password
# may contain any character); TLS verify-full against the CA of what it connects to (caBundle).
- name: ECOMM_DB_HOST
  value: {{ $target.host | quote }}
- name: ECOMM_DB_PORT
  value: {{ $db.port | quote }}
- name: ECOMM_DB_NAME
  value: {{ $db.name | quote }}
- name: ECOMM_DB_SSLMODE
  value: {{ $db.sslmode | quote }}
- name: ECOMM_DB_SSLROOTCERT
  value: {{ $target.caBundle | quote }}
# RDS Proxy refuses startup `options`; the direct connection keeps them.
- name: ECOMM_DB_STARTUP_OPTIONS
  value: {{ ternary true $db.startupOptions $direct | toString | quote }}
- name: ECOMM_TRUSTED_PROXIES
  value: {{ join "," .Values.backend.security.trustedProxies | quote }}
- name: ECOMM_STORAGE_URL
  value: {{ printf "s3://%s?region=%s" .Values.backend.storage.bucket .Values.backend.storage.region | quote }}
- name: ECOMM_LOG_FORMAT
  value: {{ .Values.backend.env.logFormat | quote }}
- name: ECOMM_OTLP_ENDPOINT
  value: {{ .Values.backend.env.otlpEndpoint | quote }}
- name: ECOMM_COOKIE_SECURE
  value: {{ .Values.backend.env.cookieSecure | quote }}
- name: ECOMM_API_DOCS
  value: {{ .Values.backend.env.apiDocs | default "false" | quote }}
- name: RUST_LOG
  value: {{ .Values.backend.env.rustLog | quote }}
- name: AWS_REGION
  value: {{ .Values.backend.storage.region | quote }}
{{- if .Values.egressProxy.enabled }}
# HTTPS to the internet (Stripe) through the egress proxy; AWS (VPC endpoints), the cluster and
# the Pod Identity agent directly.
- name: HTTPS_PROXY
  value: {{ printf "http://%s-egress-proxy.%s.svc.cluster.local:%v" (include "ecomm.fullname" .) (include "ecomm.namespace" .) .Values.egressProxy.port | quote }}
- name: NO_PROXY
  value: {{ printf "%s,.amazonaws.com,.svc,.cluster.local,localhost,127.0.0.1" (trimSuffix "/32" .Values.networkPolicy.podIdentityAgentCidr) | quote }}
{{- end }}
{{- end }}
{{- end -}}
