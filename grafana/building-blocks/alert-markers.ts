// How a panel shows the alert rules that watch what it draws: the threshold as a dashed line (in the panel's own
// unit), or as a series (a share of a limit on a bytes axis), and a link to each alert's runbook section.
import { DashboardLinkBuilder } from '@grafana/grafana-foundation-sdk/dashboard';
import type { Query } from './prometheus-queries.ts';

export type AlertSeverity = 'warning' | 'critical';

/** An alert threshold, in the unit of the alert's config. */
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

/** The legend of a series that draws an alert level. */
export function alertLevelLegend(line: AlertLine, of: string): string {
  return `${line.alert} ${line.severity} (${Math.round(line.value * 100)}% of ${of})`;
}

/**
 * Alerts whose threshold is a share of a limit (heap, container memory), drawn on a bytes axis as the limit times
 * the threshold: one dashed series per level.
 */
export function shareOfLimitQueries(lines: readonly AlertLine[], limitExpr: string, of: string): Query[] {
  return lines.map((line) => ({ expr: `${limitExpr} * ${line.value}`, legend: alertLevelLegend(line, of) }));
}
