// How a panel shows the alert rules that watch what it draws: the threshold as a dashed line (in the panel's own
// unit) and a link to each alert's runbook section.
import { DashboardLinkBuilder } from '@grafana/grafana-foundation-sdk/dashboard';

export type AlertSeverity = 'warning' | 'critical';

/** An alert threshold drawn on a panel, in the unit of the panel's axis. */
export interface AlertLine {
  alert: string;
  severity: AlertSeverity;
  value: number;
}

export const severityColor: Record<AlertSeverity, string> = { warning: 'orange', critical: 'red' };

/** Panel links to the runbook sections of the alerts that point at this panel, in the order given. */
export function runbookLinks(alerts: readonly string[], runbookUrl: (alert: string) => string): DashboardLinkBuilder[] {
  return alerts.map((alert) => new DashboardLinkBuilder(`Runbook: ${alert}`).url(runbookUrl(alert)).targetBlank(true));
}
