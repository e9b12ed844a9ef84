// Starts the alert relay (`node alertmanager/relay/main.ts`) as its own process for `npm start` and the tests:
// a free port, a fresh bearer token in a file, and a temp outbox directory unless one is given (pass the same
// outboxDir and port again to restart a relay on its outbox, e.g. after kill()).
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startProcess, waitHealthyOrDiscard, type ManagedProcess } from './child-process.ts';
import { freePort } from '../common/free-port.ts';

const root = fileURLToPath(new URL('..', import.meta.url));
export const relayExampleConfig = join(root, 'alertmanager/relay/relay.example.yml');

export interface RelayProcessOptions {
  /** The relay config; defaults to alertmanager/relay/relay.example.yml (filled in from the options below). */
  configFile?: string;
  /** SLACK_WEBHOOK_URL for the config (the example config's `oncall` destination). */
  slackWebhookUrl?: string;
  /** SMTP_HOST / SMTP_PORT for the config (e.g. a startSmtpSink()). */
  smtp?: { host: string; port: number };
  /** Listen port (RELAY_PORT); a free one when unset. */
  port?: number;
  /** Holds the outbox (RELAY_OUTBOX_PATH=<dir>/outbox.sqlite) and the token file; a temp dir removed at stop when unset. */
  outboxDir?: string;
  /** The webhook bearer token (written to <outboxDir>/relay-token, RELAY_TOKEN_FILE); random when unset. */
  bearerToken?: string;
  /** Extra environment, e.g. ALERTMANAGER_URL, RELAY_DIGEST_SECONDS, LOG_LEVEL, secrets a custom config names. */
  env?: Record<string, string>;
  echo?: boolean;
  name?: string;
}

export interface RelayProcess {
  process: ManagedProcess;
  /** http://127.0.0.1:PORT */
  url: string;
  port: number;
  /** Where Alertmanager posts (url + /alertmanager/webhook). */
  webhookUrl: string;
  metricsUrl: string;
  bearerToken: string;
  /** A file holding the token, for Alertmanager's credentials_file. */
  tokenFile: string;
  outboxDir: string;
  /** Graceful stop (SIGTERM: drains what is due); removes the outbox dir when this launcher created it. */
  stop(): Promise<void>;
  /** SIGKILL, keeping the outbox dir (crash tests restart on it). */
  kill(): Promise<void>;
}

export async function startRelay(options: RelayProcessOptions = {}): Promise<RelayProcess> {
  const port = options.port ?? (await freePort());
  const ownDir = options.outboxDir === undefined;
  const outboxDir = options.outboxDir ?? mkdtempSync(join(tmpdir(), 'alert-relay-'));
  const bearerToken = options.bearerToken ?? randomBytes(24).toString('base64url');
  const tokenFile = join(outboxDir, 'relay-token');
  writeFileSync(tokenFile, `${bearerToken}\n`, { mode: 0o600 });
  const configFile = options.configFile ?? relayExampleConfig;
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    RELAY_PORT: String(port),
    RELAY_OUTBOX_PATH: join(outboxDir, 'outbox.sqlite'),
    RELAY_TOKEN_FILE: tokenFile,
    LOG_LEVEL: process.env.LOG_LEVEL ?? 'warn',
    ...(options.slackWebhookUrl ? { SLACK_WEBHOOK_URL: options.slackWebhookUrl } : {}),
    ...(options.smtp ? { SMTP_HOST: options.smtp.host, SMTP_PORT: String(options.smtp.port) } : {}),
    ...options.env,
  };
  // The example config needs a Slack URL; one that answers nothing keeps Slack deliveries pending, not failing.
  env.SLACK_WEBHOOK_URL ??= 'http://127.0.0.1:9/services/unset';
  const child = startProcess({
    name: options.name ?? `alert-relay:${port}`,
    command: process.execPath,
    args: [join(root, 'alertmanager/relay/main.ts'), '--config', configFile],
    cwd: root,
    env,
    echo: options.echo ?? false,
  });
  const url = `http://127.0.0.1:${port}`;
  const cleanUp = (): void => {
    if (ownDir) rmSync(outboxDir, { recursive: true, force: true });
  };
  await waitHealthyOrDiscard(child, `${url}/readyz`, 60_000, cleanUp);
  return {
    process: child,
    url,
    port,
    webhookUrl: `${url}/alertmanager/webhook`,
    metricsUrl: `${url}/metrics`,
    bearerToken,
    tokenFile,
    outboxDir,
    async stop() {
      await child.stop(30_000);
      cleanUp();
    },
    async kill() {
      await child.kill();
    },
  };
}
