// Every dashboard the project ships, and the file under grafana/dashboards/ its JSON is generated into.
import type { Dashboard } from '@grafana/grafana-foundation-sdk/dashboard';
import { alertingPipelineDashboard } from './alerting-pipeline/alerting-pipeline-dashboard.ts';
import { orderServiceDashboard } from './order-service/order-service-dashboard.ts';
import { runtimeDashboard } from './runtime/runtime-dashboard.ts';

export interface GeneratedDashboard {
  /** File name under grafana/dashboards/. */
  file: string;
  dashboard: Dashboard;
}

export function allDashboards(): GeneratedDashboard[] {
  return [
    { file: 'runtime.json', dashboard: runtimeDashboard().build() },
    { file: 'order-service.json', dashboard: orderServiceDashboard().build() },
    { file: 'alerting-pipeline.json', dashboard: alertingPipelineDashboard().build() },
  ];
}

/** The exact text written to disk (the committed JSON is compared against it). */
export function dashboardJson(dashboard: Dashboard): string {
  return `${JSON.stringify(dashboard, null, 2)}\n`;
}
