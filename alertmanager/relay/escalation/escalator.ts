// Escalates incidents nobody acknowledges. Each thread with an escalation has one row in the outbox saying the
// next step and when it is due; every second the due ones are taken: stopped when the incident was acknowledged or
// resolved, else the step's notification (the thread's latest, marked as an escalation) is stored for the step's
// destinations and, with repage, again for the thread itself, in the same transaction that moves the row on. So
// a step happens once, and a kill before the commit only delays it to the next start.
import type { Logger } from 'pino';
import type { RelayConfig } from '../config.ts';
import type { RelayMetrics } from '../metrics.ts';
import type { OutboxStore, PendingEscalation } from '../outbox/outbox-store.ts';
import type { RoutedDelivery } from '../routing.ts';

export interface EscalatorDeps {
  store: OutboxStore;
  config: () => RelayConfig;
  metrics: RelayMetrics;
  logger: Logger;
  /** Wakes the workers of these deliveries. */
  stored: (deliveries: readonly RoutedDelivery[]) => void;
  tickMs?: number;
}

export class Escalator {
  readonly #d: EscalatorDeps;
  #timer: NodeJS.Timeout | undefined;

  constructor(deps: EscalatorDeps) {
    this.#d = deps;
  }

  start(): void {
    this.#timer ??= setInterval(() => this.tick(), this.#d.tickMs ?? 1000);
    this.#timer.unref();
  }

  stop(): void {
    clearInterval(this.#timer);
    this.#timer = undefined;
  }

  /** Takes every step that is due now. */
  tick(now = Date.now()): void {
    let due: PendingEscalation[];
    try {
      due = this.#d.store.dueEscalations(now);
    } catch (error) {
      this.#d.logger.error({ err: error }, 'cannot read escalations from the outbox');
      return;
    }
    for (const e of due) {
      try {
        this.#step(e, now);
      } catch (error) {
        this.#d.logger.error({ err: error, threadId: e.threadId }, 'escalation step failed; tried again next tick');
      }
    }
  }

  #step(e: PendingEscalation, now: number): void {
    const { store, metrics, logger } = this.#d;
    const thread = store.thread(e.threadId);
    if (!thread || thread.ackedBy !== undefined || thread.state === 'resolved') {
      store.stopEscalation(e.threadId, now);
      return;
    }
    const config = this.#d.config();
    const step = e.policy.steps[e.nextStep - 1];
    const steps = e.policy.steps.length;
    const known = (channel: 'slack' | 'email', name: string): boolean => (channel === 'slack' ? config.slack.has(name) : config.email.has(name));
    const targets: Array<[RoutedDelivery['channel'], string]> = [
      ...(e.policy.repage ? [['slack', thread.destination] as [RoutedDelivery['channel'], string]] : []),
      ...(step?.slack ?? []).map((d) => ['slack', d] as [RoutedDelivery['channel'], string]),
      ...(step?.email ?? []).map((d) => ['email', d] as [RoutedDelivery['channel'], string]),
    ];
    const deliveries: RoutedDelivery[] = [];
    for (const [channel, destination] of targets) {
      if (!known(channel, destination)) {
        logger.error({ channel, destination, step: e.nextStep }, 'escalation destination no longer configured; skipped');
        continue;
      }
      if (!deliveries.some((d) => d.channel === channel && d.destination === destination)) deliveries.push({ channel, destination, alertIndexes: thread.alertIndexes });
    }
    const payload = { ...thread.payload, escalation: { step: e.nextStep, steps, unacknowledgedSeconds: Math.round((now - thread.createdAt) / 1000) } };
    const nextDueAt = e.nextStep < steps ? e.dueAt + e.policy.afterSeconds * 1000 : undefined;
    if (!store.takeEscalationStep(e.threadId, e.nextStep, nextDueAt, { receivedAt: now, payload, deliveries })) return;
    metrics.escalations.inc({ step: String(e.nextStep) });
    logger.warn({ thread: thread.ts, destination: thread.destination, step: e.nextStep, of: steps, to: deliveries.map((d) => `${d.channel}:${d.destination}`) }, 'incident not acknowledged: escalated');
    this.#d.stored(deliveries);
  }
}
