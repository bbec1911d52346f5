package benchgen

import "fmt"

// chartObjects is what the in-repo chart renders per release.
const chartObjects = 4

// chart writes charts/web: a small chart like the ones teams keep beside their manifests.
func (g *gen) chart() {
	g.write("charts/web/Chart.yaml", "apiVersion: v2\nname: web\nversion: 0.3.0\nappVersion: \"1.0.0\"\n")
	g.write("charts/web/values.yaml", `replicas: 2
image:
  repository: `+Registry+`/bench/web
  tag: "1.0.0"
port: 8080
`)
	g.write("charts/web/templates/_helpers.tpl", `{{- define "web.labels" -}}
app.kubernetes.io/name: {{ .Release.Name }}
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/part-of: bench
app.kubernetes.io/managed-by: Helm
{{- end }}
{{- define "web.selector" -}}
app.kubernetes.io/name: {{ .Release.Name }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end }}
`)
	g.write("charts/web/templates/deployment.yaml", `apiVersion: apps/v1
kind: Deployment
metadata:
  name: {{ .Release.Name }}
  labels: {{- include "web.labels" . | nindent 4 }}
spec:
  replicas: {{ .Values.replicas }}
  selector:
    matchLabels: {{- include "web.selector" . | nindent 6 }}
  template:
    metadata:
      labels: {{- include "web.labels" . | nindent 8 }}
    spec:
      automountServiceAccountToken: false
      securityContext:
        runAsNonRoot: true
        seccompProfile:
          type: RuntimeDefault
      containers:
      - name: web
        image: "{{ .Values.image.repository }}:{{ .Values.image.tag }}"
        ports:
        - name: http
          containerPort: {{ .Values.port }}
        resources:
          requests: {cpu: 50m, memory: 64Mi}
          limits: {cpu: 250m, memory: 128Mi}
        securityContext:
          allowPrivilegeEscalation: false
          readOnlyRootFilesystem: true
          runAsNonRoot: true
          runAsUser: 65532
          capabilities:
            drop: [ALL]
          seccompProfile:
            type: RuntimeDefault
`)
	g.write("charts/web/templates/service.yaml", `apiVersion: v1
kind: Service
metadata:
  name: {{ .Release.Name }}
  labels: {{- include "web.labels" . | nindent 4 }}
spec:
  selector: {{- include "web.selector" . | nindent 4 }}
  ports:
  - name: http
    port: 80
    targetPort: http
`)
	g.write("charts/web/templates/pdb.yaml", `apiVersion: policy/v1
kind: PodDisruptionBudget
metadata:
  name: {{ .Release.Name }}
  labels: {{- include "web.labels" . | nindent 4 }}
spec:
  maxUnavailable: 1
  selector:
    matchLabels: {{- include "web.selector" . | nindent 6 }}
`)
	g.write("charts/web/templates/networkpolicy.yaml", `apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata:
  name: {{ .Release.Name }}
  labels: {{- include "web.labels" . | nindent 4 }}
spec:
  podSelector:
    matchLabels: {{- include "web.selector" . | nindent 6 }}
  policyTypes: [Ingress, Egress]
`)
}

// helmRelease is a HelmRelease of the in-repo chart, installed into its own namespace.
func helmRelease(name, env string, replicas int) string {
	return fmt.Sprintf(`apiVersion: helm.toolkit.fluxcd.io/v2
kind: HelmRelease
metadata:
  name: %[1]s
  namespace: flux-system
spec:
  interval: 10m0s
  releaseName: %[1]s
  targetNamespace: %[1]s
  install:
    createNamespace: true
  chart:
    spec:
      chart: ./charts/web
      sourceRef:
        kind: GitRepository
        name: flux-system
  values:
    replicas: %[3]d
    image:
      tag: "1.%[3]d.0"
`, name, env, replicas)
}
