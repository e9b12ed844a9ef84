// Which groups go into which generated rule file (prometheus.yml loads rules/*.yml), rendered as YAML.
import { stringify } from 'yaml';
import { orderServiceAlerts } from './order-service-alerts.ts';
import { pipelineAlerts } from './pipeline-alerts.ts';
import { runtimeRecords, trafficRecords } from './recording-rules.ts';
import type { RuleFile } from './rule-types.ts';
import { runtimeAlerts } from './runtime-alerts.ts';

// Recording rules first in the group of the alerts that read them (see recording-rules.ts): one group per
// component, so an alert never waits an extra evaluation interval for its recorded input.
export const ruleFiles: Record<string, RuleFile> = {
  'rules/runtime-alerts.yml': { groups: [{ name: runtimeAlerts.name, rules: [...runtimeRecords, ...runtimeAlerts.rules] }] },
  'rules/order-service-alerts.yml': { groups: [{ name: orderServiceAlerts.name, rules: [...trafficRecords, ...orderServiceAlerts.rules] }] },
  'rules/pipeline-alerts.yml': { groups: [pipelineAlerts] },
};

export const generatedHeaderStart = '# Generated from ';
export const generatedHeader = (source: string): string =>
  `${generatedHeaderStart}${source} by \`npm run rules\`; edit the TypeScript and regenerate, never this file.\n`;

/** YAML as committed: long PromQL kept on one line so diffs stay readable. */
export function toYaml(value: unknown, source: string): string {
  return generatedHeader(source) + stringify(value, { lineWidth: 0 });
}
