// docker-compose.yml, validated offline (no Docker engine here): docker-compose 1.29 accepts it, and every file,
// secret, image, port and address it names exists and agrees with the configs the tests run. The Prometheus and
// Alertmanager configs are checked with promtool/amtool in the directory layout the container mounts give them.
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { parseRelayConfig } from '../alertmanager/relay/config.ts';
import { orderServiceMetricsPort, orderServiceReplicas, relayTokenSecretPath } from '../compose/compose-addresses.ts';
import { renderComposeConfigs } from '../compose/render-configs.ts';
import { grafana, intervals } from '../prometheus/alerting-config.ts';
import { dockerImageFiles } from './support/docker-image-files.ts';

const root = fileURLToPath(new URL('..', import.meta.url)).replace(/\/$/, '');
const read = (path: string): string => readFileSync(join(root, path), 'utf8');

interface Service {
  image?: string;
  build?: { context: string };
  command?: string[] | string;
  environment?: Record<string, string>;
  ports?: Array<{ published: number; target: number }>;
  volumes?: Array<string | { type: string; source: string; target: string }>;
  secrets?: Array<{ source: string; target?: string }>;
  healthcheck?: { test: string[] };
  depends_on?: Record<string, { condition: string }>;
  deploy?: { resources?: { limits?: { memory?: string } } };
}
interface Compose {
  services: Record<string, Service>;
  secrets: Record<string, { file: string }>;
  volumes: Record<string, unknown>;
}

/** `docker-compose config`: validates the file and prints it normalized (absolute paths, long port syntax). */
function composeConfig(): { status: number | null; stdout: string; stderr: string } {
  const result = spawnSync('docker-compose', ['-f', 'docker-compose.yml', 'config'], { cwd: root, encoding: 'utf8', env: { ...process.env, FAULT_INJECTION: '' } });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

const validated = composeConfig();
const compose = (validated.status === 0 ? parse(validated.stdout) : { services: {}, secrets: {}, volumes: {} }) as Compose;
const services = Object.entries(compose.services);
const commandOf = (service: Service): string => (Array.isArray(service.command) ? service.command.join(' ') : (service.command ?? ''));
const orderReplicas = services.filter(([, s]) => commandOf(s).includes('service/main.ts'));
const service = (name: string): Service => {
  const found = compose.services[name];
  if (!found) throw new Error(`docker-compose.yml has no service ${name}`);
  return found;
};
/** Bind mounts of a service: host path (absolute) to container path. */
function binds(s: Service): Array<{ source: string; target: string }> {
  return (s.volumes ?? []).flatMap((v) => {
    if (typeof v !== 'string') return v.type === 'bind' ? [{ source: v.source, target: v.target }] : [];
    const [source, target] = v.split(':');
    return source?.startsWith('/') && target ? [{ source, target }] : [];
  });
}
const containerPorts = (s: Service): number[] => (s.ports ?? []).map((p) => Number(p.target));
const hostPort = (s: Service, target: number): number | undefined => s.ports?.find((p) => Number(p.target) === target)?.published;

const temps: string[] = [];
afterAll(() => {
  for (const dir of temps) rmSync(dir, { recursive: true, force: true });
});
function tempDir(prefix: string): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  temps.push(dir);
  return dir;
}
/** Copies a service's bind mounts into a temp dir laid out as the container sees them; returns that root. */
function containerLayout(s: Service): string {
  const dir = tempDir('compose-layout-');
  for (const { source, target } of binds(s)) {
    const destination = join(dir, target);
    mkdirSync(dirname(destination), { recursive: true });
    cpSync(source, destination, { recursive: true });
  }
  return dir;
}

describe('docker-compose.yml', () => {
  it('is valid for docker-compose (offline `config`)', () => {
    expect(validated.stderr.replace(/^.*nodedir.*$/gm, '').trim(), 'docker-compose config complained').toBe('');
    expect(validated.status).toBe(0);
    expect(Object.keys(compose.services).sort()).toEqual(
      ['alert-relay', 'alertmanager', 'grafana', 'mailpit', 'order-service-1', 'order-service-2', 'postgres', 'prometheus'].sort(),
    );
  });

  it('pins every image to a version, and the Dockerfile to a Node 24 release', () => {
    for (const [name, s] of services) {
      if (s.build) {
        expect(s.image, `${name} builds the local image`).toBe('node-runtime-observability:local');
        continue;
      }
      expect(s.image, `${name}: image not pinned to a version`).toMatch(/^[\w./-]+:v?\d+\.\d+(\.\d+)?(-[\w.-]+)?$/);
    }
    expect(read('Dockerfile')).toMatch(/^FROM node:24\.\d+\.\d+-[\w-]+$/m);
  });

  it('gives every service a healthcheck and waits on health where it depends', () => {
    for (const [name, s] of services) {
      expect(s.healthcheck?.test?.length, `${name}: no healthcheck`).toBeGreaterThan(0);
      for (const [dependency, condition] of Object.entries(s.depends_on ?? {})) {
        expect(compose.services[dependency], `${name} depends on a missing ${dependency}`).toBeDefined();
        expect(condition.condition, `${name} -> ${dependency}`).toBe('service_healthy');
      }
    }
  });

  it('mounts only files that exist, into named volumes it declares', () => {
    for (const [name, s] of services) {
      for (const { source } of binds(s)) expect(existsSync(source), `${name}: mounts missing ${relative(root, source)}`).toBe(true);
      for (const volume of s.volumes ?? []) {
        const named = typeof volume === 'string' ? volume.split(':')[0]! : volume.type === 'volume' ? volume.source : '/';
        if (!named.startsWith('/')) expect(compose.volumes, `${name}: volume ${named} not declared`).toHaveProperty(named);
      }
    }
  });

  it('takes secrets from files, never committed: each has an example and is git-ignored', () => {
    const referenced = new Set(services.flatMap(([, s]) => (s.secrets ?? []).map((secret) => secret.source)));
    expect([...referenced].sort()).toEqual(Object.keys(compose.secrets).sort());
    for (const [name, secret] of Object.entries(compose.secrets)) {
      const path = relative(root, secret.file);
      expect(existsSync(`${secret.file}.example`), `secret ${name}: no ${path}.example`).toBe(true);
      const ignored = spawnSync('git', ['check-ignore', '-q', path], { cwd: root });
      expect(ignored.status, `secret ${name}: ${path} is not git-ignored`).toBe(0);
    }
    // Secrets reach the services as files, not environment values.
    for (const [name, s] of services) {
      for (const [key, value] of Object.entries(s.environment ?? {})) {
        if (/PASSWORD|TOKEN|SECRET|WEBHOOK/.test(key)) expect(value, `${name}: ${key} must point at a secret file`).toMatch(/^\/run\/secrets\//);
      }
    }
  });

  it('runs two order-service replicas capped like the incident, and Prometheus finds both', () => {
    expect(orderReplicas.map(([name]) => name).sort()).toEqual([...orderServiceReplicas].sort());
    for (const [name, s] of orderReplicas) {
      expect(commandOf(s), name).toContain('--max-old-space-size=256');
      expect(s.deploy?.resources?.limits?.memory, `${name}: container memory limit`).toMatch(/^\d+M$/);
      expect(s.environment?.METRICS_PORT, name).toBe(String(orderServiceMetricsPort));
      expect(containerPorts(s), name).toEqual(expect.arrayContaining([Number(s.environment?.PORT), orderServiceMetricsPort]));
    }
    const targets = JSON.parse(read('compose/prometheus/targets/order-service.json')) as Array<{ targets: string[] }>;
    expect(targets.flatMap((t) => t.targets).sort()).toEqual(orderReplicas.map(([name]) => `${name}:${orderServiceMetricsPort}`).sort());
  });

  it('publishes the README default ports, and Grafana where the alert links point', () => {
    const first = service('order-service-1');
    expect(hostPort(first, 8080)).toBe(8080);
    expect(hostPort(first, 9464)).toBe(9464);
    expect(hostPort(service('prometheus'), 9090)).toBe(9090);
    expect(hostPort(service('alertmanager'), 9093)).toBe(9093);
    expect(hostPort(service('alert-relay'), 9095)).toBe(9095);
    expect(hostPort(service('grafana'), 3000)).toBe(Number(new URL(grafana.baseUrl).port));
    expect(hostPort(service('mailpit'), 8025)).toBe(8025);
    const published = services.flatMap(([, s]) => (s.ports ?? []).map((p) => p.published));
    expect(new Set(published).size, 'a host port published twice').toBe(published.length);
  });

  it('ships compose configs that are the repository configs with compose addresses (node compose/render-configs.ts)', () => {
    for (const { path, text } of renderComposeConfigs()) {
      expect(read(path), `${path} is stale: run node compose/render-configs.ts`).toBe(text);
      expect(text, `${path} still names a loopback address`).not.toMatch(/127\.0\.0\.1/);
    }
  });

  it('points every address in the compose configs at a service and a port it listens on', () => {
    const listens = new Map<string, number[]>(services.map(([name, s]) => [name, containerPorts(s)]));
    const relayConfig = parse(read('compose/relay/relay.yml')) as { listen: { host: string; port: number } };
    expect(relayConfig.listen.host, 'the relay must listen beyond loopback in its container').toBe('0.0.0.0');
    listens.set('alert-relay', [relayConfig.listen.port]);
    listens.set('localhost', [9090]); // Prometheus scraping itself
    const addresses = [
      ...read('compose/prometheus/prometheus.yml').matchAll(/'([\w-]+):(\d+)'/g),
      ...read('compose/prometheus/targets/order-service.json').matchAll(/"([\w-]+):(\d+)"/g),
      ...read('compose/alertmanager/alertmanager.yml').matchAll(/https?:\/\/([\w-]+):(\d+)/g),
      ...read('grafana/provisioning/datasources/datasources.yml').matchAll(/https?:\/\/([\w-]+):(\d+)/g),
      ...read('compose/relay/relay.yml').matchAll(/^\s+host: ([a-z][\w-]*)\n\s+port: (\d+)/gm),
    ].map((m) => ({ host: m[1]!, port: Number(m[2]) }));
    expect(addresses.length).toBeGreaterThan(8);
    for (const { host, port } of addresses) {
      expect(listens.get(host), `${host}:${port}: no such compose service`).toBeDefined();
      expect(listens.get(host), `${host}:${port}: the service does not listen there`).toContain(port);
    }
    // mailpit's SMTP port is only published for convenience; it must be the container's SMTP port.
    expect(containerPorts(service('mailpit'))).toContain(1025);
  });

  it('gives Grafana the scrape interval of the compose Prometheus, so $__rate_interval spans four scrapes', () => {
    const datasources = parse(read('grafana/provisioning/datasources/datasources.yml')) as { datasources: Array<{ type: string; jsonData?: { timeInterval?: string } }> };
    const prometheus = parse(read('compose/prometheus/prometheus.yml')) as { global: { scrape_interval: string } };
    expect(datasources.datasources.find((d) => d.type === 'prometheus')?.jsonData?.timeInterval).toBe(prometheus.global.scrape_interval);
    expect(prometheus.global.scrape_interval).toBe(intervals.scrape);
  });

  it('mounts the provisioning and generated dashboards where Grafana reads them', () => {
    const mounts = new Map(binds(service('grafana')).map((b) => [b.target, relative(root, b.source)]));
    expect(mounts.get('/etc/grafana/provisioning/datasources')).toBe('grafana/provisioning/datasources');
    expect(mounts.get('/etc/grafana/provisioning/dashboards')).toBe('grafana/provisioning/dashboards');
    const provider = parse(read('grafana/provisioning/dashboards/dashboards.yml')) as { providers: Array<{ options: { path: string } }> };
    expect(mounts.get(provider.providers[0]!.options.path)).toBe('grafana/dashboards');
  });

  it('loads the Prometheus config and every rule in the container layout (promtool 2.42; compose pins 2.x, no rule syntax change)', () => {
    const prometheus = service('prometheus');
    const [, minor] = /^prom\/prometheus:v2\.(\d+)\.\d+$/.exec(prometheus.image ?? '') ?? [];
    expect(Number(minor), `compose pins ${prometheus.image}; the rules are tested with 2.42`).toBeGreaterThanOrEqual(42);
    const layout = containerLayout(prometheus);
    const configFile = join(layout, commandOf(prometheus).match(/--config\.file=(\S+)/)![1]!);
    const check = spawnSync('promtool', ['check', 'config', configFile], { encoding: 'utf8' });
    expect(check.status, `${check.stdout}${check.stderr}`).toBe(0);
    // One line per rule file the config's rule_files glob found in the mounted rules directory.
    const perFile = [...check.stdout.matchAll(/SUCCESS: (\d+) rules found/g)].map((m) => Number(m[1]));
    expect(perFile.length, check.stdout).toBe(readdirSync(join(root, 'prometheus/rules')).filter((f) => f.endsWith('.yml')).length);
    expect(perFile.reduce((a, b) => a + b, 0)).toBeGreaterThan(10);
  });

  it('loads the Alertmanager config with the relay token where the secret is mounted (amtool 0.25; compose pins 0.2x)', () => {
    const alertmanager = service('alertmanager');
    expect(alertmanager.image).toMatch(/^prom\/alertmanager:v0\.(2[5-9])\.\d+$/);
    expect(alertmanager.secrets?.map((s) => s.source)).toContain('relay-token');
    const layout = containerLayout(alertmanager);
    const configFile = join(layout, commandOf(alertmanager).match(/--config\.file=(\S+)/)![1]!);
    // amtool reads credentials_file: point it at a token where /run/secrets/relay-token would be.
    const token = join(layout, relayTokenSecretPath);
    mkdirSync(dirname(token), { recursive: true });
    writeFileSync(token, 'example-token\n');
    writeFileSync(configFile, readFileSync(configFile, 'utf8').replaceAll(relayTokenSecretPath, token));
    const check = spawnSync('amtool', ['check-config', configFile], { encoding: 'utf8' });
    expect(check.status, `${check.stdout}${check.stderr}`).toBe(0);
  });

  it('gives the relay a config its own validation accepts, with the secrets Compose mounts', () => {
    const relay = service('alert-relay');
    const configTarget = commandOf(relay).match(/--config (\S+)/)![1]!;
    const mount = binds(relay).find((b) => b.target === configTarget);
    expect(mount, `the relay's --config ${configTarget} is not mounted`).toBeDefined();
    const secretsDir = tempDir('compose-secrets-');
    for (const secret of relay.secrets ?? []) cpSync(`${compose.secrets[secret.source]!.file}.example`, join(secretsDir, secret.source));
    const text = readFileSync(mount!.source, 'utf8').replaceAll('/run/secrets/', `${secretsDir}/`);
    const config = parseRelayConfig(text, join(secretsDir, 'relay.yml'), { env: {} });
    expect(config.listen.port).toBe(9095);
    expect([...config.receivers.keys()].sort()).toEqual(['email-team', 'slack-oncall', 'watchdog']);
    const alertmanagerReceivers = (parse(read('alertmanager/alertmanager.yml')) as { receivers: Array<{ name: string; webhook_configs?: unknown[] }> }).receivers
      .filter((r) => r.webhook_configs)
      .map((r) => r.name)
      .sort();
    expect([...config.receivers.keys()].sort()).toEqual(alertmanagerReceivers);
  });

  it('builds an image holding what the services run, and the commands name files that exist', () => {
    const image = dockerImageFiles(root);
    for (const [name, s] of services.filter(([, s]) => s.build)) {
      const entry = commandOf(s).match(/([\w/.-]+\.ts)/)?.[1];
      expect(entry, `${name}: no .ts entry point in its command`).toBeDefined();
      expect(statSync(join(root, entry!)).isFile(), `${name}: ${entry} does not exist`).toBe(true);
      expect(image.has(entry!), `${name}: ${entry} is not copied into the image (Dockerfile COPY, .dockerignore)`).toBe(true);
    }
    expect(read('Dockerfile')).toContain('COPY package.json package-lock.json ./');
  });
});
