import type { QueryVariableBuilder } from '@grafana/grafana-foundation-sdk/dashboard';
import { jobs } from '../alert-rules-config.ts';
import { instanceVariable } from '../building-blocks/instance-variable.ts';

/** The jobs of the pipeline itself (Prometheus, Alertmanager and the relay, any of them possibly replicated). */
const pipelineJobs = `job=~"${jobs.prometheus}|${jobs.alertmanager}|${jobs.relay}"`;

/** The series of `job` on the pipeline instances picked in the `instance` variable. */
export const pipelineSelector = (job: string): string => `job="${job}", instance=~"$instance"`;

export function pipelineInstancesVariable(): QueryVariableBuilder {
  return instanceVariable({ jobMatcher: pipelineJobs, multi: true, description: 'The Prometheus, Alertmanager and relay instances shown' });
}
