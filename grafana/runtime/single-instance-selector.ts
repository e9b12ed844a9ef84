import type { QueryVariableBuilder } from '@grafana/grafana-foundation-sdk/dashboard';
import { jobs } from '../alert-rules-config.ts';
import { instanceVariable as instanceVariableOf } from '../building-blocks/instance-variable.ts';

/** The series of the one order-service instance picked in the `instance` variable (a per-instance board, as JVM boards are). */
export const instanceSelector = `job="${jobs.orderService}", instance="$instance"`;

/** Single choice: stacked heap spaces of two processes added together would mean nothing. */
export function instanceVariable(): QueryVariableBuilder {
  return instanceVariableOf({ jobMatcher: `job="${jobs.orderService}"`, multi: false, description: 'The order-service replica shown' });
}
