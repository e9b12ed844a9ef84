// `node compose/render-configs.ts`: writes the Compose variants of prometheus/prometheus.yml and
// alertmanager/alertmanager.yml into compose/. They differ only in addresses (service names instead of
// 127.0.0.1) and the secret's path, changed in the parsed YAML the way the launcher changes them
// (stack/config-variants.ts); the committed files are checked against this rendering by test/compose.test.ts, so
// the routing and scrape settings can never drift from the ones the tests run.
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { alertmanagerVariant, editYaml, prometheusVariant, type AlertmanagerConfig, type PrometheusConfig } from '../stack/config-variants.ts';
import { composeAddressByLoopbackPort, orderServiceMetricsPort, orderServiceReplicas, relayTokenSecretPath } from './compose-addresses.ts';

const root = fileURLToPath(new URL('..', import.meta.url));

export interface RenderedConfig {
  /** Path relative to the repository root. */
  path: string;
  text: string;
}

function header(source: string): string {
  return `# GENERATED from ${source} by compose/render-configs.ts for docker-compose.yml: do not edit, edit the source.\n`;
}

/** The Compose address of a loopback `127.0.0.1:<port>`; an unknown address or port is an error. */
function composeAddress(address: string, source: string): string {
  const [host, port] = address.split(':');
  const mapped = host === '127.0.0.1' ? composeAddressByLoopbackPort[Number(port)] : undefined;
  if (mapped === undefined) throw new Error(`${source}: ${address} has no Compose address (add its port to compose/compose-addresses.ts)`);
  return mapped;
}

function composePrometheus(config: PrometheusConfig, source: string): PrometheusConfig {
  const toCompose = (targets: string[] | undefined): string[] => (targets ?? []).map((target) => composeAddress(target, source));
  const targets = Object.fromEntries(
    (config.scrape_configs ?? []).flatMap((scrape) => (scrape.static_configs ? [[scrape.job_name, toCompose(scrape.static_configs[0]?.targets)]] : [])),
  );
  const alertmanagers = toCompose(config.alerting?.alertmanagers?.[0]?.static_configs?.[0]?.targets);
  return prometheusVariant(config, { targets, ...(alertmanagers.length > 0 ? { alertmanagers } : {}) });
}

function composeAlertmanager(config: AlertmanagerConfig, source: string): AlertmanagerConfig {
  return alertmanagerVariant(config, {
    webhookOrigin: (current) => `${current.protocol}//${composeAddress(current.host, source)}`,
    credentialsFile: relayTokenSecretPath,
  });
}

export function renderComposeConfigs(): RenderedConfig[] {
  const prometheus = 'prometheus/prometheus.yml';
  const alertmanager = 'alertmanager/alertmanager.yml';
  const prometheusText = editYaml<PrometheusConfig>(readFileSync(`${root}${prometheus}`, 'utf8'), (c) => composePrometheus(c, prometheus), prometheus);
  const alertmanagerText = editYaml<AlertmanagerConfig>(readFileSync(`${root}${alertmanager}`, 'utf8'), (c) => composeAlertmanager(c, alertmanager), alertmanager);
  const targets = [{ targets: orderServiceReplicas.map((replica) => `${replica}:${orderServiceMetricsPort}`) }];
  return [
    { path: 'compose/prometheus/prometheus.yml', text: header(prometheus) + prometheusText },
    { path: 'compose/prometheus/targets/order-service.json', text: `${JSON.stringify(targets, null, 2)}\n` },
    { path: 'compose/alertmanager/alertmanager.yml', text: header(alertmanager) + alertmanagerText },
  ];
}

if (import.meta.main) {
  for (const { path, text } of renderComposeConfigs()) {
    writeFileSync(`${root}${path}`, text);
    console.log(`wrote ${path}`);
  }
}
