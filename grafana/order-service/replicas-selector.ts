import type { QueryVariableBuilder } from '@grafana/grafana-foundation-sdk/dashboard';
import { jobs } from '../alert-rules-config.ts';
import { instanceVariable as instanceVariableOf } from '../building-blocks/instance-variable.ts';

/** The order-service instances picked in the `instance` variable (all by default: the service as users see it). */
export const servicesSelector = `job="${jobs.orderService}", instance=~"$instance"`;

export function instancesVariable(): QueryVariableBuilder {
  return instanceVariableOf({ jobMatcher: `job="${jobs.orderService}"`, multi: true, description: 'The order-service replicas shown (all: the service as its users see it)' });
}
