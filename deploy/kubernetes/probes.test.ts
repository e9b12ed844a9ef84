// The rendered pods' probes and scrape endpoints against the real processes: the order service started with the
// Deployment's own environment (NODE_OPTIONS included) and the relay with the ConfigMap's relay.yml answer on the
// paths and ports the manifests name; the heap limit the capped process reports fits under the container's memory
// limit; SIGTERM turns readiness off and the process exits within the pod's grace period.
import { cpSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse, stringify } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../../common/free-port.ts';
import { startOrderService, type OrderServiceProcess } from '../../stack/order-service-process.ts';
import { startRelay, type RelayProcess } from '../../stack/relay-process.ts';
import { jobs } from '../../prometheus/alerting-config.ts';
import { startTestPostgres, type TestPostgres } from '../../test/support/test-postgres.ts';
import { waitFor } from '../../common/wait-for.ts';
import { relay as relayNames } from './manifests/names.ts';
import { copyWithExampleSecrets, kustomize, type KubeObject } from './testing/render.ts';

interface Container {
  ports: Array<{ name: string; containerPort: number }>;
  env: Array<{ name: string; value?: string }>;
  resources: { limits: { memory: string } };
  startupProbe: { httpGet: { path: string; port: string } };
  livenessProbe: { httpGet: { path: string; port: string } };
  readinessProbe: { httpGet: { path: string; port: string } };
}
type DeploymentView = KubeObject & { spec: { template: { spec: { containers: Container[]; terminationGracePeriodSeconds: number } } } };
type MonitorView = KubeObject & { spec: { endpoints: Array<{ port: string; path: string }> } };
type ServiceView = KubeObject & { spec: { ports: Array<{ name: string; targetPort: string }> } };

let objects: KubeObject[];
let copy: ReturnType<typeof copyWithExampleSecrets>;
const temps: string[] = [];

beforeAll(async () => {
  copy = copyWithExampleSecrets();
  objects = await kustomize(copy.dir, 'overlays/production');
});
afterAll(() => {
  copy?.remove();
  for (const dir of temps) rmSync(dir, { recursive: true, force: true });
});

const find = <T extends KubeObject>(kind: string, name: string): T => {
  const found = objects.find((o) => o.kind === kind && (o.metadata.name === name || new RegExp(`^${name}-[a-z0-9]{10}$`).test(o.metadata.name)));
  if (!found) throw new Error(`no ${kind} ${name} rendered`);
  return found as T;
};
/** Every HTTP endpoint the cluster will call on a pod: its probes, and the ServiceMonitor's scrape through its Service. */
function endpointsOf(name: string): Array<{ what: string; port: string; path: string }> {
  const container = find<DeploymentView>('Deployment', name).spec.template.spec.containers[0]!;
  const service = find<ServiceView>('Service', name);
  const scrape = find<MonitorView>('ServiceMonitor', name).spec.endpoints.map((e) => ({
    what: 'scrape',
    port: service.spec.ports.find((p) => p.name === e.port)!.targetPort,
    path: e.path,
  }));
  return [
    { what: 'startupProbe', ...container.startupProbe.httpGet },
    { what: 'livenessProbe', ...container.livenessProbe.httpGet },
    { what: 'readinessProbe', ...container.readinessProbe.httpGet },
    ...scrape,
  ];
}

describe('the order service pod, run for real', () => {
  let db: TestPostgres;
  let service: OrderServiceProcess;
  const ports = new Map<string, number>();
  let container: Container;

  beforeAll(async () => {
    db = await startTestPostgres();
    const deployment = find<DeploymentView>('Deployment', jobs.orderService);
    container = deployment.spec.template.spec.containers[0]!;
    for (const p of container.ports) ports.set(p.name, await freePort());
    // The Deployment's environment as is, except what only differs on loopback: the address and the ports.
    const env = Object.fromEntries(container.env.filter((e) => e.value !== undefined).map((e) => [e.name, e.value!]));
    service = await startOrderService({
      port: ports.get('http')!,
      metricsPort: ports.get('metrics')!,
      env: { ...env, HOST: '127.0.0.1', PORT: String(ports.get('http')), METRICS_PORT: String(ports.get('metrics')), DATABASE_URL: db.url },
    });
  });
  afterAll(async () => {
    await service?.stop();
    await db?.destroy();
  });

  it('answers 200 on every probe and scrape path, on the port each names', async () => {
    const endpoints = endpointsOf(jobs.orderService);
    expect(endpoints.map((e) => e.path)).toEqual(expect.arrayContaining(['/healthz', '/readyz', '/metrics']));
    for (const { what, port, path } of endpoints) {
      const response = await fetch(`http://127.0.0.1:${ports.get(port)}${path}`);
      expect(response.status, `${what} ${port}${path}`).toBe(200);
    }
  });

  it('runs with the heap limit NODE_OPTIONS sets, below the container memory limit', async () => {
    const text = await (await fetch(`http://127.0.0.1:${ports.get('metrics')}/metrics`)).text();
    const limit = Number(/^v8js_memory_heap_size_limit_bytes(?:\{[^}]*\})? (\S+)/m.exec(text)?.[1]);
    const containerLimit = Number(/^(\d+)Mi$/.exec(container.resources.limits.memory)?.[1]) * 2 ** 20;
    // Without the cap V8 sizes the heap from the machine's memory, far above any 512 MiB container.
    expect(limit).toBeGreaterThan(256 * 2 ** 20);
    expect(limit).toBeLessThan(containerLimit);
  });

  it('on SIGTERM stops being ready, then exits cleanly within the grace period', async () => {
    const deployment = find<DeploymentView>('Deployment', jobs.orderService);
    const readyz = `http://127.0.0.1:${ports.get('http')}/readyz`;
    const started = Date.now();
    service.process.child.kill('SIGTERM');
    const answers: number[] = [];
    const exit = await waitFor(
      async () => {
        try {
          answers.push((await fetch(readyz, { signal: AbortSignal.timeout(1_000) })).status);
        } catch {
          answers.push(0); // closed
        }
        return service.process.child.exitCode !== null ? service.process.child.exitCode : undefined;
      },
      { what: 'the order service to exit after SIGTERM', timeoutMs: deployment.spec.template.spec.terminationGracePeriodSeconds * 1000, intervalMs: 20 },
    );
    expect(exit).toBe(0);
    expect(Date.now() - started).toBeLessThan(deployment.spec.template.spec.terminationGracePeriodSeconds * 1000);
    // A probe racing the signal may still see 200; once readiness is off it never comes back.
    const firstOff = answers.findIndex((status) => status !== 200);
    expect(firstOff).toBeGreaterThanOrEqual(0);
    expect(answers.slice(firstOff), 'readiness came back during shutdown').not.toContain(200);
  });
});

describe('the relay pod, run for real', () => {
  let relay: RelayProcess;

  beforeAll(async () => {
    const configMap = find<KubeObject & { data: Record<string, string> }>('ConfigMap', 'alert-relay-config');
    const dir = mkdtempSync(join(tmpdir(), 'relay-pod-'));
    temps.push(dir);
    // The Secret's files where the pod mounts them, the outbox where the volume is: in a temp dir here.
    cpSync(join(copy.dir, 'base/secrets'), join(dir, 'secrets'), { recursive: true });
    const config = parse(configMap.data['relay.yml']!.replaceAll(relayNames.secretsDir, join(dir, 'secrets')).replaceAll(relayNames.dataDir, dir)) as { listen: { host: string } };
    config.listen.host = '127.0.0.1'; // tests bind loopback only; the pod listens on all interfaces
    const configFile = join(dir, 'relay.yml');
    writeFileSync(configFile, stringify(config));
    const container = find<DeploymentView>('Deployment', jobs.relay).spec.template.spec.containers[0]!;
    const env = Object.fromEntries(container.env.filter((e) => e.value !== undefined).map((e) => [e.name, e.value!]));
    relay = await startRelay({ configFile, port: await freePort(), outboxDir: dir, env });
  });
  afterAll(async () => {
    await relay?.stop();
  });

  it('accepts the generated relay.yml and answers 200 on every probe and scrape path', async () => {
    const endpoints = endpointsOf(jobs.relay);
    expect(endpoints.every((e) => e.port === 'http')).toBe(true);
    for (const { what, path } of endpoints) {
      const response = await fetch(`${relay.url}${path}`);
      expect(response.status, `${what} ${path}`).toBe(200);
    }
    expect(await (await fetch(relay.metricsUrl)).text()).toMatch(/^alert_relay_/m);
  });
});
