// What the Prometheus Operator reads: ServiceMonitors for the order service and the relay, and the project's rule
// files as PrometheusRule objects (the same groups as prometheus/rules/*.yml, built from the same TypeScript).
import { basename } from 'node:path';
import type { IPrometheusRule } from '@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1/PrometheusRule';
import type { IServiceMonitor } from '@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1/ServiceMonitor';
import type { RuleFile } from '../../../prometheus/rules/rule-types.ts';
import { intervals } from '../../../prometheus/alerting-config.ts';
import { commonLabels, orderService, prometheusSelectorLabels, relay, selectorLabels } from './names.ts';

/**
 * Scraped as often as prometheus/prometheus.yml does: the rules' `for` durations and the time-to-page budget
 * assume it. The job label is the Service's name (the operator's default), which is the job the rules select.
 */
function serviceMonitor(name: string, port: string): IServiceMonitor {
  return {
    apiVersion: 'monitoring.coreos.com/v1',
    kind: 'ServiceMonitor',
    metadata: { name, labels: { ...commonLabels(name), ...prometheusSelectorLabels } },
    spec: {
      selector: { matchLabels: selectorLabels(name) },
      endpoints: [{ port, path: '/metrics', interval: intervals.scrape, scrapeTimeout: '4s' }],
    },
  };
}

export function serviceMonitors(): IServiceMonitor[] {
  return [serviceMonitor(orderService.name, 'metrics'), serviceMonitor(relay.name, 'http')];
}

/** One PrometheusRule per rule file, named after it (rules/runtime-alerts.yml -> runtime-alerts). */
export function prometheusRules(ruleFiles: Record<string, RuleFile>): IPrometheusRule[] {
  return Object.entries(ruleFiles).map(([path, file]) => {
    const name = basename(path, '.yml');
    return {
      apiVersion: 'monitoring.coreos.com/v1',
      kind: 'PrometheusRule',
      metadata: { name, labels: { 'app.kubernetes.io/part-of': 'node-runtime-observability', ...prometheusSelectorLabels } },
      // A structured copy of the groups: the exact objects prometheus/rules/*.yml are written from.
      spec: structuredClone(file) as IPrometheusRule['spec'],
    };
  });
}
