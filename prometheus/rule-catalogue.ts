// Reads the generated rules back as flat lists, for the lint tests and docs/alerts.md (npm run docs).
import { ruleFiles } from './rules/rule-files.ts';
import type { AlertingRule, RecordingRule } from './rules/rule-types.ts';

export function alertingRules(): AlertingRule[] {
  return Object.values(ruleFiles).flatMap((file) => file.groups.flatMap((group) => group.rules.filter((rule): rule is AlertingRule => 'alert' in rule)));
}

export function recordingRules(): RecordingRule[] {
  return Object.values(ruleFiles).flatMap((file) => file.groups.flatMap((group) => group.rules.filter((rule): rule is RecordingRule => 'record' in rule)));
}
