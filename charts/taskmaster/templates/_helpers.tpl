{{/*
Helpers take a context made with (dict "root" $ "component" "backend"): the
chart's root context and the component (backend, frontend or test).
*/}}

{{/* The name of a component's objects: <release>-<component>. */}}
{{- define "taskmaster.componentName" -}}
{{- printf "%s-%s" .root.Release.Name .component | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{/*
Labels that pick a component's pods. Selectors are immutable, so these never
change between chart or app versions.
*/}}
{{- define "taskmaster.selectorLabels" -}}
app.kubernetes.io/name: {{ .root.Chart.Name }}
app.kubernetes.io/instance: {{ .root.Release.Name }}
app.kubernetes.io/component: {{ .component }}
{{- end -}}

{{/* The recommended labels, on every object and pod. */}}
{{- define "taskmaster.labels" -}}
{{ include "taskmaster.selectorLabels" . }}
app.kubernetes.io/version: {{ .root.Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .root.Release.Service }}
helm.sh/chart: {{ printf "%s-%s" .root.Chart.Name .root.Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{- end -}}

{{/* A component's image: repository and tag, the tag defaulting to appVersion. */}}
{{- define "taskmaster.image" -}}
{{- $image := (index .root.Values .component).image -}}
{{- printf "%s:%s" $image.repository (default .root.Chart.AppVersion $image.tag) -}}
{{- end -}}

{{/* The Secret the backend reads. */}}
{{- define "taskmaster.secretName" -}}
{{- if .Values.secrets.create -}}
{{- printf "%s-secret" .Release.Name | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- required "secrets.existingSecret must name the Secret that holds the backend's secrets (or set secrets.create=true)" .Values.secrets.existingSecret -}}
{{- end -}}
{{- end -}}

{{/*
Pod security for the "restricted" Pod Security Standard: a numeric non-root
user, and the runtime's default seccomp profile. Takes the user ID.
*/}}
{{- define "taskmaster.podSecurityContext" -}}
runAsNonRoot: true
runAsUser: {{ . }}
runAsGroup: {{ . }}
fsGroup: {{ . }}
seccompProfile:
  type: RuntimeDefault
{{- end -}}

{{- define "taskmaster.containerSecurityContext" -}}
allowPrivilegeEscalation: false
readOnlyRootFilesystem: true
runAsNonRoot: true
capabilities:
  drop:
    - ALL
{{- end -}}

{{/* The backend's ConfigMap data: the user's settings, then what the chart fixes. */}}
{{- define "taskmaster.backendConfig" -}}
{{- $data := merge (dict "PORT" "8000") .Values.backend.config -}}
{{- range $key, $value := $data }}
{{ $key }}: {{ $value | toString | quote }}
{{- end -}}
{{- end -}}

{{- define "taskmaster.frontendConfig" -}}
{{- $backend := include "taskmaster.componentName" (dict "root" . "component" "backend") -}}
{{- $apiUrl := default (printf "http://%s:%d" $backend (int .Values.backend.service.port)) .Values.frontend.apiUrl -}}
{{- $data := merge (dict "PORT" "3000" "HOSTNAME" "0.0.0.0" "API_URL" $apiUrl) .Values.frontend.config -}}
{{- range $key, $value := $data }}
{{ $key }}: {{ $value | toString | quote }}
{{- end -}}
{{- end -}}
