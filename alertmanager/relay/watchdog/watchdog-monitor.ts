// The dead man's switch. Alertmanager sends an always-firing Watchdog alert to one receiver every repeat_interval;
// if none arrives for `missingAfterSeconds`, something before the relay (Prometheus, its rules, Alertmanager, the
// network) is broken and no other alert can page, so the relay pages itself through the outbox like any other
// notification, and sends the resolution once the heartbeat is back. The last heartbeat and the alarm are kept in
// the outbox's state table, so a restart neither forgets an alarm nor raises a false one at once.
import type { Logger } from 'pino';
import type { RelayConfig } from '../config.ts';
import type { WebhookPayload } from '../intake/webhook-payload.ts';
import type { OutboxStore } from '../outbox/outbox-store.ts';
import type { OutboxWriter } from '../outbox/outbox-writer.ts';
import type { RoutedDelivery } from '../routing.ts';

type WatchdogConfig = NonNullable<RelayConfig['watchdog']>;

interface WatchdogState {
  lastSeen: number;
  /** When the current alarm was raised; undefined when none is raised. */
  alarmedAt: number | undefined;
}

export const watchdogAlertName = 'WatchdogHeartbeatMissing';

export class WatchdogMonitor {
  readonly #config: WatchdogConfig;
  readonly #store: OutboxStore;
  readonly #writer: OutboxWriter;
  readonly #logger: Logger;
  readonly #stored: (deliveries: readonly RoutedDelivery[]) => void;
  readonly #stateKey: string;
  #state: WatchdogState;
  #timer: NodeJS.Timeout | undefined;
  #busy = false;

  constructor(options: { config: WatchdogConfig; store: OutboxStore; writer: OutboxWriter; logger: Logger; stored: (deliveries: readonly RoutedDelivery[]) => void; now?: number }) {
    this.#config = options.config;
    this.#store = options.store;
    this.#writer = options.writer;
    this.#logger = options.logger;
    this.#stored = options.stored;
    this.#stateKey = `watchdog:${options.config.receiver}`;
    const now = options.now ?? Date.now();
    const saved = this.#store.getState<WatchdogState>(this.#stateKey);
    // The relay itself was down meanwhile: count the heartbeat's absence from this start, not from before.
    this.#state = { lastSeen: Math.max(saved?.lastSeen ?? 0, now), alarmedAt: saved?.alarmedAt };
  }

  get receiver(): string {
    return this.#config.receiver;
  }

  get lastSeen(): number {
    return this.#state.lastSeen;
  }

  start(): void {
    const everyMs = Math.max(50, Math.min(15_000, (this.#config.missingAfterSeconds * 1000) / 4));
    this.#timer = setInterval(() => void this.check(), everyMs);
    this.#timer.unref();
  }

  stop(): void {
    clearInterval(this.#timer);
  }

  /** A webhook for the watchdog receiver arrived. */
  async seen(now = Date.now()): Promise<void> {
    this.#state.lastSeen = now;
    this.#save();
    if (this.#state.alarmedAt !== undefined) await this.#raise('resolved', now);
  }

  async check(now = Date.now()): Promise<void> {
    if (this.#state.alarmedAt !== undefined || now - this.#state.lastSeen < this.#config.missingAfterSeconds * 1000) return;
    await this.#raise('firing', now);
  }

  #save(): void {
    try {
      this.#store.putState(this.#stateKey, this.#state);
    } catch (error) {
      this.#logger.warn({ err: error }, 'cannot save the watchdog state');
    }
  }

  async #raise(status: 'firing' | 'resolved', now: number): Promise<void> {
    if (this.#busy) return;
    this.#busy = true;
    try {
      const alarmedAt = status === 'firing' ? now : this.#state.alarmedAt!;
      const payload = this.#payload(status, alarmedAt, now);
      const deliveries: RoutedDelivery[] = [
        ...this.#config.slack.map((destination) => ({ channel: 'slack' as const, destination, alertIndexes: undefined })),
        ...this.#config.email.map((destination) => ({ channel: 'email' as const, destination, alertIndexes: undefined })),
      ];
      await this.#writer.accept({ dedupKey: `watchdog:${this.#config.receiver}:${alarmedAt}:${status}`, receivedAt: now, payload, deliveries });
      this.#state.alarmedAt = status === 'firing' ? alarmedAt : undefined;
      this.#save();
      this.#stored(deliveries);
      const silentForS = Math.round((now - this.#state.lastSeen) / 1000);
      if (status === 'firing') this.#logger.error({ receiver: this.#config.receiver, silentForS }, 'watchdog heartbeat missing: paging');
      else this.#logger.info({ receiver: this.#config.receiver }, 'watchdog heartbeat back: resolved');
    } catch (error) {
      this.#logger.error({ err: error }, 'cannot store the watchdog notification; will try again');
    } finally {
      this.#busy = false;
    }
  }

  #payload(status: 'firing' | 'resolved', alarmedAt: number, now: number): WebhookPayload {
    const minutes = Math.round(this.#config.missingAfterSeconds / 60);
    const labels = { alertname: watchdogAlertName, severity: 'critical', receiver: this.#config.receiver };
    return {
      version: '4',
      groupKey: `alert-relay/watchdog/${this.#config.receiver}`,
      truncatedAlerts: 0,
      status,
      receiver: 'alert-relay-watchdog',
      groupLabels: { alertname: watchdogAlertName },
      commonLabels: labels,
      commonAnnotations: {},
      externalURL: '',
      alerts: [
        {
          status,
          labels,
          annotations: {
            summary: 'No Watchdog heartbeat from Alertmanager: alerts cannot page.',
            description: `The always-firing Watchdog alert has not reached the relay (receiver ${this.#config.receiver}) for over ${minutes} min. Prometheus, its rules or Alertmanager may be down or cut off; until fixed, no other alert will page.`,
          },
          startsAt: new Date(alarmedAt).toISOString(),
          endsAt: status === 'resolved' ? new Date(now).toISOString() : '0001-01-01T00:00:00Z',
          generatorURL: '',
          fingerprint: `alert-relay-watchdog-${this.#config.receiver}`,
        },
      ],
    };
  }
}
