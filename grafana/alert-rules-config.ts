// What the dashboards take from the alert rules' own config (prometheus/alerting-config.ts): the job selectors, the
// thresholds to draw, the runbook links and the dashboard uids. Nothing here is a second copy of a number.
import { alerts, grafana, jobs, runbookUrl, runtimeJobs, type AlertName, type PagingSeverity } from '../prometheus/alerting-config.ts';
import type { AlertLine } from './building-blocks/alert-markers.ts';

export { jobs, runbookUrl, runtimeJobs };
export type { AlertName };

/** Stable dashboard uids: alerts' `dashboard_url`s, runbooks and bookmarks point at /d/<uid>; never change them. */
export const dashboardUids = grafana.dashboards;

/** The paging levels (warning, critical) of an alert: its thresholds, in the unit of its config. */
export function alertThresholdLines(alert: AlertName): AlertLine[] {
  const levels: Partial<Record<string, { threshold: number }>> = alerts[alert].levels;
  return (['warning', 'critical'] as const satisfies readonly PagingSeverity[]).flatMap((severity) => {
    const level = levels[severity];
    return level === undefined ? [] : [{ alert, severity, value: level.threshold }];
  });
}

/**
 * The thresholds of `alert` to draw on a panel whose axis has `unit`. A threshold in another unit would be drawn at
 * a wrong height, so that is an error when the dashboards are generated.
 */
export function alertLinesFor(alert: AlertName, unit: string): AlertLine[] {
  const config = alerts[alert];
  if (config.unit !== unit) {
    throw new Error(`alert ${alert}: its threshold is in ${config.unit} (${config.measures}), the panel's axis in ${unit}`);
  }
  return alertThresholdLines(alert);
}
