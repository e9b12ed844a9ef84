// The alert relay on Kubernetes: ONE pod on a durable volume. Its outbox is a SQLite file: one writer, on a disk that
// outlives the pod, so an accepted page survives a restart, a reschedule or a node loss (with network storage).
// Two relays would each keep an outbox and a dedupe window of their own, and both would deliver what both peers of
// Alertmanager send (docs/kubernetes.md). Recreate, never a rolling update: the old pod must have let go of the
// volume (and the SQLite lock) before the new one opens it.
import { readFileSync } from 'node:fs';
import { isMap, isScalar, parseDocument } from 'yaml';
import type { IDeployment } from 'kubernetes-models/apps/v1/Deployment';
import type { IPersistentVolumeClaim } from 'kubernetes-models/v1/PersistentVolumeClaim';
import type { IService } from 'kubernetes-models/v1/Service';
import { commonLabels, image, relay, selectorLabels } from './names.ts';

const labels = commonLabels(relay.name);
const selector = selectorLabels(relay.name);

/** Keys of the relay's Secret (base/secrets/<key>, mounted as files under relay.secretsDir). */
export const relaySecretKeys = ['relay-token', 'slack-webhook-url', 'smtp-password'] as const;
export const relaySecretName = 'alert-relay';
export const relayConfigMapName = 'alert-relay-config';
export const relayConfigFile = 'relay.yml';

/** Relay config: delivery.shutdownGraceSeconds of relay.example.yml; SIGTERM drains due deliveries that long. */
export const relayShutdown = { terminationGracePeriodSeconds: 30 };

/**
 * relay.yml for the cluster, from alertmanager/relay/relay.example.yml (comments and every setting kept): it listens
 * on all interfaces, reads its secrets from the mounted Secret, keeps its outbox on the volume and sends email
 * through the SMTP server named in the Deployment's environment.
 */
export function relayConfigYaml(exampleFile: string): string {
  const doc = parseDocument(readFileSync(exampleFile, 'utf8'));
  const set = (path: string[], value: unknown): void => {
    if (!doc.hasIn(path) && path[0] !== 'email') throw new Error(`${exampleFile}: ${path.join('.')} is gone; update deploy/kubernetes/manifests/relay.ts`);
    doc.setIn(path, value);
  };
  doc.commentBefore = ` Generated from alertmanager/relay/relay.example.yml by deploy/kubernetes/generate.ts (npm run k8s): edit the\n example or the generator, never this file. The relay's config on Kubernetes: secrets are files of the\n ${relaySecretName} Secret, the outbox is on the PersistentVolumeClaim, SMTP_* come from the Deployment.`;
  set(['listen', 'host'], '0.0.0.0');
  set(['listen', 'port'], relay.port);
  set(['webhookPath'], relay.webhookPath);
  set(['auth', 'bearerTokens'], [{ file: `${relay.secretsDir}/relay-token` }]);
  set(['outbox', 'path'], `${relay.dataDir}/outbox.sqlite`);
  set(['slack', 'oncall', 'webhookUrl'], { file: `${relay.secretsDir}/slack-webhook-url` });
  const oncall = doc.getIn(['slack', 'oncall']);
  const webhookKey = isMap(oncall) ? oncall.items.find((pair) => isScalar(pair.key) && pair.key.value === 'webhookUrl')?.key : undefined;
  if (isScalar(webhookKey)) webhookKey.commentBefore = ' The webhook URL is a secret: a file of the Secret.';
  set(['email', 'smtp', 'host'], '${SMTP_HOST}');
  set(['email', 'smtp', 'port'], '${SMTP_PORT:-587}');
  set(['email', 'smtp', 'user'], '${SMTP_USER}');
  set(['email', 'smtp', 'password'], { file: `${relay.secretsDir}/smtp-password` });
  return doc.toString({ lineWidth: 0 });
}

export function relayDeployment(): IDeployment {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: relay.name, labels },
    spec: {
      replicas: 1,
      revisionHistoryLimit: 5,
      selector: { matchLabels: selector },
      strategy: { type: 'Recreate' },
      template: {
        metadata: { labels },
        spec: {
          terminationGracePeriodSeconds: relayShutdown.terminationGracePeriodSeconds,
          // fsGroup: the volume is writable by the image's `node` user.
          securityContext: { runAsNonRoot: true, runAsUser: 1000, runAsGroup: 1000, fsGroup: 1000, seccompProfile: { type: 'RuntimeDefault' } },
          containers: [
            {
              name: relay.name,
              image,
              command: ['node', 'alertmanager/relay/main.ts', '--config', `${relay.configDir}/${relayConfigFile}`],
              ports: [{ name: 'http', containerPort: relay.port, protocol: 'TCP' }],
              env: [
                { name: 'NODE_OPTIONS', value: '--max-old-space-size=128' },
                // Not secrets: overlays set them (the password is a file of the Secret).
                { name: 'SMTP_HOST', value: 'smtp.example.org' },
                { name: 'SMTP_PORT', value: '587' },
                { name: 'SMTP_USER', value: 'alerts@example.org' },
              ],
              resources: { requests: { cpu: '50m', memory: '256Mi' }, limits: { memory: '256Mi' } },
              startupProbe: { httpGet: { path: '/healthz', port: 'http' }, periodSeconds: 2, failureThreshold: 30, timeoutSeconds: 2 },
              livenessProbe: { httpGet: { path: '/healthz', port: 'http' }, periodSeconds: 10, timeoutSeconds: 3, failureThreshold: 3 },
              // 503 while stopping or when the outbox does not answer: Alertmanager's retries then wait for the new pod.
              readinessProbe: { httpGet: { path: '/readyz', port: 'http' }, periodSeconds: 5, timeoutSeconds: 3, failureThreshold: 2 },
              securityContext: { allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: { drop: ['ALL'] } },
              volumeMounts: [
                { name: 'config', mountPath: relay.configDir, readOnly: true },
                { name: 'secrets', mountPath: relay.secretsDir, readOnly: true },
                { name: 'outbox', mountPath: relay.dataDir },
                { name: 'tmp', mountPath: '/tmp' },
              ],
            },
          ],
          volumes: [
            { name: 'config', configMap: { name: relayConfigMapName } },
            { name: 'secrets', secret: { secretName: relaySecretName, defaultMode: 0o400 } },
            { name: 'outbox', persistentVolumeClaim: { claimName: `${relay.name}-outbox` } },
            { name: 'tmp', emptyDir: {} },
          ],
        },
      },
    },
  };
}

export function relayService(): IService {
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name: relay.name, labels },
    spec: { type: 'ClusterIP', selector, ports: [{ name: 'http', port: relay.port, targetPort: 'http', protocol: 'TCP' }] },
  };
}

export function relayOutboxClaim(): IPersistentVolumeClaim {
  return {
    apiVersion: 'v1',
    kind: 'PersistentVolumeClaim',
    metadata: { name: `${relay.name}-outbox`, labels },
    spec: {
      // One node at a time: SQLite's locking is only safe on one host. The cluster's default StorageClass.
      accessModes: ['ReadWriteOnce'],
      resources: { requests: { storage: '1Gi' } },
    },
  };
}
