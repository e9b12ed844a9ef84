// Writes a relay config for a test into a directory, secrets as files beside it (never inline, as in production).
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { stringify } from 'yaml';

export interface TestRelayConfigOptions {
  dir: string;
  tokens: string[];
  slackUrl?: string;
  /** Makes the `oncall` Slack destination a Slack app (Web API) instead of an incoming webhook. */
  slackApp?: { botToken: string; channel: string; apiUrl: string };
  /** Slack app interactivity: the signing secret (written as a secret file). */
  slackSigningSecret?: string;
  smtp?: { host: string; port: number; user?: string; password?: string };
  emailMode?: 'immediate' | 'digest';
  digestIntervalSeconds?: number;
  port?: number;
  maxOutboxDepth?: number;
  maxBodyBytes?: number;
  dedupWindowSeconds?: number;
  slackRatePerSecond?: number;
  slackBurst?: number;
  /** Merged over the generated config (top-level keys replaced). */
  overrides?: Record<string, unknown>;
}

export function writeTestRelayConfig(o: TestRelayConfigOptions): string {
  const secret = (name: string, value: string): { file: string } => {
    writeFileSync(join(o.dir, name), `${value}\n`, { mode: 0o600 });
    return { file: name };
  };
  const slack = Boolean(o.slackUrl ?? o.slackApp);
  const config: Record<string, unknown> = {
    listen: { host: '127.0.0.1', port: o.port ?? 0 },
    webhookPath: '/alertmanager/webhook',
    auth: { bearerTokens: o.tokens.map((t, i) => secret(`token-${i}`, t)) },
    intake: { maxBodyBytes: o.maxBodyBytes ?? 1_048_576, dedupWindowSeconds: o.dedupWindowSeconds ?? 300, maxOutboxDepth: o.maxOutboxDepth ?? 100_000 },
    outbox: { path: 'outbox.sqlite' },
    // Short backoff so tests see retries quickly; shutdown drains little.
    delivery: { backoffBaseSeconds: 0.05, backoffMaxSeconds: 0.5, shutdownGraceSeconds: 2 },
    alertmanagerUrl: 'http://127.0.0.1:9093',
    slack: o.slackApp
      ? { oncall: { botToken: secret('slack-bot-token', o.slackApp.botToken), channel: o.slackApp.channel, apiUrl: o.slackApp.apiUrl, ratePerSecond: o.slackRatePerSecond ?? 50, burst: o.slackBurst ?? 50 } }
      : o.slackUrl
        ? { oncall: { webhookUrl: secret('slack-webhook-url', o.slackUrl), ratePerSecond: o.slackRatePerSecond ?? 50, burst: o.slackBurst ?? 50 } }
        : {},
    ...(o.slackSigningSecret ? { slackApp: { signingSecret: secret('slack-signing-secret', o.slackSigningSecret) } } : {}),
    ...(o.smtp
      ? {
          email: {
            smtp: {
              host: o.smtp.host,
              port: o.smtp.port,
              from: 'Alert relay <alerts@example.org>',
              ...(o.smtp.user ? { user: o.smtp.user, password: secret('smtp-password', o.smtp.password ?? '') } : {}),
            },
            destinations: { team: { to: ['team@example.org'], mode: o.emailMode ?? 'immediate', digestIntervalSeconds: o.digestIntervalSeconds ?? 1, ratePerSecond: 50, burst: 50 } },
          },
        }
      : {}),
    receivers: {
      'slack-oncall': slack ? [{ slack: ['oncall'] }] : [],
      'email-team': o.smtp ? [{ email: ['team'] }] : [],
      both: [...(slack ? [{ slack: ['oncall'] }] : []), ...(o.smtp ? [{ email: ['team'] }] : [])],
      watchdog: [],
    },
    logLevel: 'debug',
    ...o.overrides,
  };
  const path = join(o.dir, 'relay.yml');
  writeFileSync(path, stringify(config));
  return path;
}
