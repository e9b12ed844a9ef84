// alertmanager.yml as Alertmanager 0.25 reads it: amtool's checks, the route of every alert and severity, the
// receivers the relay maps, and the inhibitions applied by a real Alertmanager.
import { mkdtempSync, readFileSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { alerts } from '../prometheus/alerting-config.ts';
import { startAlertmanager, type AlertmanagerProcess } from '../stack/alertmanager-process.ts';
import { runTool } from '../test/support/run-tool.ts';
import { waitFor } from '../common/wait-for.ts';

const here = dirname(fileURLToPath(import.meta.url));
const configFile = join(here, 'alertmanager.yml');
const relayPath = '/alertmanager/webhook';

const receiverFor = (alertname: string, severity: string): string =>
  alertname === 'Watchdog' ? 'watchdog' : ({ critical: 'slack-oncall', warning: 'email-team', info: 'null' } as Record<string, string>)[severity] ?? 'email-team';

interface WebhookConfig {
  url: string;
  max_alerts?: number;
  http_config?: { authorization?: { type?: string; credentials_file?: string; credentials?: string } };
}
const config = parse(readFileSync(configFile, 'utf8')) as { receivers: Array<{ name: string; webhook_configs?: WebhookConfig[] }> };

describe('amtool', () => {
  it('accepts alertmanager.yml', async () => {
    const result = await runTool('amtool', ['check-config', configFile]);
    expect(result.code, result.output).toBe(0);
    expect(result.output).toMatch(/SUCCESS/);
  });

  const cases = Object.entries(alerts).flatMap(([name, alert]) => Object.keys(alert.levels).map((severity) => [name, severity, receiverFor(name, severity)] as const));
  it.each([...cases, ['SomethingNew', 'info', 'null'] as const, ['SomethingWithoutSeverity', '', 'email-team'] as const])(
    'routes %s (severity %s) to %s',
    async (alertname, severity, receiver) => {
      const labels = [`alertname=${alertname}`, 'service=order-service', 'instance=10.0.0.1:9464', ...(severity ? [`severity=${severity}`] : [])];
      const result = await runTool('amtool', ['config', 'routes', 'test', `--config.file=${configFile}`, `--verify.receivers=${receiver}`, ...labels]);
      expect(result.code, result.output).toBe(0);
    },
  );

  it('fails a route test that names the wrong receiver (the route tests can fail)', async () => {
    const result = await runTool('amtool', ['config', 'routes', 'test', `--config.file=${configFile}`, '--verify.receivers=email-team', 'alertname=InstanceDown', 'severity=critical']);
    expect(result.code).not.toBe(0);
  });
});

describe('receivers', () => {
  it('are the four the relay maps, each a webhook to the relay with bearer auth from a file and max_alerts', () => {
    expect(config.receivers.map((r) => r.name).sort()).toEqual(['email-team', 'null', 'slack-oncall', 'watchdog']);
    for (const receiver of config.receivers.filter((r) => r.name !== 'null')) {
      expect(receiver.webhook_configs, receiver.name).toHaveLength(1);
      const webhook = receiver.webhook_configs![0]!;
      expect(new URL(webhook.url).pathname).toBe(relayPath);
      expect(webhook.max_alerts, receiver.name).toBeGreaterThan(0);
      expect(webhook.http_config?.authorization?.type).toBe('Bearer');
      expect(webhook.http_config?.authorization?.credentials_file).toBeTruthy();
      expect(webhook.http_config?.authorization?.credentials, 'no inline token').toBeUndefined();
    }
  });

  it('match the receiver names and webhook path of the relay config', () => {
    const relayConfigFile = join(here, 'relay/relay.example.yml');
    expect(existsSync(relayConfigFile), 'alertmanager/relay/relay.example.yml').toBe(true);
    const relay = parse(readFileSync(relayConfigFile, 'utf8')) as { webhookPath: string; receivers: Record<string, unknown> };
    expect(relay.webhookPath).toBe(relayPath);
    expect(Object.keys(relay.receivers).sort()).toEqual(config.receivers.map((r) => r.name).filter((n) => n !== 'null').sort());
  });
});

describe('a real Alertmanager with this config', () => {
  let alertmanager: AlertmanagerProcess;
  let secrets: string;

  beforeAll(async () => {
    secrets = mkdtempSync(join(tmpdir(), 'alertmanager-secrets-'));
    writeFileSync(join(secrets, 'relay-token'), 'test-token\n', { mode: 0o600 });
    // Webhooks go nowhere (port 9 on loopback): this test reads routing and inhibition from the API.
    alertmanager = await startAlertmanager({ configFile, webhookOrigin: 'http://127.0.0.1:9', credentialsFile: join(secrets, 'relay-token') });
  });
  afterAll(async () => {
    await alertmanager?.stop();
    rmSync(secrets, { recursive: true, force: true });
  });

  it('inhibits the other alerts of an instance that is down, and a warning whose critical twin fires', async () => {
    const alert = (labels: Record<string, string>) => ({ labels: { job: 'order-service', service: 'order-service', ...labels }, annotations: { summary: 'Test.' } });
    const posted = await fetch(`${alertmanager.url}/api/v2/alerts`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify([
        alert({ alertname: 'InstanceDown', severity: 'critical', instance: 'a:9464' }),
        alert({ alertname: 'NodeHeapNearLimit', severity: 'warning', instance: 'a:9464' }),
        alert({ alertname: 'NodeHeapNearLimit', severity: 'warning', instance: 'b:9464' }),
        alert({ alertname: 'HTTPServerErrorRatioHigh', severity: 'critical', instance: 'b:9464' }),
        alert({ alertname: 'HTTPServerErrorRatioHigh', severity: 'warning', instance: 'b:9464' }),
        alert({ alertname: 'HTTPServerErrorRatioHigh', severity: 'warning', instance: 'c:9464' }),
      ]),
    });
    expect(posted.status).toBe(200);
    type ApiAlert = { labels: Record<string, string>; status: { inhibitedBy: string[] }; receivers: Array<{ name: string }> };
    const current = await waitFor(
      async () => {
        const list = (await (await fetch(`${alertmanager.url}/api/v2/alerts`)).json()) as ApiAlert[];
        return list.length === 6 ? list : undefined;
      },
      { what: 'the six alerts in the Alertmanager API' },
    );
    const state = Object.fromEntries(
      current.map((a) => [`${a.labels.alertname}/${a.labels.severity}/${a.labels.instance}`, { inhibited: a.status.inhibitedBy.length > 0, receiver: a.receivers.map((r) => r.name).join(',') }]),
    );
    expect(state).toEqual({
      'InstanceDown/critical/a:9464': { inhibited: false, receiver: 'slack-oncall' },
      'NodeHeapNearLimit/warning/a:9464': { inhibited: true, receiver: 'email-team' },
      'NodeHeapNearLimit/warning/b:9464': { inhibited: false, receiver: 'email-team' },
      'HTTPServerErrorRatioHigh/critical/b:9464': { inhibited: false, receiver: 'slack-oncall' },
      'HTTPServerErrorRatioHigh/warning/b:9464': { inhibited: true, receiver: 'email-team' },
      'HTTPServerErrorRatioHigh/warning/c:9464': { inhibited: false, receiver: 'email-team' },
    });
  });

  it('holds the heap alerts of a process that died, RESOLVED included, while InstanceDown or NodeProcessRestarted says so (amtool)', async () => {
    const url = `--alertmanager.url=${alertmanager.url}`;
    const add = (labels: string[]) => runTool('amtool', ['alert', 'add', url, ...labels, 'job=order-service', 'service=order-service', '--annotation=summary=Test.']);
    const results = await Promise.all([
      add(['alertname=NodeProcessRestarted', 'severity=critical', 'instance=d:9464']),
      add(['alertname=NodeHeapExhaustionImminent', 'severity=critical', 'instance=d:9464']),
      add(['alertname=NodeGCOverheadLimit', 'severity=critical', 'instance=d:9464']),
      add(['alertname=HTTPServerErrorRatioHigh', 'severity=critical', 'instance=d:9464']),
      add(['alertname=InstanceDown', 'severity=critical', 'instance=e:9464']),
      add(['alertname=NodeHeapExhaustionImminent', 'severity=critical', 'instance=e:9464']),
      add(['alertname=NodeHeapExhaustionImminent', 'severity=critical', 'instance=f:9464']),
    ]);
    for (const result of results) expect(result.code, result.output).toBe(0);
    type AmtoolAlert = { labels: Record<string, string> };
    const query = async (flags: string[]): Promise<string[]> => {
      const result = await runTool('amtool', ['alert', 'query', url, '-o', 'json', ...flags, 'instance=~"d:9464|e:9464|f:9464"']);
      expect(result.code, result.output).toBe(0);
      return (JSON.parse(result.output) as AmtoolAlert[]).map((a) => `${a.labels.alertname}/${a.labels.instance}`).sort();
    };
    const inhibited = await waitFor(async () => {
      const list = await query(['--inhibited']);
      return list.length >= 3 ? list : undefined;
    }, { what: 'the inhibited heap alerts in amtool' });
    // Alertmanager's notification pipeline mutes an inhibited alert whether it fires or has resolved: its RESOLVED
    // waits too. (The end-to-end order, death page before any RESOLVED, is test/heap-leak-paging.test.ts.)
    expect(inhibited).toEqual(['NodeGCOverheadLimit/d:9464', 'NodeHeapExhaustionImminent/d:9464', 'NodeHeapExhaustionImminent/e:9464']);
    expect(await query(['--active'])).toEqual(['HTTPServerErrorRatioHigh/d:9464', 'InstanceDown/e:9464', 'NodeHeapExhaustionImminent/f:9464', 'NodeProcessRestarted/d:9464']);
  });
});
