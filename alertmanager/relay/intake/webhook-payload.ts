// Alertmanager's webhook payload, version 4 (https://prometheus.io/docs/alerting/latest/configuration/#webhook_config).
// Every label and annotation value is untrusted text from scraped targets: validated for shape here, escaped
// where it is rendered (Slack mrkdwn, HTML).
import { z } from 'zod';

const labelSet = z.record(z.string().max(1024), z.string().max(65_536));
/** RFC 3339 timestamps; Alertmanager writes the zero time "0001-01-01T00:00:00Z" for an unset endsAt. */
const timestamp = z.string().refine((v) => !Number.isNaN(Date.parse(v)), 'not an RFC 3339 timestamp');

export const alertSchema = z.object({
  status: z.enum(['firing', 'resolved']),
  labels: labelSet,
  annotations: labelSet.default({}),
  startsAt: timestamp,
  endsAt: timestamp.optional(),
  generatorURL: z.string().max(8192).default(''),
  fingerprint: z.string().max(256).optional(),
});

export const webhookPayloadSchema = z.object({
  version: z.literal('4'),
  groupKey: z.string().min(1).max(16_384),
  truncatedAlerts: z.number().int().nonnegative().default(0),
  status: z.enum(['firing', 'resolved']),
  receiver: z.string().min(1).max(1024),
  groupLabels: labelSet.default({}),
  commonLabels: labelSet.default({}),
  commonAnnotations: labelSet.default({}),
  externalURL: z.string().max(8192).default(''),
  alerts: z.array(alertSchema).min(1).max(10_000),
});

export type WebhookPayload = z.infer<typeof webhookPayloadSchema>;
export type Alert = z.infer<typeof alertSchema>;

export type PayloadCheck = { ok: true; payload: WebhookPayload } | { ok: false; error: string };

/** Lone UTF-16 surrogates (valid in JSON, invalid in URLs and mail) become U+FFFD, in keys and values alike. */
function wellFormed(value: unknown): unknown {
  if (typeof value === 'string') return value.toWellFormed();
  if (Array.isArray(value)) return value.map(wellFormed);
  if (value !== null && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k.toWellFormed(), wellFormed(v)]));
  return value;
}

/** Validates a parsed body; the error names each wrong field by its path (e.g. `alerts.0.labels`). */
export function checkWebhookPayload(body: unknown): PayloadCheck {
  const result = webhookPayloadSchema.safeParse(wellFormed(body));
  if (result.success) return { ok: true, payload: result.data };
  const issues = result.error.issues.slice(0, 10).map((i) => `${i.path.map(String).join('.') || '(body)'}: ${i.message}`);
  const more = result.error.issues.length > 10 ? `; and ${result.error.issues.length - 10} more` : '';
  return { ok: false, error: `invalid webhook payload: ${issues.join('; ')}${more}` };
}
