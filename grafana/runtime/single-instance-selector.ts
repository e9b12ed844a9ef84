import type { QueryVariableBuilder } from '@grafana/grafana-foundation-sdk/dashboard';
import { runtimeJobs } from '../alert-rules-config.ts';
import { instanceVariable as instanceVariableOf } from '../building-blocks/instance-variable.ts';

/** Every Node service on the telemetry module (the order-service replicas and the alert relay): the same runtime metrics. */
const runtimeJobMatcher = `job=~"${runtimeJobs.join('|')}"`;

/** The series of the one instance picked in the `instance` variable (a per-instance board, as JVM boards are). */
export const instanceSelector = `${runtimeJobMatcher}, instance="$instance"`;

/** Single choice: stacked heap spaces of two processes added together would mean nothing. */
export function instanceVariable(): QueryVariableBuilder {
  return instanceVariableOf({ jobMatcher: runtimeJobMatcher, multi: false, description: 'The Node process shown: an order-service replica or the alert relay (which has no DB or worker pool)' });
}
