// Alertmanager's webhook payload, version 4 (https://prometheus.io/docs/alerting/latest/configuration/#webhook_config).
// Every label and annotation value is untrusted text from scraped targets: validated for shape here, escaped
// where it is rendered (Slack mrkdwn, HTML). A valid page is never refused for its size below the body limit
// (a 4xx makes Alertmanager drop it): over-long values are cut with a visible marker, over-long URLs dropped,
// alerts beyond the cap counted as truncated, and the page delivered.
import { createHash } from 'node:crypto';
import { z } from 'zod';
import { truncateText } from '../truncate-text.ts';

export const payloadLimits = {
  /** Label names and annotation keys; Prometheus names are short, so this only stops abuse. */
  keyChars: 1024,
  /** Label and annotation values: room for a long description or stack trace, not for megabytes per alert. */
  valueChars: 16_384,
  /** generatorURL, externalURL: a longer URL is dropped (cut, it would be a broken link). */
  urlChars: 8192,
  /** Alertmanager's fingerprints are 16 hex digits; a longer one is replaced by its hash (still stable). */
  fingerprintChars: 256,
  /** Alerts kept from one notification; the rest are counted in truncatedAlerts ("and N more"). */
  alerts: 10_000,
  /**
   * JSON nesting anywhere in the body. A valid payload nests 4 deep (body, alerts, alert, labels); the cap keeps
   * the recursive checks below from overflowing the stack on `[[[[...` (a RangeError, then an empty 500).
   */
  nesting: 64,
} as const;

const labelSet = z.record(z.string(), z.string()).transform((set) => {
  const kept: Record<string, string> = {};
  for (const [key, value] of Object.entries(set)) {
    const k = truncateText(key, payloadLimits.keyChars);
    // A cut key can collide with another: the first one keeps its value.
    if (!Object.hasOwn(kept, k)) kept[k] = truncateText(value, payloadLimits.valueChars);
  }
  return kept;
});
const url = z.string().transform((v) => (v.length > payloadLimits.urlChars ? '' : v));
/** RFC 3339 timestamps; Alertmanager writes the zero time "0001-01-01T00:00:00Z" for an unset endsAt. */
const timestamp = z.string().refine((v) => !Number.isNaN(Date.parse(v)), 'not an RFC 3339 timestamp');

export const alertSchema = z.object({
  status: z.enum(['firing', 'resolved']),
  labels: labelSet,
  annotations: labelSet.default({}),
  startsAt: timestamp,
  endsAt: timestamp.optional(),
  generatorURL: url.default(''),
  fingerprint: z
    .string()
    .transform((v) => (v.length > payloadLimits.fingerprintChars ? createHash('sha256').update(v).digest('hex') : v))
    .optional(),
});

export const webhookPayloadSchema = z
  .object({
    version: z.literal('4'),
    groupKey: z.string().min(1),
    truncatedAlerts: z.number().int().nonnegative().default(0),
    status: z.enum(['firing', 'resolved']),
    // Capped: no route names a receiver this long, so such a webhook could never succeed.
    receiver: z.string().min(1).max(1024),
    groupLabels: labelSet.default({}),
    commonLabels: labelSet.default({}),
    commonAnnotations: labelSet.default({}),
    externalURL: url.default(''),
    alerts: z.array(alertSchema).min(1),
  })
  .transform((payload) =>
    payload.alerts.length <= payloadLimits.alerts
      ? payload
      : { ...payload, alerts: payload.alerts.slice(0, payloadLimits.alerts), truncatedAlerts: payload.truncatedAlerts + payload.alerts.length - payloadLimits.alerts },
  );

/** What the relay adds to a notification it makes itself to escalate an unacknowledged incident. */
export interface EscalationNote {
  /** 1 for the first escalation. */
  step: number;
  steps: number;
  /** How long the incident had gone unacknowledged when this step was taken. */
  unacknowledgedSeconds: number;
}

/** A notification as stored. `escalation` is set only by the relay: the schema strips it from webhooks. */
export type WebhookPayload = z.infer<typeof webhookPayloadSchema> & { escalation?: EscalationNote };
export type Alert = z.infer<typeof alertSchema>;

export type PayloadCheck = { ok: true; payload: WebhookPayload } | { ok: false; error: string };

/** Where a value sits in the body, as a chain to its parent (cheap to extend per value; spelled out only for an error). */
interface Place {
  key: string;
  parent: Place | undefined;
  depth: number;
}

function spell(place: Place | undefined): string {
  const keys: string[] = [];
  for (let p = place; p; p = p.parent) keys.unshift(p.key.length > 40 ? `${p.key.slice(0, 40)}...` : p.key);
  return keys.length > 6 ? `${keys.slice(0, 6).join('.')}...(${keys.length} levels)` : keys.join('.');
}

class TooDeep extends Error {
  readonly place: Place | undefined;
  constructor(place: Place | undefined) {
    super(`nested deeper than ${payloadLimits.nesting} levels`);
    this.place = place;
  }
}

/**
 * Lone UTF-16 surrogates (valid in JSON, invalid in URLs and mail) become U+FFFD, in keys and values alike.
 * Recursive, but never deeper than payloadLimits.nesting: deeper input throws TooDeep naming where.
 */
function wellFormed(value: unknown, place?: Place): unknown {
  if (typeof value === 'string') return value.toWellFormed();
  if (value === null || typeof value !== 'object') return value;
  const depth = place?.depth ?? 0;
  if (depth >= payloadLimits.nesting) throw new TooDeep(place);
  if (Array.isArray(value)) return value.map((v, i) => wellFormed(v, { key: String(i), parent: place, depth: depth + 1 }));
  return Object.fromEntries(Object.entries(value).map(([k, v]) => [k.toWellFormed(), wellFormed(v, { key: k, parent: place, depth: depth + 1 })]));
}

/** Validates a parsed body; the error names each wrong field by its path (e.g. `alerts.0.labels`). */
export function checkWebhookPayload(body: unknown): PayloadCheck {
  let clean: unknown;
  try {
    clean = wellFormed(body);
  } catch (error) {
    if (error instanceof TooDeep) return { ok: false, error: `invalid webhook payload: ${spell(error.place) || '(body)'}: ${error.message}` };
    throw error;
  }
  const result = webhookPayloadSchema.safeParse(clean);
  if (result.success) return { ok: true, payload: result.data };
  const issues = result.error.issues.slice(0, 10).map((i) => `${i.path.map(String).join('.') || '(body)'}: ${i.message}`);
  const more = result.error.issues.length > 10 ? `; and ${result.error.issues.length - 10} more` : '';
  return { ok: false, error: `invalid webhook payload: ${issues.join('; ')}${more}` };
}
