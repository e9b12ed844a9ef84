// Variants of the Prometheus and Alertmanager configs for other addresses: changed in the parsed YAML, with the
// source's comments and quoting kept (compose/ commits such variants; the launcher runs them).
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { alertmanagerVariant, editYaml, prometheusVariant, type AlertmanagerConfig, type PrometheusConfig } from './config-variants.ts';

const prometheusYaml = `# the stack's Prometheus
alerting:
  alertmanagers:
    - static_configs:
        - targets: ['127.0.0.1:9093']
scrape_configs:
  # replicas come from a file
  - job_name: order-service
    file_sd_configs:
      - files: ['targets/order-service.json']
  - job_name: relay
    static_configs:
      - targets: ['127.0.0.1:9095']
        labels:
          team: alerts
`;

describe('editYaml', () => {
  it('writes back only what changed: comments stay, a changed scalar keeps its quotes', () => {
    const text = editYaml<PrometheusConfig>(prometheusYaml, (config) => prometheusVariant(config, { alertmanagers: ['alertmanager:9093'] }));
    expect(text).toBe(prometheusYaml.replace("['127.0.0.1:9093']", "['alertmanager:9093']"));
  });

  it('replaces lists of another length and removes deleted keys', () => {
    const text = editYaml<Record<string, unknown>>('a: [1]\n# kept\nb: 2\nc: 3\n', ({ c: _c, ...rest }) => ({ ...rest, a: [1, 2] }));
    expect(parse(text)).toEqual({ a: [1, 2], b: 2 });
    expect(text).toContain('# kept');
  });

  it('names the source on a syntax error', () => {
    expect(() => editYaml('a: [1', (c) => c, 'broken.yml')).toThrow(/^broken\.yml: /);
  });
});

describe('prometheusVariant', () => {
  it('replaces static targets (keeping labels), targets files and Alertmanagers by job; other jobs are untouched', () => {
    const config = parse(prometheusYaml) as PrometheusConfig;
    const variant = prometheusVariant(config, {
      targets: { relay: ['127.0.0.1:1'], 'order-service': ['ignored: file-based'] },
      targetsFiles: { 'order-service': '/tmp/x/order-service.targets.json' },
      alertmanagers: ['127.0.0.1:2'],
    });
    expect(variant.scrape_configs?.[0]?.file_sd_configs).toEqual([{ files: ['/tmp/x/order-service.targets.json'] }]);
    expect(variant.scrape_configs?.[1]?.static_configs).toEqual([{ targets: ['127.0.0.1:1'], labels: { team: 'alerts' } }]);
    expect(variant.alerting?.alertmanagers?.[0]?.static_configs).toEqual([{ targets: ['127.0.0.1:2'] }]);
    expect(config.scrape_configs?.[1]?.static_configs?.[0]?.targets, 'the input is not changed').toEqual(['127.0.0.1:9095']);
  });
});

describe('alertmanagerVariant', () => {
  it('points every webhook at the new origin (path kept) and the new credentials file', () => {
    const config = parse(`receivers:
  - name: pages
    webhook_configs:
      - url: http://127.0.0.1:9095/alertmanager/webhook?x=1
        http_config: { authorization: { type: Bearer, credentials_file: secrets/token } }
  - name: 'null'
`) as AlertmanagerConfig;
    const variant = alertmanagerVariant(config, { webhookOrigin: (current) => `http://relay:${current.port}`, credentialsFile: '/run/secrets/token' });
    expect(variant.receivers?.[0]?.webhook_configs?.[0]).toEqual({
      url: 'http://relay:9095/alertmanager/webhook?x=1',
      http_config: { authorization: { type: 'Bearer', credentials_file: '/run/secrets/token' } },
    });
    expect(variant.receivers?.[1]).toEqual({ name: 'null' });
  });
});
