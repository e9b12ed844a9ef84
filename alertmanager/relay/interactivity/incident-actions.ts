// What the buttons do. Acknowledge: recorded once per incident in the outbox (who, when; the time to acknowledge
// is measured from the first page), told in the thread, the parent updated. Silence: one Alertmanager silence per
// firing alert of the group, matching all its labels, created by the Slack user, with a comment linking the
// message; told in the thread and remembered, so that its expiry or deletion is told there too (polled).
import type { Logger } from 'pino';
import { formatTime } from '../alert-view.ts';
import type { RelayMetrics } from '../metrics.ts';
import type { OutboxStore, SlackThread } from '../outbox/outbox-store.ts';
import type { SlackAppClient } from '../slack/slack-app-client.ts';
import { escapeMrkdwn } from '../slack/mrkdwn.ts';
import type { SlackMessage } from '../slack/slack-message.ts';
import { userMention } from '../slack/slack-thread-message.ts';
import { createSilence, identifyingMatchers, listSilences } from './alertmanager-silences.ts';

export interface SlackUser {
  id: string;
  name: string;
}

export interface IncidentActionsDeps {
  store: OutboxStore;
  client: (destination: string) => SlackAppClient | undefined;
  renderParent: (thread: SlackThread) => SlackMessage;
  alertmanagerUrl: () => string | undefined;
  metrics: RelayMetrics;
  logger: Logger;
  /** Called after an acknowledgement was recorded (stops escalation). */
  acknowledged?: (thread: SlackThread) => void;
}

const note = (text: string): SlackMessage => ({ text, blocks: [{ type: 'section', text: { type: 'mrkdwn', text } }], attachments: [] });

/** A link to the message in Slack (slack.com redirects an archives link to the workspace). */
export function messageLink(channel: string, ts: string): string {
  return `https://slack.com/archives/${encodeURIComponent(channel)}/p${ts.replace('.', '')}`;
}

export class IncidentActions {
  readonly #d: IncidentActionsDeps;

  constructor(deps: IncidentActionsDeps) {
    this.#d = deps;
  }

  async #tell(thread: SlackThread, text: string, updateParent: boolean): Promise<void> {
    const client = this.#d.client(thread.destination);
    if (!client) return;
    try {
      await client.post(note(text), thread.ts);
      if (updateParent) await client.update(thread.channel, thread.ts, this.#d.renderParent(this.#d.store.thread(thread.id) ?? thread));
    } catch (error) {
      this.#d.logger.warn({ err: error, destination: thread.destination }, 'cannot post the action in the Slack thread');
    }
  }

  async acknowledge(thread: SlackThread, user: SlackUser): Promise<void> {
    const now = Date.now();
    if (!this.#d.store.acknowledgeThread(thread.id, user.id, now)) return; // acknowledged before: once is enough
    this.#d.store.stopEscalation(thread.id, now);
    this.#d.metrics.acknowledgements.inc();
    this.#d.metrics.timeToAcknowledge.observe(Math.max(0, (now - thread.createdAt) / 1000));
    this.#d.logger.info({ destination: thread.destination, thread: thread.ts, user: user.id }, 'incident acknowledged');
    this.#d.acknowledged?.(thread);
    await this.#tell(thread, `👀 Acknowledged by ${userMention(user.id)} at ${formatTime(new Date(now))}`, true);
  }

  async silence(thread: SlackThread, user: SlackUser, hours: number): Promise<void> {
    const alertmanagerUrl = this.#d.alertmanagerUrl();
    if (!alertmanagerUrl) return;
    const firing = thread.payload.alerts.filter((a, i) => a.status === 'firing' && (!thread.alertIndexes || thread.alertIndexes.includes(i)));
    const now = new Date();
    const endsAt = new Date(now.getTime() + hours * 3_600_000);
    const link = messageLink(thread.channel, thread.ts);
    const created: string[] = [];
    for (const alert of firing.slice(0, 50)) {
      try {
        const id = await createSilence(alertmanagerUrl, {
          matchers: identifyingMatchers(alert),
          startsAt: now,
          endsAt,
          createdBy: `${user.name} (Slack ${user.id})`,
          comment: `Silenced for ${hours}h from Slack by ${user.name}: ${link}`,
        });
        this.#d.store.recordSilence(id, thread.id, user.id, endsAt.getTime(), now.getTime());
        this.#d.metrics.silences.inc({ outcome: 'created' });
        created.push(id);
      } catch (error) {
        this.#d.metrics.silences.inc({ outcome: 'failed' });
        this.#d.logger.error({ err: error, alertname: alert.labels.alertname }, 'cannot create the silence in Alertmanager');
      }
    }
    const text =
      created.length > 0
        ? `🔕 Silenced for ${hours}h by ${userMention(user.id)}, until ${formatTime(endsAt)} (${created.length} silence${created.length === 1 ? '' : 's'}: ${created.map((id) => `\`${escapeMrkdwn(id)}\``).join(', ')})`
        : `⚠️ ${userMention(user.id)} asked for a ${hours}h silence, but Alertmanager did not create it (see the relay log)`;
    await this.#tell(thread, text, false);
  }

  /** Tells in the thread each silence from a button that has ended: expired on time, or removed early. */
  async pollSilences(): Promise<void> {
    const alertmanagerUrl = this.#d.alertmanagerUrl();
    const tracked = this.#d.store.activeSilences();
    if (!alertmanagerUrl || tracked.length === 0) return;
    const silences = new Map((await listSilences(alertmanagerUrl)).map((s) => [s.id, s]));
    for (const t of tracked) {
      const s = silences.get(t.silenceId);
      // Gone from the list (garbage-collected after its retention) counts as ended too.
      if (s && s.status.state !== 'expired') continue;
      if (!this.#d.store.endSilence(t.silenceId)) continue;
      const thread = this.#d.store.thread(t.threadId);
      if (!thread) continue;
      const endedAt = s ? Date.parse(s.endsAt) : Date.now();
      const early = endedAt < t.endsAt - 1000;
      await this.#tell(thread, early ? `🔔 Silence \`${escapeMrkdwn(t.silenceId)}\` was removed early (${formatTime(new Date(endedAt))}): the alert pages again` : `🔔 Silence \`${escapeMrkdwn(t.silenceId)}\` expired: the alert pages again`, false);
    }
  }
}
