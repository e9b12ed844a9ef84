// Which escalation applies to a page: the first route of its receiver that delivers it to this Slack destination,
// matches one of its alerts and has an escalation for the page's severity.
import type { EscalationPolicy, RelayConfig } from '../config.ts';
import type { WebhookPayload } from '../intake/webhook-payload.ts';
import { routeMatches } from '../routing.ts';

export function escalationPolicyFor(config: Pick<RelayConfig, 'receivers'>, payload: WebhookPayload, slackDestination: string): EscalationPolicy | undefined {
  if (payload.status !== 'firing') return undefined;
  for (const route of config.receivers.get(payload.receiver) ?? []) {
    if (!route.escalation || !route.slack.includes(slackDestination)) continue;
    const policy = route.escalation;
    const alerts = payload.alerts.filter((a) => a.status === 'firing' && routeMatches(route, a.labels));
    if (alerts.some((a) => policy.severities.includes(a.labels.severity ?? ''))) return policy;
  }
  return undefined;
}
