// Alertmanager webhook payloads (version 4) for the relay's tests and benchmark, shaped as Alertmanager 0.25 sends them.
import type { WebhookPayload } from '../../../alertmanager/relay/intake/webhook-payload.ts';

export interface FixtureOptions {
  receiver?: string;
  alertname?: string;
  status?: 'firing' | 'resolved';
  severity?: string;
  /** Number of alerts in the group (instances i-0, i-1, ...). */
  alerts?: number;
  /** Distinguishes otherwise equal notifications (becomes a label, so a new fingerprint). */
  sequence?: number;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  externalURL?: string;
}

export function webhookPayload(options: FixtureOptions = {}): WebhookPayload {
  const alertname = options.alertname ?? 'HeapNearLimit';
  const status = options.status ?? 'firing';
  const severity = options.severity ?? 'critical';
  const startsAt = new Date(Date.now() - 5 * 60_000).toISOString();
  const alerts = Array.from({ length: options.alerts ?? 1 }, (_, i) => {
    const labels: Record<string, string> = { alertname, severity, service: 'order-service', instance: `i-${i}`, ...(options.sequence !== undefined ? { sequence: String(options.sequence) } : {}), ...options.labels };
    return {
      status,
      labels,
      annotations: {
        summary: `${alertname} on instance i-${i}.`,
        description: `Heap used is 91% of the limit on i-${i}.`,
        runbook_url: 'https://example.org/runbook#heap-near-limit',
        dashboard_url: 'https://grafana.example.org/d/runtime',
        ...options.annotations,
      },
      startsAt,
      endsAt: status === 'resolved' ? new Date().toISOString() : '0001-01-01T00:00:00Z',
      generatorURL: 'http://127.0.0.1:9090/graph?g0.expr=up',
      fingerprint: `${alertname}-${i}-${options.sequence ?? 0}-${JSON.stringify(options.labels ?? {})}`.replace(/[^A-Za-z0-9-]/g, ''),
    };
  });
  return {
    version: '4',
    groupKey: `{}/{severity="${severity}"}:{alertname="${alertname}"}`,
    truncatedAlerts: 0,
    status,
    receiver: options.receiver ?? 'slack-oncall',
    groupLabels: { alertname },
    commonLabels: { alertname, severity, service: 'order-service' },
    commonAnnotations: {},
    externalURL: options.externalURL ?? 'http://127.0.0.1:9093',
    alerts,
  };
}

export async function postWebhook(url: string, token: string | undefined, body: unknown): Promise<{ status: number; body: string }> {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
  return { status: response.status, body: await response.text() };
}
