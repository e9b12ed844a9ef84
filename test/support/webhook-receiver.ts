// A local HTTP endpoint that records Alertmanager's webhook notifications (the relay's place in the chain when a
// test checks Prometheus and Alertmanager alone): answers 200, keeps every request with its arrival time.
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';

/** The body Alertmanager posts (webhook payload version 4). */
export interface AlertmanagerWebhookPayload {
  version: string;
  groupKey: string;
  truncatedAlerts: number;
  status: 'firing' | 'resolved';
  receiver: string;
  groupLabels: Record<string, string>;
  commonLabels: Record<string, string>;
  commonAnnotations: Record<string, string>;
  externalURL: string;
  alerts: Array<{
    status: 'firing' | 'resolved';
    labels: Record<string, string>;
    annotations: Record<string, string>;
    startsAt: string;
    endsAt: string;
    generatorURL: string;
    fingerprint: string;
  }>;
}

export interface ReceivedWebhook {
  /** Date.now() when the body had been read. */
  at: number;
  path: string;
  authorization: string | undefined;
  payload: AlertmanagerWebhookPayload;
}

export interface WebhookReceiver {
  /** http://127.0.0.1:PORT (the origin; Alertmanager's configured path is kept). */
  origin: string;
  received: ReceivedWebhook[];
  close(): Promise<void>;
}

async function readBody(request: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

export async function startWebhookReceiver(): Promise<WebhookReceiver> {
  const received: ReceivedWebhook[] = [];
  const server = createServer((request, response) => {
    readBody(request)
      .then((body) => {
        received.push({
          at: Date.now(),
          path: request.url ?? '',
          authorization: request.headers.authorization,
          payload: JSON.parse(body) as AlertmanagerWebhookPayload,
        });
        response.writeHead(200).end('ok');
      })
      .catch(() => response.writeHead(400).end('bad json'));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    origin: `http://127.0.0.1:${port}`,
    received,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
