// The order service on Kubernetes: a Deployment capped like the incident, its Service, a PodDisruptionBudget and
// the HorizontalPodAutoscaler of the seed's prevention plan (2 to 10 replicas on CPU and memory).
import type { IHorizontalPodAutoscaler } from 'kubernetes-models/autoscaling/v2/HorizontalPodAutoscaler';
import type { IDeployment } from 'kubernetes-models/apps/v1/Deployment';
import type { IPodDisruptionBudget } from 'kubernetes-models/policy/v1/PodDisruptionBudget';
import type { IService } from 'kubernetes-models/v1/Service';
import { commonLabels, image, orderService, selectorLabels } from './names.ts';

const labels = commonLabels(orderService.name);
const selector = selectorLabels(orderService.name);

/**
 * Memory, as in the incident and docker-compose.yml. V8 stops the process ("Reached heap limit") when the OLD
 * generation reaches --max-old-space-size; the young generation can reserve up to 3 x its 64 MiB semi-space on
 * top (heap_size_limit = 448 MiB for 256), and code, buffers and the worker threads need native memory. The
 * container limit leaves room for all of it, so the process dies of its own heap limit (a clear error, a heap
 * metric that climbed to its limit) rather than being OOM-killed by the kernel with no signal in its metrics.
 */
export const memory = {
  oldSpaceMiB: 256,
  youngGenerationReservationMiB: 192,
  nativeHeadroomMiB: 64,
  get limitMiB(): number {
    return this.oldSpaceMiB + this.youngGenerationReservationMiB + this.nativeHeadroomMiB;
  },
};

/** Graceful stop (service/main.ts): SIGTERM stops taking requests and drains, bounded by SHUTDOWN_TIMEOUT_MS. */
export const shutdown = {
  /**
   * Endpoints are removed from Services asynchronously after a pod starts terminating; until kube-proxy and the
   * ingress have caught up, new connections still arrive. preStop waits that out before SIGTERM reaches Node.
   */
  preStopSleepSeconds: 5,
  shutdownTimeoutMs: 10_000,
  /** preStop + the service's own deadline + margin for the exit itself; SIGKILL comes only after this. */
  terminationGracePeriodSeconds: 25,
};

export const autoscaling = { minReplicas: 2, maxReplicas: 10, cpuUtilization: 70, memoryUtilization: 75 };

export function orderServiceDeployment(): IDeployment {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: orderService.name, labels },
    spec: {
      // The HPA owns the count from here on; overlays must not patch it (it would fight the HPA on each apply).
      replicas: autoscaling.minReplicas,
      revisionHistoryLimit: 5,
      selector: { matchLabels: selector },
      // One new pod before an old one goes, so capacity never drops below the current count during a rollout.
      strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: 1, maxUnavailable: 0 } },
      template: {
        metadata: { labels },
        spec: {
          terminationGracePeriodSeconds: shutdown.terminationGracePeriodSeconds,
          securityContext: { runAsNonRoot: true, runAsUser: 1000, runAsGroup: 1000, seccompProfile: { type: 'RuntimeDefault' } },
          // Replicas on different nodes when possible: one node lost must not take the whole service.
          topologySpreadConstraints: [
            { maxSkew: 1, topologyKey: 'kubernetes.io/hostname', whenUnsatisfiable: 'ScheduleAnyway', labelSelector: { matchLabels: selector } },
          ],
          containers: [
            {
              name: orderService.name,
              image,
              command: ['node', 'service/main.ts'],
              ports: [
                { name: 'http', containerPort: orderService.httpPort, protocol: 'TCP' },
                { name: 'metrics', containerPort: orderService.metricsPort, protocol: 'TCP' },
              ],
              env: [
                { name: 'NODE_OPTIONS', value: `--max-old-space-size=${memory.oldSpaceMiB}` },
                { name: 'HOST', value: '0.0.0.0' },
                { name: 'PORT', value: String(orderService.httpPort) },
                { name: 'METRICS_PORT', value: String(orderService.metricsPort) },
                { name: 'SHUTDOWN_TIMEOUT_MS', value: String(shutdown.shutdownTimeoutMs) },
                { name: 'DB_POOL_MAX', value: '10' },
                { name: 'WORKER_POOL_SIZE', value: '2' },
                { name: 'LOG_LEVEL', value: 'info' },
                { name: 'DATABASE_URL', valueFrom: { secretKeyRef: { name: 'order-service-database', key: 'url' } } },
              ],
              resources: {
                // Requests = limits for memory: the pod is never evicted for using what it asked for. The HPA's
                // utilization targets are relative to the requests.
                requests: { cpu: '500m', memory: `${memory.limitMiB}Mi` },
                limits: { cpu: '1', memory: `${memory.limitMiB}Mi` },
              },
              // Migrations run before the port opens; give a cold start up to a minute before liveness counts.
              startupProbe: { httpGet: { path: '/healthz', port: 'http' }, periodSeconds: 2, failureThreshold: 30, timeoutSeconds: 2 },
              // Alive: the event loop answers. Not tied to the database, so a database outage does not restart every pod.
              livenessProbe: { httpGet: { path: '/healthz', port: 'http' }, periodSeconds: 10, timeoutSeconds: 3, failureThreshold: 3 },
              // Ready: the database answers and the pod is not stopping (503 from SIGTERM on), so traffic leaves it.
              readinessProbe: { httpGet: { path: '/readyz', port: 'http' }, periodSeconds: 5, timeoutSeconds: 3, failureThreshold: 2 },
              lifecycle: { preStop: { exec: { command: ['sleep', String(shutdown.preStopSleepSeconds)] } } },
              securityContext: { allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: { drop: ['ALL'] } },
              volumeMounts: [{ name: 'tmp', mountPath: '/tmp' }],
            },
          ],
          volumes: [{ name: 'tmp', emptyDir: {} }],
        },
      },
    },
  };
}

export function orderServiceService(): IService {
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name: orderService.name, labels },
    spec: {
      type: 'ClusterIP',
      selector,
      ports: [
        { name: 'http', port: orderService.httpPort, targetPort: 'http', protocol: 'TCP' },
        { name: 'metrics', port: orderService.metricsPort, targetPort: 'metrics', protocol: 'TCP' },
      ],
    },
  };
}

export function orderServiceDisruptionBudget(): IPodDisruptionBudget {
  return {
    apiVersion: 'policy/v1',
    kind: 'PodDisruptionBudget',
    metadata: { name: orderService.name, labels },
    spec: {
      // A node drain takes one pod at a time: with the HPA's minimum of 2 one always serves. (maxUnavailable, not
      // minAvailable, so that it keeps allowing drains at any replica count.)
      maxUnavailable: 1,
      selector: { matchLabels: selector },
    },
  };
}

export function orderServiceAutoscaler(): IHorizontalPodAutoscaler {
  return {
    apiVersion: 'autoscaling/v2',
    kind: 'HorizontalPodAutoscaler',
    metadata: { name: orderService.name, labels },
    spec: {
      scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: orderService.name },
      minReplicas: autoscaling.minReplicas,
      maxReplicas: autoscaling.maxReplicas,
      metrics: [
        { type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: autoscaling.cpuUtilization } } },
        // Memory: the heap is capped per process, so more load must mean more pods, not bigger heaps. V8 gives memory
        // back lazily, so memory alone rarely lets the HPA scale down: CPU does that.
        { type: 'Resource', resource: { name: 'memory', target: { type: 'Utilization', averageUtilization: autoscaling.memoryUtilization } } },
      ],
      behavior: {
        // The seed's surge went from normal to many times the traffic within a minute and the heap filled in
        // minutes: scale up at once (no stabilization window), doubling or adding 4 pods every 15 s, whichever is
        // more, so 2 -> 10 takes about 30 s plus pod start-up.
        scaleUp: {
          stabilizationWindowSeconds: 0,
          selectPolicy: 'Max',
          policies: [
            { type: 'Percent', value: 100, periodSeconds: 15 },
            { type: 'Pods', value: 4, periodSeconds: 15 },
          ],
        },
        // Surges come in waves (retries, a second push of the campaign): hold the capacity for 10 minutes after
        // the last high reading, then give back one pod a minute, so a lull does not leave too few pods for the
        // next wave and a cold, just-started pod does not take the full load.
        scaleDown: {
          stabilizationWindowSeconds: 600,
          selectPolicy: 'Min',
          policies: [{ type: 'Pods', value: 1, periodSeconds: 60 }],
        },
      },
    },
  };
}
