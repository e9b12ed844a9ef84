// The buttons on an open incident's parent message. Acknowledge and Silence come back to the relay's
// interactivity endpoint (action_id says which); Open runbook and Open dashboard are link buttons (Slack opens
// the URL and still tells the endpoint, which just answers).
import type { NotificationView } from '../alert-view.ts';
import type { SlackBlock } from '../slack/slack-message.ts';

export const actionIds = { acknowledge: 'incident_acknowledge', silence1h: 'incident_silence_1h', silence4h: 'incident_silence_4h', runbook: 'incident_open_runbook', dashboard: 'incident_open_dashboard' } as const;
export const silenceHours: Record<string, number> = { [actionIds.silence1h]: 1, [actionIds.silence4h]: 4 };

interface Button {
  type: 'button';
  action_id: string;
  text: { type: 'plain_text'; text: string; emoji?: boolean };
  value?: string;
  url?: string;
  style?: 'primary' | 'danger';
}

export function incidentButtons(view: NotificationView, options: { acknowledged: boolean; canSilence: boolean }): SlackBlock[] {
  const buttons: Button[] = [];
  const button = (action_id: string, text: string, extra: Partial<Button> = {}): Button => ({ type: 'button', action_id, text: { type: 'plain_text', text, emoji: true }, ...extra });
  if (!options.acknowledged) buttons.push(button(actionIds.acknowledge, '👀 Acknowledge', { style: 'primary', value: 'ack' }));
  if (options.canSilence) {
    buttons.push(button(actionIds.silence1h, '🔕 Silence 1h', { value: '1' }));
    buttons.push(button(actionIds.silence4h, '🔕 Silence 4h', { value: '4' }));
  }
  const first = view.alerts.find((a) => a.status === 'firing') ?? view.alerts[0];
  // Slack caps a button URL at 3000 characters; a longer one is left out rather than cut into a broken link.
  if (first?.links.runbook && first.links.runbook.length <= 3000) buttons.push(button(actionIds.runbook, '📖 Open runbook', { url: first.links.runbook }));
  if (first?.links.dashboard && first.links.dashboard.length <= 3000) buttons.push(button(actionIds.dashboard, '📈 Open dashboard', { url: first.links.dashboard }));
  return buttons.length > 0 ? [{ type: 'actions', block_id: 'incident_actions', elements: buttons }] : [];
}
