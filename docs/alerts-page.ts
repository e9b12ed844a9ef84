// docs/alerts.md: the alert and recording rule catalogue, rendered from the rule definitions (prometheus/rules/).
import { alertingRules, recordingRules } from '../prometheus/rule-catalogue.ts';
import type { AlertingRule } from '../prometheus/rules/rule-types.ts';
import { cell, generatedNotice, table } from './markdown.ts';

/** The runbook section as a link that works inside the repository (the rule's own URL points at the hosted copy). */
function runbookLink(rule: AlertingRule): string {
  const url = new URL(rule.annotations.runbook_url);
  const path = /\/blob\/[^/]+\/(.+)$/.exec(url.pathname)?.[1];
  return path === undefined ? `[runbook](${url.href})` : `[runbook](../${path}${url.hash})`;
}

export function alertsPage(): string {
  const alerts = alertingRules();
  const records = recordingRules();
  return [
    generatedNotice('prometheus/rules/*.ts (through prometheus/rule-catalogue.ts)'),
    '# Alert catalogue',
    '',
    `Every alerting rule Prometheus loads (${alerts.length} rules; warning and critical twins share a name), as`,
    '`npm run rules` generates them into `prometheus/rules/*.yml`. `critical` pages on-call in Slack, `warning` goes',
    'to the team\'s email digest, `info` is not sent ([alerting.md](alerting.md)). The levels live in one config',
    '(`prometheus/alerting-config.ts`); each alert also links to the dashboard panel that draws what it measures.',
    '',
    table(
      ['alert', 'severity', 'for', 'summary', 'runbook'],
      alerts.map((rule) => [`\`${rule.alert}\``, rule.labels.severity, rule.for, cell(rule.annotations.summary), runbookLink(rule)]),
    ),
    '',
    '## Expressions',
    '',
    table(
      ['alert', 'severity', 'fires when'],
      alerts.map((rule) => [`\`${rule.alert}\``, rule.labels.severity, cell(`\`${rule.expr}\``)]),
    ),
    '',
    '## Recording rules',
    '',
    'Named `level:metric:operations`; the alerts and dashboards read these.',
    '',
    table(
      ['record', 'expression'],
      records.map((rule) => [`\`${rule.record}\``, cell(`\`${rule.expr}\``)]),
    ),
    '',
  ].join('\n');
}
