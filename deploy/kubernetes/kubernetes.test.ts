// deploy/kubernetes checked offline, no cluster: the generated files are up to date, every kustomize root renders
// with kubectl's built-in kustomize, every object validates against the Kubernetes and Prometheus Operator
// schemas, names, labels, selectors and ports agree across objects, the PrometheusRules are the rule files, the
// dashboards are grafana/dashboards, and Alertmanager's routing is alertmanager.yml with the cluster's addresses.
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, posix } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { intervals, jobs } from '../../prometheus/alerting-config.ts';
import { ruleFiles } from '../../prometheus/rules/rule-files.ts';
import { runTool } from '../../test/support/run-tool.ts';
import { dashboardConfigMapName, generatedFiles, grafanaDashboardLabel } from './generated-files.ts';
import { alertmanagerConfigKey, alertmanagerConfigSecretName, alertmanagerTokenSecretName, relayTokenPathInAlertmanager } from './manifests/alertmanager-routing.ts';
import { appNamespace, monitoringNamespace } from './manifests/names.ts';
import { copyWithExampleSecrets, kubectl, kustomize, roots, type KubeObject, type Root } from './testing/render.ts';
import { schemaErrors } from './testing/schema-validation.ts';

const here = dirname(fileURLToPath(import.meta.url));
const repo = join(here, '../..');

// Typed views of what the checks read (the schemas have validated the full objects).
interface Container {
  name: string;
  command?: string[];
  ports?: Array<{ name: string; containerPort: number }>;
  env?: Array<{ name: string; value?: string; valueFrom?: { secretKeyRef?: { name: string; key: string } } }>;
  resources?: { requests?: Record<string, string>; limits?: Record<string, string> };
  startupProbe?: Probe;
  livenessProbe?: Probe;
  readinessProbe?: Probe;
  lifecycle?: { preStop?: { exec?: { command: string[] } } };
  volumeMounts?: Array<{ name: string; mountPath: string }>;
}
interface Probe {
  httpGet?: { path: string; port: string | number };
}
interface PodSpec {
  containers: Container[];
  terminationGracePeriodSeconds?: number;
  volumes?: Array<{ name: string; configMap?: { name: string }; secret?: { secretName: string }; persistentVolumeClaim?: { claimName: string } }>;
}
interface DeploymentView extends KubeObject {
  spec: { replicas?: number; strategy?: { type: string }; selector: { matchLabels: Record<string, string> }; template: { metadata: { labels: Record<string, string> }; spec: PodSpec } };
}
interface ServiceView extends KubeObject {
  spec: { selector: Record<string, string>; ports: Array<{ name: string; port: number; targetPort: string | number }> };
}

const rendered = new Map<Root, KubeObject[]>();
let copy: ReturnType<typeof copyWithExampleSecrets>;

beforeAll(async () => {
  copy = copyWithExampleSecrets();
  for (const root of roots) rendered.set(root, await kustomize(copy.dir, root));
});
afterAll(() => copy?.remove());

const objects = (root: Root): KubeObject[] => rendered.get(root) ?? [];
const find = <T extends KubeObject>(root: Root, kind: string, name: string): T => {
  const found = objects(root).find((o) => o.kind === kind && o.metadata.name === name);
  if (!found) throw new Error(`${root}: no ${kind} ${name} in the kustomize output`);
  return found as T;
};
/** A generated ConfigMap or Secret, whose rendered name carries kustomize's content hash unless disabled. */
const findGenerated = (root: Root, kind: string, name: string): KubeObject & { data?: Record<string, string> } => {
  const found = objects(root).filter((o) => o.kind === kind && (o.metadata.name === name || new RegExp(`^${name}-[a-z0-9]{10}$`).test(o.metadata.name)));
  if (found.length !== 1) throw new Error(`${root}: expected one ${kind} ${name}, found ${found.length}`);
  return found[0]!;
};
const matches = (selector: Record<string, string>, labels: Record<string, string> | undefined): boolean =>
  Object.keys(selector).length > 0 && Object.entries(selector).every(([k, v]) => labels?.[k] === v);
/** Deployments and StatefulSets: what a Service may select. */
const deployments = (root: Root): DeploymentView[] => objects(root).filter((o): o is DeploymentView => o.kind === 'Deployment' || o.kind === 'StatefulSet');
const mib = (quantity: string | undefined): number => {
  const m = /^(\d+)(Mi|Gi)$/.exec(quantity ?? '');
  if (!m) throw new Error(`memory quantity ${quantity} is not in Mi or Gi`);
  return Number(m[1]) * (m[2] === 'Gi' ? 1024 : 1);
};
const decode = (secret: KubeObject & { data?: Record<string, string> }, key: string): string => Buffer.from(secret.data?.[key] ?? '', 'base64').toString('utf8');

describe('generated files', () => {
  it('are committed exactly as `npm run k8s` generates them', () => {
    const files = generatedFiles();
    for (const [path, content] of files) {
      const file = join(here, path);
      expect(existsSync(file), `deploy/kubernetes/${path} is missing: run npm run k8s`).toBe(true);
      expect(readFileSync(file, 'utf8'), `deploy/kubernetes/${path} is stale: run npm run k8s`).toBe(content);
    }
    const dashboardCopies = readdirSync(join(here, 'base/dashboards')).map((f) => `base/dashboards/${f}`);
    for (const copied of dashboardCopies) expect(files.has(copied), `${copied} is no longer generated: run npm run k8s`).toBe(true);
  });

  it('hold the rules of prometheus/rules/*.yml, group for group, as PrometheusRule objects', () => {
    const committed = parse(readFileSync(join(here, 'base/prometheus-rules.yaml'), 'utf8').split('\n---\n')[0]!) as KubeObject;
    expect(committed.kind).toBe('PrometheusRule');
    for (const path of Object.keys(ruleFiles)) {
      const name = posix.basename(path, '.yml');
      const rule = find<KubeObject & { spec: unknown }>('overlays/production', 'PrometheusRule', name);
      // The committed rule YAML (what promtool tests) and the rendered object's spec are the same data.
      expect(rule.spec, `PrometheusRule ${name} differs from prometheus/${path}`).toEqual(parse(readFileSync(join(repo, 'prometheus', path), 'utf8')));
    }
    expect(objects('overlays/production').filter((o) => o.kind === 'PrometheusRule')).toHaveLength(Object.keys(ruleFiles).length);
  });
});

describe('kubectl kustomize', () => {
  it('is installed (the checks below need it; they fail, never skip, without it)', () => {
    expect(existsSync(kubectl), `${kubectl} is missing`).toBe(true);
  });

  it.each(roots)('renders %s', (root) => {
    expect(objects(root).length).toBeGreaterThan(0);
  });

  it('renders the app with everything the issue asks for, in the app namespace', () => {
    for (const root of ['overlays/production', 'overlays/demo'] as const) {
      const kinds = objects(root).map((o) => `${o.kind}/${o.metadata.name.replace(/-[a-z0-9]{10}$/, '')}`).sort();
      for (const wanted of [
        'Deployment/order-service', 'Service/order-service', 'PodDisruptionBudget/order-service', 'HorizontalPodAutoscaler/order-service',
        'Deployment/alert-relay', 'Service/alert-relay', 'PersistentVolumeClaim/alert-relay-outbox', 'Secret/alert-relay', 'ConfigMap/alert-relay-config',
        'ServiceMonitor/order-service', 'ServiceMonitor/alert-relay', 'Secret/order-service-database',
      ]) expect(kinds, `${root}`).toContain(wanted);
      for (const o of objects(root)) if (o.kind !== 'Namespace') expect(o.metadata.namespace, `${root} ${o.kind} ${o.metadata.name}`).toBe(appNamespace);
    }
    for (const o of objects('alertmanager')) expect(o.metadata.namespace).toBe(monitoringNamespace);
  });
});

describe('schemas (official OpenAPI: Kubernetes and Prometheus Operator)', () => {
  it.each(roots)('every object of %s validates', (root) => {
    expect(objects(root).flatMap(schemaErrors)).toEqual([]);
  });

  it('reject a broken object (the validation can fail)', () => {
    const hpa = structuredClone(find('overlays/production', 'HorizontalPodAutoscaler', 'order-service')) as KubeObject & { spec: Record<string, unknown> };
    hpa.spec.maxReplicas = 'ten';
    expect(schemaErrors(hpa).join()).toMatch(/maxReplicas must be integer/);
    const rule = structuredClone(find('overlays/production', 'PrometheusRule', 'runtime-alerts')) as KubeObject & { spec: { groups: Array<{ rules: Array<Record<string, unknown>> }> } };
    rule.spec.groups[0]!.rules[0]!.for = 'five minutes';
    expect(schemaErrors(rule).join()).toMatch(/for must match pattern/);
    expect(schemaErrors({ apiVersion: 'example.org/v1', kind: 'Gadget', metadata: { name: 'x' } }).join()).toMatch(/no schema known/);
  });
});

describe('the order service', () => {
  const root = 'overlays/production';
  const deployment = (): DeploymentView => find<DeploymentView>(root, 'Deployment', jobs.orderService);
  const container = (): Container => deployment().spec.template.spec.containers[0]!;
  const env = (name: string): string | undefined => container().env?.find((e) => e.name === name)?.value;

  it('autoscales from 2 to 10 replicas on CPU and memory, up at once and down slowly', () => {
    const hpa = find<KubeObject & { spec: Record<string, any> }>(root, 'HorizontalPodAutoscaler', jobs.orderService);
    expect(hpa.apiVersion).toBe('autoscaling/v2');
    expect(hpa.spec.minReplicas).toBe(2);
    expect(hpa.spec.maxReplicas).toBe(10);
    expect(hpa.spec.scaleTargetRef).toEqual({ apiVersion: 'apps/v1', kind: 'Deployment', name: deployment().metadata.name });
    const resources = (hpa.spec.metrics as Array<{ type: string; resource: { name: string; target: { type: string } } }>).map((m) => `${m.type}/${m.resource.name}/${m.resource.target.type}`);
    expect(resources.sort()).toEqual(['Resource/cpu/Utilization', 'Resource/memory/Utilization']);
    // Utilization is relative to requests: both must be set.
    expect(container().resources?.requests?.cpu).toBeDefined();
    expect(container().resources?.requests?.memory).toBeDefined();
    const { scaleUp, scaleDown } = hpa.spec.behavior as Record<string, { stabilizationWindowSeconds: number }>;
    expect(scaleUp!.stabilizationWindowSeconds).toBe(0);
    expect(scaleDown!.stabilizationWindowSeconds).toBeGreaterThan(scaleUp!.stabilizationWindowSeconds);
    expect(deployment().spec.replicas).toBe(hpa.spec.minReplicas);
  });

  it('caps the heap like the incident, under a memory limit that leaves V8 room to die of its own heap limit first', () => {
    const oldSpace = Number(/--max-old-space-size=(\d+)/.exec(env('NODE_OPTIONS') ?? '')?.[1]);
    expect(oldSpace).toBe(256);
    const limit = mib(container().resources?.limits?.memory);
    expect(mib(container().resources?.requests?.memory)).toBe(limit);
    // heap_size_limit = old space + 3 x 64 MiB semi-space (the process's own metric says so, probes.test.ts).
    expect(limit).toBeGreaterThanOrEqual(oldSpace + 192 + 32);
  });

  it('stops gracefully within the grace period: preStop, then SIGTERM and the service\'s own shutdown deadline', () => {
    const preStop = container().lifecycle?.preStop?.exec?.command ?? [];
    expect(preStop[0]).toBe('sleep');
    const shutdownSeconds = Number(env('SHUTDOWN_TIMEOUT_MS')) / 1000;
    expect(shutdownSeconds).toBeGreaterThan(0);
    expect(deployment().spec.template.spec.terminationGracePeriodSeconds).toBeGreaterThan(Number(preStop[1]) + shutdownSeconds);
  });

  it('has a PodDisruptionBudget and probes on the ports it names', () => {
    const pdb = find<KubeObject & { spec: { selector: { matchLabels: Record<string, string> }; maxUnavailable?: number } }>(root, 'PodDisruptionBudget', jobs.orderService);
    expect(matches(pdb.spec.selector.matchLabels, deployment().spec.template.metadata.labels)).toBe(true);
    expect(pdb.spec.maxUnavailable).toBe(1);
    const c = container();
    expect(c.readinessProbe?.httpGet?.path).toBe('/readyz');
    expect(c.livenessProbe?.httpGet?.path).toBe('/healthz');
    for (const probe of [c.startupProbe, c.livenessProbe, c.readinessProbe]) {
      expect(c.ports?.map((p) => p.name)).toContain(probe?.httpGet?.port);
    }
    expect(c.ports?.find((p) => p.name === 'http')?.containerPort).toBe(Number(env('PORT')));
    expect(c.ports?.find((p) => p.name === 'metrics')?.containerPort).toBe(Number(env('METRICS_PORT')));
  });
});

describe('the relay', () => {
  const root = 'overlays/production';
  const deployment = (): DeploymentView => find<DeploymentView>(root, 'Deployment', jobs.relay);

  it('runs one replica, replaced (never rolled) so two never open the outbox, on a ReadWriteOnce volume where its config keeps the outbox', () => {
    expect(deployment().spec.replicas).toBe(1);
    expect(deployment().spec.strategy?.type).toBe('Recreate');
    const pod = deployment().spec.template.spec;
    const configMap = findGenerated(root, 'ConfigMap', 'alert-relay-config');
    const relayYml = parse(configMap.data?.['relay.yml'] ?? '') as { outbox: { path: string }; auth: { bearerTokens: Array<{ file: string }> }; slack: Record<string, { webhookUrl: { file: string } }>; email: { smtp: { password: { file: string } } } };
    const mountOf = (volumeName: string): string | undefined => pod.containers[0]!.volumeMounts?.find((m) => m.name === volumeName)?.mountPath;
    const outboxVolume = pod.volumes?.find((v) => v.persistentVolumeClaim);
    const claim = find<KubeObject & { spec: { accessModes: string[] } }>(root, 'PersistentVolumeClaim', outboxVolume!.persistentVolumeClaim!.claimName);
    expect(claim.spec.accessModes).toEqual(['ReadWriteOnce']);
    expect(posix.dirname(relayYml.outbox.path)).toBe(mountOf(outboxVolume!.name));
    // Every secret file the config names is a key of the mounted Secret.
    const secretVolume = pod.volumes!.find((v) => v.secret)!;
    const secret = findGenerated(root, 'Secret', 'alert-relay');
    expect(secretVolume.secret!.secretName).toBe(secret.metadata.name);
    const files = [relayYml.auth.bearerTokens[0]!.file, relayYml.slack.oncall!.webhookUrl.file, relayYml.email.smtp.password.file];
    for (const file of files) {
      expect(posix.dirname(file)).toBe(mountOf(secretVolume.name));
      expect(Object.keys(secret.data ?? {})).toContain(posix.basename(file));
    }
    // It listens where the pod's port and the Service point.
    const listen = (parse(configMap.data?.['relay.yml'] ?? '') as { listen: { host: string; port: number } }).listen;
    expect(listen.host).toBe('0.0.0.0');
    expect(pod.containers[0]!.ports?.find((p) => p.name === 'http')?.containerPort).toBe(listen.port);
    const configVolume = pod.volumes!.find((v) => v.configMap)!;
    expect(configVolume.configMap!.name).toBe(configMap.metadata.name);
    expect(pod.containers[0]!.command).toContain(`${mountOf(configVolume.name)}/relay.yml`);
    expect(pod.terminationGracePeriodSeconds).toBeGreaterThan((parse(configMap.data?.['relay.yml'] ?? '') as { delivery: { shutdownGraceSeconds: number } }).delivery.shutdownGraceSeconds);
  });

  it('has secrets that are placeholders only', () => {
    const secret = findGenerated(root, 'Secret', 'alert-relay');
    expect(decode(secret, 'relay-token')).toMatch(/change-me/);
    expect(decode(secret, 'slack-webhook-url')).toMatch(/REPLACE-WITH-YOUR-WEBHOOK/);
    expect(decode(findGenerated(root, 'Secret', 'order-service-database'), 'url')).toMatch(/change-me/);
  });
});

describe('labels, selectors, ports and references', () => {
  it.each(['overlays/production', 'overlays/demo'] as const)('agree in %s', (root) => {
    for (const d of deployments(root)) {
      expect(matches(d.spec.selector.matchLabels, d.spec.template.metadata.labels), `${d.metadata.name}: selector does not match its pods`).toBe(true);
      const pod = d.spec.template.spec;
      for (const v of pod.volumes ?? []) {
        if (v.configMap) expect(objects(root).some((o) => o.kind === 'ConfigMap' && o.metadata.name === v.configMap!.name), `${d.metadata.name}: ConfigMap ${v.configMap.name}`).toBe(true);
        if (v.secret) expect(objects(root).some((o) => o.kind === 'Secret' && o.metadata.name === v.secret!.secretName), `${d.metadata.name}: Secret ${v.secret.secretName}`).toBe(true);
        if (v.persistentVolumeClaim) expect(objects(root).some((o) => o.kind === 'PersistentVolumeClaim' && o.metadata.name === v.persistentVolumeClaim!.claimName)).toBe(true);
      }
      for (const e of pod.containers.flatMap((c) => c.env ?? [])) {
        const ref = e.valueFrom?.secretKeyRef;
        if (!ref) continue;
        const secret = objects(root).find((o) => o.kind === 'Secret' && o.metadata.name === ref.name) as (KubeObject & { data?: Record<string, string> }) | undefined;
        expect(secret?.data?.[ref.key], `${d.metadata.name}: env ${e.name} names Secret ${ref.name} key ${ref.key}`).toBeDefined();
      }
    }
    const services = objects(root).filter((o): o is ServiceView => o.kind === 'Service');
    for (const s of services) {
      const backing = deployments(root).filter((d) => matches(s.spec.selector, d.spec.template.metadata.labels));
      expect(backing.map((d) => d.metadata.name), `Service ${s.metadata.name} must select exactly one workload`).toHaveLength(1);
      const portNames = backing[0]!.spec.template.spec.containers.flatMap((c) => c.ports ?? []).map((p) => p.name);
      for (const p of s.spec.ports) expect(portNames, `Service ${s.metadata.name} port ${p.name}`).toContain(p.targetPort);
    }
    const monitors = objects(root).filter((o) => o.kind === 'ServiceMonitor') as Array<KubeObject & { spec: { selector: { matchLabels: Record<string, string> }; endpoints: Array<{ port: string; path: string; interval: string }> } }>;
    expect(monitors.length).toBe(2);
    for (const m of monitors) {
      const selected = services.filter((s) => matches(m.spec.selector.matchLabels, s.metadata.labels));
      expect(selected.map((s) => s.metadata.name), `ServiceMonitor ${m.metadata.name}`).toHaveLength(1);
      // The operator sets job = the Service's name: it must be the job the rules select.
      expect(Object.values(jobs)).toContain(selected[0]!.metadata.name);
      for (const endpoint of m.spec.endpoints) {
        expect(selected[0]!.spec.ports.map((p) => p.name)).toContain(endpoint.port);
        expect(endpoint.interval).toBe(intervals.scrape);
      }
    }
    expect(monitors.map((m) => m.metadata.name).sort()).toEqual([jobs.relay, jobs.orderService].sort());
  });
});

describe('dashboards', () => {
  it('are the three of grafana/dashboards as ConfigMaps labelled for the Grafana sidecar', () => {
    const files = readdirSync(join(repo, 'grafana/dashboards')).filter((f) => f.endsWith('.json'));
    expect(files).toHaveLength(3);
    for (const file of files) {
      const configMap = find<KubeObject & { data: Record<string, string> }>('overlays/production', 'ConfigMap', dashboardConfigMapName(file));
      expect(configMap.metadata.labels).toMatchObject(grafanaDashboardLabel);
      expect(configMap.data[file]).toBe(readFileSync(join(repo, 'grafana/dashboards', file), 'utf8'));
    }
  });
});

describe("Alertmanager's routing", () => {
  const secret = (): KubeObject & { data?: Record<string, string> } => find('alertmanager', 'Secret', alertmanagerConfigSecretName);

  it('is alertmanager.yml with the webhooks at the relay Service and the token where the operator mounts it', () => {
    const rendered = parse(decode(secret(), alertmanagerConfigKey)) as Record<string, any>;
    const source = parse(readFileSync(join(repo, 'alertmanager/alertmanager.yml'), 'utf8')) as Record<string, any>;
    expect(rendered.route).toEqual(source.route);
    expect(rendered.inhibit_rules).toEqual(source.inhibit_rules);
    expect(rendered.receivers.map((r: { name: string }) => r.name)).toEqual(source.receivers.map((r: { name: string }) => r.name));
    const relayService = find<ServiceView>('overlays/production', 'Service', jobs.relay);
    const token = find<KubeObject & { data?: Record<string, string> }>('alertmanager', 'Secret', alertmanagerTokenSecretName);
    const webhooks = rendered.receivers.flatMap((r: { webhook_configs?: unknown[] }) => r.webhook_configs ?? []) as Array<{ url: string; http_config: { authorization: { credentials_file: string } } }>;
    expect(webhooks.length).toBe(3);
    for (const webhook of webhooks) {
      const url = new URL(webhook.url);
      expect(url.hostname).toBe(`${relayService.metadata.name}.${relayService.metadata.namespace}.svc`);
      expect(Number(url.port)).toBe(relayService.spec.ports[0]!.port);
      expect(webhook.http_config.authorization.credentials_file).toBe(`/etc/alertmanager/secrets/${token.metadata.name}/relay-token`);
    }
    expect(decode(token, 'relay-token')).toBe(decode(findGenerated('overlays/production', 'Secret', 'alert-relay'), 'relay-token'));
  });

  it('passes amtool check-config (Alertmanager 0.25)', async () => {
    const dir = join(copy.dir, 'amtool');
    const token = join(dir, 'relay-token');
    mkdirSync(dir, { recursive: true });
    writeFileSync(token, 'example-token\n');
    const config = join(dir, 'alertmanager.yml');
    writeFileSync(config, decode(secret(), alertmanagerConfigKey).replaceAll(relayTokenPathInAlertmanager, token));
    const check = await runTool('amtool', ['check-config', config]);
    expect(check.code, check.output).toBe(0);
  });

  it('is what kube-prometheus-stack-values.yaml tells the chart to load, with the dashboards label and an HA pair', () => {
    const values = parse(readFileSync(join(here, 'kube-prometheus-stack-values.yaml'), 'utf8')) as Record<string, any>;
    const spec = values.alertmanager.alertmanagerSpec;
    expect(spec.configSecret).toBe(secret().metadata.name);
    expect(spec.secrets).toContain(alertmanagerTokenSecretName);
    expect(spec.replicas).toBeGreaterThanOrEqual(2);
    const sidecar = values.grafana.sidecar.dashboards;
    expect({ [sidecar.label]: sidecar.labelValue }).toEqual(grafanaDashboardLabel);
    expect(values.prometheus.prometheusSpec.scrapeInterval).toBe(intervals.scrape);
    expect(values.prometheus.prometheusSpec.evaluationInterval).toBe(intervals.evaluation);
    expect(values.prometheus.serviceMonitor.relabelings[0].replacement).toBe(jobs.prometheus);
    expect(values.alertmanager.serviceMonitor.relabelings[0].replacement).toBe(jobs.alertmanager);
  });
});
