// The relay config: the example parses; mistakes are reported by key; secrets are references and never echoed.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { configPathFrom, loadRelayConfig, parseRelayConfig } from './config.ts';

const dir = mkdtempSync(join(tmpdir(), 'relay-config-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
writeFileSync(join(dir, 'token'), 'a-token-from-a-file\n');

const base = (extra = ''): string => `
auth:
  bearerTokens:
    - file: token
    - env: NEXT_TOKEN
outbox:
  path: outbox.sqlite
slack:
  oncall:
    webhookUrl: { env: SLACK_URL }
receivers:
  slack-oncall:
    - slack: [oncall]
      matchers: { severity: critical, service: { regex: "order-.*" } }
  watchdog: []
${extra}`;
const env = { NEXT_TOKEN: 'the-next-token', SLACK_URL: 'https://hooks.slack.com/services/T000/B000/SECRETSECRET' };
const errorOf = (fn: () => unknown): string => {
  try {
    fn();
  } catch (error) {
    return (error as Error).message;
  }
  throw new Error('expected an error');
};

describe('relay config', () => {
  it('parses the example config that npm start uses', () => {
    writeFileSync(join(dir, 'relay-token'), 'example-token-123\n');
    const example = fileURLToPath(new URL('./relay.example.yml', import.meta.url));
    const config = loadRelayConfig(example, { env: { RELAY_TOKEN_FILE: join(dir, 'relay-token'), SLACK_WEBHOOK_URL: 'http://127.0.0.1:1/services/x', RELAY_PORT: '19095' } });
    expect(config.listen.port).toBe(19095);
    expect(config.webhookPath).toBe('/alertmanager/webhook');
    expect([...config.receivers.keys()].sort()).toEqual(['email-team', 'slack-oncall', 'watchdog']);
    expect(config.email.get('team')?.mode).toBe('digest');
    expect(config.bearerTokens).toEqual(['example-token-123']);
  });

  it('reads secrets from files and env vars, relative to the config file', () => {
    const config = parseRelayConfig(base(), join(dir, 'relay.yml'), { env });
    expect(config.bearerTokens).toEqual(['a-token-from-a-file', 'the-next-token']);
    expect(config.slack.get('oncall')).toMatchObject({ mode: 'webhook', webhookUrl: env.SLACK_URL });
    expect(config.secrets).toContain(env.SLACK_URL);
  });

  it('refuses an inline secret, naming the key', () => {
    const text = base().replace('webhookUrl: { env: SLACK_URL }', `webhookUrl: ${env.SLACK_URL}`);
    const message = errorOf(() => parseRelayConfig(text, 'relay.yml', { env }));
    expect(message).toContain('slack.oncall.webhookUrl');
    expect(message).toContain('never inline');
    expect(message).not.toContain('SECRETSECRET');
  });

  it('names the key of an unknown destination, a bad regex, a wrong type and an unknown key', () => {
    const unknown = errorOf(() => parseRelayConfig(base().replace('slack: [oncall]', 'slack: [pager]'), 'relay.yml', { env }));
    expect(unknown).toContain('receivers.slack-oncall.0.slack.0');
    expect(unknown).toContain('"pager"');
    const regex = errorOf(() => parseRelayConfig(base().replace('"order-.*"', '"order-("'), 'relay.yml', { env }));
    expect(regex).toContain('receivers.slack-oncall.0.matchers.service.regex');
    const type = errorOf(() => parseRelayConfig(base('intake: { maxBodyBytes: lots }'), 'relay.yml', { env }));
    expect(type).toContain('intake.maxBodyBytes');
    const extra = errorOf(() => parseRelayConfig(base('listen: { host: 127.0.0.1, prot: 1 }'), 'relay.yml', { env }));
    expect(extra).toMatch(/listen.*prot/);
  });

  it('reads yes/no settings as words: "false" from ${VAR:-false} is false, a typo is an error on the key', () => {
    const withSmtp = (secure: string, requireTls = 'false'): string =>
      base(`email:\n  smtp: { host: 127.0.0.1, port: 25, from: alerts@example.org, secure: ${secure}, requireTls: ${requireTls} }\n  destinations: { team: { to: [team@example.org] } }`);
    const smtpOf = (text: string, extraEnv: Record<string, string> = {}) => parseRelayConfig(text, join(dir, 'relay.yml'), { env: { ...env, ...extraEnv } }).smtp!;
    expect(smtpOf(withSmtp('"${SMTP_SECURE:-false}"')).secure).toBe(false);
    expect(smtpOf(withSmtp('"${SMTP_SECURE:-false}"'), { SMTP_SECURE: 'true' }).secure).toBe(true);
    const cases: Array<[string, boolean]> = [['false', false], ['true', true], ['"false"', false], ['"FALSE"', false], ['"True"', true], ['"0"', false], ['"1"', true], ['0', false], ['1', true], ['"no"', false], ['"Yes"', true]];
    for (const [written, expected] of cases) {
      expect({ written, secure: smtpOf(withSmtp(written)).secure, requireTls: smtpOf(withSmtp('false', written)).requireTls }).toEqual({ written, secure: expected, requireTls: expected });
    }
    expect(smtpOf(base(`email:\n  smtp: { host: 127.0.0.1, port: 25, from: alerts@example.org }\n  destinations: { team: { to: [team@example.org] } }`)).secure).toBe(false);
    for (const wrong of ['"flase"', '"2"', '""', '2']) {
      const message = errorOf(() => smtpOf(withSmtp('false', wrong)));
      expect(message).toContain('email.smtp.requireTls');
      expect(message).toMatch(/expected true or false/);
    }
    expect(errorOf(() => smtpOf(withSmtp('"${SMTP_SECURE:-false}"'), { SMTP_SECURE: 'ture' }))).toMatch(/email\.smtp\.secure: expected true or false/);
  });

  it('says which secret is missing without showing any value', () => {
    const message = errorOf(() => parseRelayConfig(base(), join(dir, 'relay.yml'), { env: { SLACK_URL: env.SLACK_URL } }));
    expect(message).toContain('auth.bearerTokens.1');
    expect(message).toContain('NEXT_TOKEN');
    const file = errorOf(() => parseRelayConfig(base().replace('file: token', 'file: missing-token'), join(dir, 'relay.yml'), { env }));
    expect(file).toContain('auth.bearerTokens.0');
  });

  it('reports YAML syntax errors with their line', () => {
    const message = errorOf(() => parseRelayConfig('receivers:\n  a: [\n', 'relay.yml', { env }));
    expect(message).toMatch(/line \d+/);
  });

  it('reads the graphs settings: off without a prometheusUrl, defaults filled in, mistakes named by key', () => {
    const graphsOf = (yaml: string) => parseRelayConfig(base(yaml), join(dir, 'relay.yml'), { env }).graphs;
    expect(graphsOf('')).toBeUndefined();
    expect(graphsOf('graphs: { prometheusUrl: "" }')).toBeUndefined();
    expect(graphsOf('graphs: { prometheusUrl: http://127.0.0.1:9090, publicBaseUrl: "https://relay.example.org/" }')).toEqual({
      prometheusUrl: 'http://127.0.0.1:9090',
      publicBaseUrl: 'https://relay.example.org',
      budgetSeconds: 2,
      windowMinutes: 30,
      maxPerMessage: 3,
      width: 720,
      height: 300,
    });
    expect(errorOf(() => graphsOf('graphs: { prometheusUrl: ftp://x }'))).toContain('graphs.prometheusUrl');
    expect(errorOf(() => graphsOf('graphs: { prometheusUrl: http://x, budgetSeconds: 0 }'))).toContain('graphs.budgetSeconds');
    expect(errorOf(() => graphsOf('graphs: { prometheusUrl: http://x, maxPerMessage: 50 }'))).toContain('graphs.maxPerMessage');
    expect(errorOf(() => graphsOf('graphs: { prometheusUrl: http://x, budget: 2 }'))).toMatch(/graphs.*budget/);
  });

  it('reads Slack app destinations (bot token and channel) beside webhook ones, naming the key of a mistake', () => {
    writeFileSync(join(dir, 'bot-token'), 'xoxb-111-222-BOTSECRET\n');
    writeFileSync(join(dir, 'signing-secret'), 'signing-secret-0123456789\n');
    const withPager = (dest: string, extra = '') =>
      parseRelayConfig(base(extra).replace('    webhookUrl: { env: SLACK_URL }\n', `    webhookUrl: { env: SLACK_URL }\n  pager:\n${dest}\n`), join(dir, 'relay.yml'), { env });
    const good = withPager('    botToken: { file: bot-token }\n    channel: C0PAGER', 'slackApp: { signingSecret: { file: signing-secret } }');
    expect(good.slack.get('pager')).toMatchObject({ mode: 'app', botToken: 'xoxb-111-222-BOTSECRET', channel: 'C0PAGER', apiUrl: 'https://slack.com/api/' });
    expect(good.slack.get('oncall')).toMatchObject({ mode: 'webhook' });
    expect(good.slackApp).toEqual({ signingSecret: 'signing-secret-0123456789', interactivityPath: '/slack/interactions', silencePollSeconds: 30 });
    expect(good.secrets).toEqual(expect.arrayContaining(['xoxb-111-222-BOTSECRET', 'signing-secret-0123456789']));
    expect(errorOf(() => withPager('    botToken: { file: bot-token }'))).toContain('slack.pager.channel');
    expect(errorOf(() => withPager('    botToken: { file: bot-token }\n    channel: C1\n    webhookUrl: { env: SLACK_URL }'))).toContain('slack.pager.botToken');
    expect(errorOf(() => withPager('    channel: C1'))).toContain('slack.pager.webhookUrl');
    const notToken = errorOf(() => withPager('    botToken: { file: signing-secret }\n    channel: C1'));
    expect(notToken).toContain('slack.pager.botToken');
    expect(notToken).not.toContain('signing-secret-0123456789');
    expect(errorOf(() => withPager('    botToken: { file: bot-token }\n    channel: C1', 'slackApp: { signingSecret: inline-secret }'))).toContain('slackApp.signingSecret');
  });

  it('validates escalation on a route: needs a Slack app destination, known step destinations, at least one step', () => {
    writeFileSync(join(dir, 'bot-token-2'), 'xoxb-333-444-BOTSECRET\n');
    const withEscalation = (escalation: string, slackOfRoute = 'pager') =>
      parseRelayConfig(
        base().replace('    webhookUrl: { env: SLACK_URL }\n', `    webhookUrl: { env: SLACK_URL }\n  pager:\n    botToken: { file: bot-token-2 }\n    channel: C0PAGER\n`).replace(
          "    - slack: [oncall]\n      matchers: { severity: critical, service: { regex: \"order-.*\" } }",
          `    - slack: [${slackOfRoute}]\n      escalation: ${escalation}`,
        ),
        join(dir, 'relay.yml'),
        { env },
      );
    const good = withEscalation('{ afterSeconds: 300, steps: [{ slack: [oncall] }] }');
    expect(good.receivers.get('slack-oncall')?.[0]?.escalation).toEqual({ afterSeconds: 300, severities: ['critical'], repage: true, steps: [{ slack: ['oncall'], email: [] }] });
    expect(errorOf(() => withEscalation('{ afterSeconds: 300, steps: [{ slack: [oncall] }] }', 'oncall'))).toMatch(/receivers\.slack-oncall\.0\.escalation: escalation needs a Slack app destination/);
    expect(errorOf(() => withEscalation('{ afterSeconds: 300, steps: [{ email: [nobody] }] }'))).toContain('receivers.slack-oncall.0.escalation.steps.0.email.0');
    expect(errorOf(() => withEscalation('{ afterSeconds: 300, steps: [] }'))).toContain('receivers.slack-oncall.0.escalation.steps');
    expect(errorOf(() => withEscalation('{ afterSeconds: 300, steps: [{}] }'))).toContain('receivers.slack-oncall.0.escalation.steps.0');
    expect(errorOf(() => withEscalation('{ afterSeconds: soon, steps: [{ slack: [oncall] }] }'))).toContain('receivers.slack-oncall.0.escalation.afterSeconds');
  });

  it('takes the path from --config or RELAY_CONFIG', () => {
    expect(configPathFrom(['--config', 'a.yml'], {})).toBe('a.yml');
    expect(configPathFrom(['--config=b.yml'], { RELAY_CONFIG: 'c.yml' })).toBe('b.yml');
    expect(configPathFrom([], { RELAY_CONFIG: 'c.yml' })).toBe('c.yml');
    expect(configPathFrom([], {}, 'relay.example.yml')).toBe('relay.example.yml');
    expect(() => configPathFrom([], {})).toThrow(/--config/);
  });
});
