// The relay's own metrics (docs/relay.md, "Metrics"; docs/docs.test.ts keeps that table equal to this registry), on its
// /metrics beside the runtime metrics of the telemetry module (service/telemetry/), the same as every Node service's.
// One registry per relay instance, so tests can run several relays in one process.
import { Counter, Gauge, Histogram, Registry } from 'prom-client';
import { graphOutcomes } from './graphs/alert-graphs.ts';
import type { OutboxDepth } from './outbox/outbox-store.ts';
import type { Channel } from './routing.ts';

export type WebhookOutcome = 'accepted' | 'duplicate' | 'unauthorized' | 'invalid' | 'too_large' | 'overloaded';

const channels: Channel[] = ['slack', 'email'];

export interface RelayMetrics {
  registry: Registry;
  webhooksReceived: Counter<'outcome'>;
  deduplicated: Counter<'receiver'>;
  delivered: Counter<'channel'>;
  failed: Counter<'channel' | 'reason'>;
  deadLetters: Counter<'channel' | 'reason'>;
  deliveryLatency: Histogram<'channel'>;
  rateLimitWaits: Counter<'channel'>;
  graphs: Counter<'outcome'>;
  graphRenderSeconds: Histogram;
  slackInteractions: Counter<'outcome'>;
  acknowledgements: Counter;
  timeToAcknowledge: Histogram;
  silences: Counter<'outcome'>;
  escalations: Counter<'step'>;
}

export type InteractionOutcome = 'accepted' | 'forged' | 'stale' | 'replayed' | 'missing' | 'invalid';
const interactionOutcomes: InteractionOutcome[] = ['accepted', 'forged', 'stale', 'replayed', 'missing', 'invalid'];

/** `outboxDepth` and `watchdogLastSeen` are read at scrape time, so the gauges never drift from their source. */
export function createRelayMetrics(outboxDepth: () => OutboxDepth[], watchdogLastSeen: () => number | undefined = () => undefined): RelayMetrics {
  const registry = new Registry();
  const depthNow = (): Map<Channel, OutboxDepth> => new Map(outboxDepth().map((d) => [d.channel, d]));
  const metrics: RelayMetrics = {
    registry,
    webhooksReceived: new Counter({ name: 'alert_relay_webhooks_received_total', help: 'Webhook requests by what the relay answered.', labelNames: ['outcome'], registers: [registry] }),
    deduplicated: new Counter({ name: 'alert_relay_notifications_deduplicated_total', help: 'Notifications dropped as already seen within the dedup window.', labelNames: ['receiver'], registers: [registry] }),
    delivered: new Counter({ name: 'alert_relay_notifications_delivered_total', help: 'Deliveries that succeeded.', labelNames: ['channel'], registers: [registry] }),
    failed: new Counter({ name: 'alert_relay_notifications_failed_total', help: 'Delivery attempts that failed, retried or final.', labelNames: ['channel', 'reason'], registers: [registry] }),
    deadLetters: new Counter({ name: 'alert_relay_dead_letters_total', help: 'Deliveries given up for good (kept in the outbox as dead letters).', labelNames: ['channel', 'reason'], registers: [registry] }),
    deliveryLatency: new Histogram({
      name: 'alert_relay_delivery_latency_seconds',
      help: 'Time from intake to successful delivery.',
      labelNames: ['channel'],
      buckets: [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 900, 3600],
      registers: [registry],
    }),
    rateLimitWaits: new Counter({ name: 'alert_relay_rate_limit_waits_total', help: 'Sends held back by a rate limit or Retry-After.', labelNames: ['channel'], registers: [registry] }),
    graphs: new Counter({
      name: 'alert_relay_graphs_total',
      help: 'Alert graphs by outcome: rendered, or left out of the page (timeout: over the time budget; unreachable, http_error, query_error, bad_response: Prometheus; render_error; no_expression).',
      labelNames: ['outcome'],
      registers: [registry],
    }),
    graphRenderSeconds: new Histogram({
      name: 'alert_relay_graph_render_seconds',
      help: 'Time to draw one alert graph as a PNG (chart to SVG to PNG), without the Prometheus query.',
      buckets: [0.005, 0.01, 0.02, 0.05, 0.1, 0.2, 0.3, 0.5, 1, 2],
      registers: [registry],
    }),
    slackInteractions: new Counter({
      name: 'alert_relay_slack_interactions_total',
      help: 'Requests to the Slack interactivity endpoint: accepted, or refused 401 (forged: bad signature; stale: timestamp outside 5 minutes; replayed: seen before; missing: unsigned) or 400 (invalid payload).',
      labelNames: ['outcome'],
      registers: [registry],
    }),
    acknowledgements: new Counter({ name: 'alert_relay_acknowledgements_total', help: 'Incidents acknowledged from Slack (first acknowledgement of a thread).', registers: [registry] }),
    timeToAcknowledge: new Histogram({
      name: 'alert_relay_time_to_acknowledge_seconds',
      help: 'Time from the first page of an incident to its acknowledgement.',
      buckets: [30, 60, 120, 300, 600, 900, 1800, 3600, 7200, 14400],
      registers: [registry],
    }),
    silences: new Counter({ name: 'alert_relay_silences_total', help: 'Alertmanager silences from Slack buttons: created, or failed (Alertmanager refused or unreachable).', labelNames: ['outcome'], registers: [registry] }),
    escalations: new Counter({ name: 'alert_relay_escalations_total', help: 'Escalation steps taken for unacknowledged critical pages, by step (1 = first escalation).', labelNames: ['step'], registers: [registry] }),
  };
  new Gauge({
    name: 'alert_relay_outbox_depth',
    help: 'Deliveries stored and not yet delivered.',
    labelNames: ['channel'],
    registers: [registry],
    collect() {
      const depth = depthNow();
      for (const channel of channels) this.set({ channel }, depth.get(channel)?.depth ?? 0);
    },
  });
  new Gauge({
    name: 'alert_relay_outbox_oldest_age_seconds',
    help: 'Age of the oldest undelivered delivery (0 when none).',
    labelNames: ['channel'],
    registers: [registry],
    collect() {
      const depth = depthNow();
      const now = Date.now();
      for (const channel of channels) {
        const oldest = depth.get(channel)?.oldestCreatedAt;
        this.set({ channel }, oldest === undefined ? 0 : Math.max(0, (now - oldest) / 1000));
      }
    },
  });
  new Gauge({
    name: 'alert_relay_watchdog_last_heartbeat_timestamp_seconds',
    help: "Unix time of the last webhook for the watchdog receiver (or of the relay's start); absent without a watchdog.",
    registers: [registry],
    collect() {
      const lastSeen = watchdogLastSeen();
      if (lastSeen === undefined) this.reset();
      else this.set(lastSeen / 1000);
    },
  });
  // Zero the labelled counters so every series exists from the first scrape (rate() needs the zero).
  for (const outcome of ['accepted', 'duplicate', 'unauthorized', 'invalid', 'too_large', 'overloaded'] satisfies WebhookOutcome[]) metrics.webhooksReceived.inc({ outcome }, 0);
  for (const outcome of graphOutcomes) metrics.graphs.inc({ outcome }, 0);
  for (const outcome of interactionOutcomes) metrics.slackInteractions.inc({ outcome }, 0);
  for (const outcome of ['created', 'failed']) metrics.silences.inc({ outcome }, 0);
  for (const channel of channels) {
    metrics.delivered.inc({ channel }, 0);
    metrics.rateLimitWaits.inc({ channel }, 0);
  }
  return metrics;
}
