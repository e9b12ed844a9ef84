// Builds an alert's rules, one per severity level in prometheus/alerting-config.ts, with the labels and annotations
// every alert carries: severity and service labels; summary, description, runbook_url and dashboard_url
// annotations. The level's threshold goes into both the expression and the text.
import { alerts, dashboardUrl, runbookUrl, type AlertConfig, type AlertName, type Level, type Severity } from '../alerting-config.ts';
import type { AlertingRule } from './rule-types.ts';

export interface AlertDefinition {
  /** The PromQL for one level, given its threshold. */
  expr: (threshold: number, severity: Severity) => string;
  /** A static sentence, capital first, ending with a period. */
  summary: string;
  /** Templated; names the instance (or what failed) and the value. `threshold` is the level's, already formatted. */
  description: (threshold: string, severity: Severity) => string;
  /** Formats a threshold for the description (default: as is). */
  formatThreshold?: (threshold: number) => string;
  /** `service` label; the scrape job by default, so grouping by alertname+service follows the component. */
  service?: string;
  /** False for alerts about a whole job, not one instance. */
  perInstance?: boolean;
}

export const percent = (ratio: number): string => `${Number((ratio * 100).toFixed(2))}%`;
export const seconds = (value: number): string => `${value}s`;
export const perSecond = (value: number): string => `${value}/s`;

const severityOrder: Severity[] = ['critical', 'warning', 'info'];

/** The alerting rules of one alert: one rule per severity level its config defines, critical first. */
export function rulesPerLevel(name: AlertName, definition: AlertDefinition): AlertingRule[] {
  const config: AlertConfig = alerts[name];
  const levels: Partial<Record<Severity, Level>> = config.levels;
  const format = definition.formatThreshold ?? String;
  return severityOrder.flatMap((severity) => {
    const level = levels[severity];
    if (level === undefined) return [];
    return [
      {
        alert: name,
        expr: definition.expr(level.threshold, severity),
        for: level.for,
        ...(config.keepFiringFor !== undefined ? { keep_firing_for: config.keepFiringFor } : {}),
        labels: { severity, service: definition.service ?? '{{ $labels.job }}' },
        annotations: {
          summary: definition.summary,
          description: definition.description(format(level.threshold), severity),
          runbook_url: runbookUrl(name),
          dashboard_url: dashboardUrl(config.dashboard, {
            perInstance: definition.perInstance !== false,
            ...(config.panel !== undefined ? { panelId: config.panel } : {}),
          }),
        },
      },
    ];
  });
}
