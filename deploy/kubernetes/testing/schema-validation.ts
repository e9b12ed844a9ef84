// Validates a rendered object against the official OpenAPI schemas: Kubernetes' own (kubernetes-models) and the
// Prometheus Operator's CRDs (@kubernetes-models/prometheus-operator). A kind this map does not know is an error,
// so nothing rendered goes unchecked.
import { Deployment, StatefulSet } from 'kubernetes-models/apps/v1';
import { HorizontalPodAutoscaler } from 'kubernetes-models/autoscaling/v2';
import { PodDisruptionBudget } from 'kubernetes-models/policy/v1';
import { ConfigMap, Namespace, PersistentVolumeClaim, Secret, Service } from 'kubernetes-models/v1';
import { PodMonitor, PrometheusRule, ServiceMonitor } from '@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1';
import type { KubeObject } from './render.ts';

interface Validatable {
  validate(): void;
}
type ModelClass = new (data: never) => Validatable;

const models: Record<string, ModelClass> = {
  'v1/ConfigMap': ConfigMap,
  'v1/Namespace': Namespace,
  'v1/PersistentVolumeClaim': PersistentVolumeClaim,
  'v1/Secret': Secret,
  'v1/Service': Service,
  'apps/v1/Deployment': Deployment,
  'apps/v1/StatefulSet': StatefulSet,
  'autoscaling/v2/HorizontalPodAutoscaler': HorizontalPodAutoscaler,
  'policy/v1/PodDisruptionBudget': PodDisruptionBudget,
  'monitoring.coreos.com/v1/PodMonitor': PodMonitor,
  'monitoring.coreos.com/v1/PrometheusRule': PrometheusRule,
  'monitoring.coreos.com/v1/ServiceMonitor': ServiceMonitor,
};

/**
 * kustomize wraps long base64 values of Secrets at 70 characters; the API server decodes them with Go's base64,
 * which ignores line breaks, while the schema's `byte` format does not. Unwrap them as the server would read them.
 */
function asTheApiServerReadsIt(object: KubeObject): KubeObject {
  if (object.kind !== 'Secret' || typeof object.data !== 'object' || object.data === null) return object;
  const data = Object.fromEntries(Object.entries(object.data as Record<string, string>).map(([k, v]) => [k, v.replace(/[\r\n]/g, '')]));
  return { ...object, data };
}

/** The schema's complaints about `object`, or [] when it is valid. */
export function schemaErrors(object: KubeObject): string[] {
  const key = `${object.apiVersion}/${object.kind}`;
  const Model = models[key];
  if (Model === undefined) return [`${key} ${object.metadata?.name}: no schema known for this kind (add its model to schema-validation.ts)`];
  try {
    new Model(asTheApiServerReadsIt(object) as never).validate();
    return [];
  } catch (error) {
    return [`${key} ${object.metadata.name}: ${(error as Error).message}`];
  }
}
