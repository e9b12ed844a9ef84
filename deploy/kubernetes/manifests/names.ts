// Names, labels and ports the Kubernetes objects share. Ports come from the processes' own defaults and job names
// from the rules' selectors, so a Service, its ServiceMonitor and the alert rules cannot disagree.
import { jobs } from '../../../prometheus/alerting-config.ts';

/** The namespace the overlays deploy the app into; Alertmanager's webhook URLs name it (alertmanager-routing.ts). */
export const appNamespace = 'orders';
/** Where kube-prometheus-stack runs (its Alertmanager reads the routing Secret from here). */
export const monitoringNamespace = 'monitoring';
/**
 * The label kube-prometheus-stack's Prometheus selects ServiceMonitors and PrometheusRules by (its Helm release
 * name). kube-prometheus-stack-values.yaml also turns that selection off; keeping the label works either way.
 */
export const prometheusSelectorLabels = { release: 'kube-prometheus-stack' } as const;

/** The image built by the repository's Dockerfile; overlays pin the tag (kustomize `images:`). */
export const image = 'node-runtime-observability:0.1.0';

export const partOf = 'node-runtime-observability';

/**
 * ServiceMonitor targets get `job` = the Service's name, and every rule selects its series by job
 * (prometheus/thresholds.ts), so the Services are named after the jobs.
 */
export const orderService = {
  name: jobs.orderService,
  httpPort: 8080, // service/config.ts PORT default
  metricsPort: 9464, // service/config.ts METRICS_PORT default
} as const;

export const relay = {
  name: jobs.relay,
  port: 9095, // relay.example.yml listen.port default; /metrics, /healthz, /readyz and the webhook share it
  webhookPath: '/alertmanager/webhook',
  configDir: '/etc/alert-relay',
  secretsDir: '/etc/alert-relay/secrets',
  dataDir: '/var/lib/alert-relay',
} as const;

export function selectorLabels(component: string): Record<string, string> {
  return { 'app.kubernetes.io/name': component, 'app.kubernetes.io/part-of': partOf };
}

export function commonLabels(component: string): Record<string, string> {
  return { ...selectorLabels(component), 'app.kubernetes.io/component': component === relay.name ? 'alerting' : 'api' };
}
