// Alertmanager's v2 silences API (the same one amtool and its UI use): create a silence, list them. Bounded by
// a timeout: a button press is answered to Slack first, this runs after.
import type { Alert } from '../intake/webhook-payload.ts';

export interface SilenceMatcher {
  name: string;
  value: string;
  isRegex: boolean;
  isEqual: boolean;
}

export interface NewSilence {
  matchers: SilenceMatcher[];
  startsAt: Date;
  endsAt: Date;
  createdBy: string;
  comment: string;
}

export interface Silence {
  id: string;
  status: { state: 'active' | 'pending' | 'expired' };
  startsAt: string;
  endsAt: string;
  updatedAt: string;
  createdBy: string;
  matchers: SilenceMatcher[];
}

const timeoutMs = 5_000;
const api = (base: string, path: string): URL => new URL(`api/v2/${path}`, base.endsWith('/') ? base : `${base}/`);

/** Every label of the alert, as exact matchers: its identity (Alertmanager's fingerprint is of the same set). */
export function identifyingMatchers(alert: Pick<Alert, 'labels'>): SilenceMatcher[] {
  return Object.entries(alert.labels)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([name, value]) => ({ name, value, isRegex: false, isEqual: true }));
}

export async function createSilence(alertmanagerUrl: string, silence: NewSilence): Promise<string> {
  const response = await fetch(api(alertmanagerUrl, 'silences'), {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ ...silence, startsAt: silence.startsAt.toISOString(), endsAt: silence.endsAt.toISOString() }),
    signal: AbortSignal.timeout(timeoutMs),
  });
  const text = await response.text();
  if (!response.ok) throw new Error(`Alertmanager answered HTTP ${response.status} to the new silence: ${text.slice(0, 300)}`);
  const id = (JSON.parse(text) as { silenceID?: unknown }).silenceID;
  if (typeof id !== 'string') throw new Error('Alertmanager answered without a silenceID');
  return id;
}

export async function listSilences(alertmanagerUrl: string): Promise<Silence[]> {
  const response = await fetch(api(alertmanagerUrl, 'silences'), { signal: AbortSignal.timeout(timeoutMs) });
  if (!response.ok) throw new Error(`Alertmanager answered HTTP ${response.status} to the silences list`);
  return (await response.json()) as Silence[];
}
