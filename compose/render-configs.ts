// `node compose/render-configs.ts`: writes the Compose variants of prometheus/prometheus.yml and
// alertmanager/alertmanager.yml into compose/. They differ only in addresses (service names instead of
// 127.0.0.1) and the secret's path; the committed files are checked against this rendering by test/compose.test.ts,
// so the routing and scrape settings can never drift from the ones the tests run.
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
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

/** Replaces every 127.0.0.1:<port> by the Compose address of that port; an unknown port is an error. */
function toComposeAddresses(text: string, source: string): string {
  return text.replace(/127\.0\.0\.1:(\d+)/g, (match, port: string) => {
    const address = composeAddressByLoopbackPort[Number(port)];
    if (address === undefined) throw new Error(`${source}: ${match} has no Compose address (add its port to compose/compose-addresses.ts)`);
    return address;
  });
}

export function renderComposeConfigs(): RenderedConfig[] {
  const prometheus = 'prometheus/prometheus.yml';
  const alertmanager = 'alertmanager/alertmanager.yml';
  const prometheusText = toComposeAddresses(readFileSync(`${root}${prometheus}`, 'utf8'), prometheus);
  const alertmanagerText = toComposeAddresses(readFileSync(`${root}${alertmanager}`, 'utf8'), alertmanager).replace(
    /credentials_file: \S*relay-token/g,
    `credentials_file: ${relayTokenSecretPath}`,
  );
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
