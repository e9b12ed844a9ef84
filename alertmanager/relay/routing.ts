// Which destinations a notification goes to: the config maps an Alertmanager receiver to routes, each optionally
// narrowed by label matchers tested against each alert; a destination gets only the alerts that matched.
import type { LabelMatcher, RelayConfig, Route } from './config.ts';
import type { WebhookPayload } from './intake/webhook-payload.ts';

export type Channel = 'slack' | 'email';

export interface RoutedDelivery {
  channel: Channel;
  /** Destination name in the config (unique within its channel). */
  destination: string;
  /** Indexes into payload.alerts of the alerts it gets; undefined = all of them. */
  alertIndexes: number[] | undefined;
}

export type RoutingResult = { ok: true; deliveries: RoutedDelivery[] } | { ok: false; error: string };

function matches(matcher: LabelMatcher, value: string | undefined): boolean {
  const v = value ?? '';
  if (typeof matcher === 'string') return v === matcher;
  if ('regex' in matcher) return new RegExp(`^(?:${matcher.regex})$`).test(v);
  return v !== matcher.notEqual;
}

export function routeMatches(route: Route, labels: Record<string, string>): boolean {
  return Object.entries(route.matchers).every(([label, m]) => matches(m, labels[label]));
}

export function routeNotification(config: Pick<RelayConfig, 'receivers'>, payload: WebhookPayload): RoutingResult {
  const routes = config.receivers.get(payload.receiver);
  if (!routes) return { ok: false, error: `receiver "${payload.receiver}" is not configured in the relay (receivers:)` };
  const byDestination = new Map<string, { channel: Channel; destination: string; indexes: Set<number> }>();
  for (const route of routes) {
    const indexes = payload.alerts.flatMap((alert, i) => (routeMatches(route, alert.labels) ? [i] : []));
    if (indexes.length === 0) continue;
    const targets: Array<[Channel, string]> = [...route.slack.map((d) => ['slack', d] as [Channel, string]), ...route.email.map((d) => ['email', d] as [Channel, string])];
    for (const [channel, destination] of targets) {
      const key = `${channel}:${destination}`;
      const entry = byDestination.get(key) ?? { channel, destination, indexes: new Set<number>() };
      for (const i of indexes) entry.indexes.add(i);
      byDestination.set(key, entry);
    }
  }
  const deliveries = [...byDestination.values()].map(({ channel, destination, indexes }) => ({
    channel,
    destination,
    alertIndexes: indexes.size === payload.alerts.length ? undefined : [...indexes].sort((a, b) => a - b),
  }));
  return { ok: true, deliveries };
}
