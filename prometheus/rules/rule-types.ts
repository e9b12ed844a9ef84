// The shape of a Prometheus rule file, as the generators build it and `promtool check rules` reads it.
import type { Duration, Severity } from '../alerting-config.ts';

export interface RecordingRule {
  record: string;
  expr: string;
}

export interface AlertingRule {
  alert: string;
  expr: string;
  for: Duration;
  keep_firing_for?: Duration;
  labels: { severity: Severity; service: string };
  annotations: { summary: string; description: string; runbook_url: string; dashboard_url: string };
}

export interface RuleGroup<R> {
  name: string;
  rules: R[];
}

export interface RuleFile {
  groups: Array<RuleGroup<RecordingRule | AlertingRule>>;
}
