{{/*
Names, labels and the pieces every Deployment shares. Components are the four services
(registry-service, supervisor-service, process-service, gateway) and redis.
*/}}

{{- define "beamline.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/* The full name: the release name when it already contains the chart name, else <release>-<chart>. */}}
{{- define "beamline.fullname" -}}
{{- if .Values.fullnameOverride }}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- $name := default .Chart.Name .Values.nameOverride }}
{{- if contains $name .Release.Name }}
{{- .Release.Name | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- printf "%s-%s" .Release.Name $name | trunc 63 | trimSuffix "-" }}
{{- end }}
{{- end }}
{{- end }}

{{/* The name of one component's resources: (dict "root" $ "component" "process-service"). */}}
{{- define "beamline.componentName" -}}
{{- printf "%s-%s" (include "beamline.fullname" .root | trunc (int (sub 62 (len .component))) | trimSuffix "-") .component }}
{{- end }}

{{- define "beamline.chart" -}}
{{- printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/* Labels of every resource of the release. */}}
{{- define "beamline.labels" -}}
helm.sh/chart: {{ include "beamline.chart" . }}
app.kubernetes.io/name: {{ include "beamline.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
app.kubernetes.io/part-of: beamline
{{- end }}

{{/* Labels of one component's resources: (dict "root" $ "component" "gateway"). */}}
{{- define "beamline.componentLabels" -}}
{{ include "beamline.labels" .root }}
app.kubernetes.io/component: {{ .component }}
{{- end }}

{{/* Selector labels of one component's pods (never change them: Deployment selectors are immutable). */}}
{{- define "beamline.selectorLabels" -}}
app.kubernetes.io/name: {{ include "beamline.name" .root }}
app.kubernetes.io/instance: {{ .root.Release.Name }}
app.kubernetes.io/component: {{ .component }}
{{- end }}

{{- define "beamline.serviceAccountName" -}}
{{- if .Values.serviceAccount.create }}
{{- default (include "beamline.fullname" .) .Values.serviceAccount.name }}
{{- else }}
{{- default "default" .Values.serviceAccount.name }}
{{- end }}
{{- end }}

{{/* The image of one service: (dict "root" $ "component" "gateway"). */}}
{{- define "beamline.image" -}}
{{- printf "%s/%s:%s" (.root.Values.image.repository | trimSuffix "/") .component (.root.Values.image.tag | default .root.Chart.AppVersion) }}
{{- end }}

{{/* host:port of registry-service's RSocket server, through its ClusterIP Service. */}}
{{- define "beamline.registryAddress" -}}
{{- printf "%s:%v" (include "beamline.componentName" (dict "root" . "component" "registry-service")) .Values.registryService.ports.rsocket }}
{{- end }}

{{/*
host:port of supervisor-service's RSocket server, through its ClusterIP Service: the clients' entry point.
With several replicas the connection may land on a standby, whose answer names the leader's pod IP
(BEAMLINE_SUPERVISOR_LEASE_ADVERTISEDADDRESS); the clients follow it.
*/}}
{{- define "beamline.supervisorAddress" -}}
{{- printf "%s:%v" (include "beamline.componentName" (dict "root" . "component" "supervisor-service")) .Values.supervisorService.ports.rsocket }}
{{- end }}

{{- define "beamline.secretName" -}}
{{- include "beamline.fullname" . }}
{{- end }}

{{/* Whether the release has a Secret of its own: a Redis password or URL, or secretEnv entries. */}}
{{- define "beamline.secretNeeded" -}}
{{- if or .Values.redis.url (and .Values.redis.enabled (not .Values.redis.auth.existingSecret)) .Values.secretEnv }}true{{- end }}
{{- end }}

{{/* The Secret that holds the in-chart Redis's password. */}}
{{- define "beamline.redisPasswordSecret" -}}
{{- default (include "beamline.secretName" .) .Values.redis.auth.existingSecret }}
{{- end }}

{{/*
Checks the values and fails with a message that says what to change. Included by every
Deployment template, so `helm template` and `helm install` both stop on a bad combination.
*/}}
{{- define "beamline.validate" -}}
{{- if not (has .Values.store (list "memory" "redis")) }}
{{- fail (printf "store must be memory or redis, not %q" .Values.store) }}
{{- end }}
{{- if eq .Values.store "memory" }}
{{- if ne (int .Values.registryService.replicaCount) 1 }}
{{- fail (printf "registryService.replicaCount is %v, but with store: memory registry-service keeps its state in its own JVM and must run exactly 1 replica. Set registryService.replicaCount=1 (a shared Redis store comes with issue 5)." .Values.registryService.replicaCount) }}
{{- end }}
{{- if ne (int .Values.supervisorService.replicaCount) 1 }}
{{- fail (printf "supervisorService.replicaCount is %v, but with store: memory supervisor-service keeps its state in its own JVM and must run exactly 1 replica. Set supervisorService.replicaCount=1, or store: redis (its replicas then share Redis and elect a leader)." .Values.supervisorService.replicaCount) }}
{{- end }}
{{- end }}
{{- if and .Values.redis.enabled .Values.redis.url }}
{{- fail "set either redis.enabled (a Redis in this release) or redis.url (an external Redis), not both" }}
{{- end }}
{{- if and .Values.redis.enabled (not .Values.redis.auth.password) (not .Values.redis.auth.existingSecret) }}
{{- fail "redis.enabled needs a password: set redis.auth.password (URL-safe characters) or redis.auth.existingSecret" }}
{{- end }}
{{- if and (eq .Values.store "redis") (not .Values.redis.enabled) (not .Values.redis.url) }}
{{- fail "store: redis needs a Redis: set redis.enabled=true or redis.url=redis://..." }}
{{- end }}
{{- if le (int .Values.processService.terminationGracePeriodSeconds) (int .Values.processService.preStopSleepSeconds) }}
{{- fail "processService.terminationGracePeriodSeconds must exceed processService.preStopSleepSeconds, or the JVM is killed before it gets SIGTERM" }}
{{- end }}
{{- if le (int .Values.processService.terminationGracePeriodSeconds) (add (int .Values.processService.preStopSleepSeconds) (int .Values.processService.drainTimeoutSeconds)) }}
{{- fail "processService.terminationGracePeriodSeconds must exceed processService.preStopSleepSeconds + processService.drainTimeoutSeconds, or the node is killed while it drains" }}
{{- end }}
{{- end }}

{{/* Env of the store, for registry-service and supervisor-service. */}}
{{- define "beamline.storeEnv" -}}
- name: BEAMLINE_STORE
  value: {{ .Values.store | quote }}
{{- if eq .Values.store "redis" }}
{{- if .Values.redis.enabled }}
- name: REDIS_PASSWORD
  valueFrom:
    secretKeyRef:
      name: {{ include "beamline.redisPasswordSecret" . }}
      key: redis-password
- name: SPRING_DATA_REDIS_URL
  value: {{ printf "redis://:$(REDIS_PASSWORD)@%s:%v" (include "beamline.componentName" (dict "root" . "component" "redis")) .Values.redis.port | quote }}
{{- else }}
- name: SPRING_DATA_REDIS_URL
  valueFrom:
    secretKeyRef:
      name: {{ include "beamline.secretName" . }}
      key: redis-url
{{- end }}
{{- end }}
{{- end }}

{{/*
Env every service gets: its ports, JVM options (the service's own javaToolOptions, else the global
one), and the secretEnv entries. (dict "root" $ "values" .Values.registryService "http" 7101 "rsocket" 7100)
*/}}
{{- define "beamline.commonEnv" -}}
- name: SERVER_PORT
  value: {{ .http | quote }}
{{- if .rsocket }}
- name: SPRING_RSOCKET_SERVER_PORT
  value: {{ .rsocket | quote }}
{{- end }}
- name: JAVA_TOOL_OPTIONS
  value: {{ .values.javaToolOptions | default .root.Values.javaToolOptions | quote }}
{{- range $name, $_ := .root.Values.secretEnv }}
- name: {{ $name }}
  valueFrom:
    secretKeyRef:
      name: {{ include "beamline.secretName" $.root }}
      key: {{ printf "env-%s" $name }}
{{- end }}
{{- end }}

{{/* Probes on the actuator health groups of the HTTP port named "http". */}}
{{- define "beamline.probes" -}}
startupProbe:
  httpGet:
    path: /actuator/health/liveness
    port: http
  periodSeconds: {{ .Values.probes.startup.periodSeconds }}
  timeoutSeconds: {{ .Values.probes.startup.timeoutSeconds }}
  failureThreshold: {{ .Values.probes.startup.failureThreshold }}
livenessProbe:
  httpGet:
    path: /actuator/health/liveness
    port: http
  periodSeconds: {{ .Values.probes.liveness.periodSeconds }}
  timeoutSeconds: {{ .Values.probes.liveness.timeoutSeconds }}
  failureThreshold: {{ .Values.probes.liveness.failureThreshold }}
readinessProbe:
  httpGet:
    path: /actuator/health/readiness
    port: http
  periodSeconds: {{ .Values.probes.readiness.periodSeconds }}
  timeoutSeconds: {{ .Values.probes.readiness.timeoutSeconds }}
  failureThreshold: {{ .Values.probes.readiness.failureThreshold }}
{{- end }}

{{/* The pod-level settings every Deployment shares: (dict "root" $ "values" .Values.gateway). */}}
{{- define "beamline.podSettings" -}}
serviceAccountName: {{ include "beamline.serviceAccountName" .root }}
automountServiceAccountToken: {{ .root.Values.serviceAccount.automountServiceAccountToken }}
{{- with .root.Values.imagePullSecrets }}
imagePullSecrets:
  {{- toYaml . | nindent 2 }}
{{- end }}
securityContext:
  {{- toYaml .root.Values.podSecurityContext | nindent 2 }}
{{- with .values.nodeSelector }}
nodeSelector:
  {{- toYaml . | nindent 2 }}
{{- end }}
{{- with .values.tolerations }}
tolerations:
  {{- toYaml . | nindent 2 }}
{{- end }}
{{- with .values.affinity }}
affinity:
  {{- toYaml . | nindent 2 }}
{{- end }}
volumes:
  - name: tmp
    emptyDir:
      sizeLimit: {{ .root.Values.tmpSizeLimit }}
{{- end }}

{{/* Container settings every service shares: (dict "root" $ "values" .Values.gateway). */}}
{{- define "beamline.containerSettings" -}}
imagePullPolicy: {{ .root.Values.image.pullPolicy }}
securityContext:
  {{- toYaml .root.Values.containerSecurityContext | nindent 2 }}
resources:
  {{- toYaml .values.resources | nindent 2 }}
volumeMounts:
  - name: tmp
    mountPath: /tmp
{{- end }}
