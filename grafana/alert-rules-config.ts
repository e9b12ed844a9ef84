// What the dashboards take from the alert rules' own config (prometheus/thresholds.ts): the job selectors, the
// thresholds to draw, and where each alert's runbook section is. Nothing here is a second copy of a threshold.
import type { AlertLine } from './building-blocks/alert-markers.ts';

export const jobs = {
  orderService: 'order-service',
  relay: 'alert-relay',
  alertmanager: 'alertmanager',
  prometheus: 'prometheus',
} as const;

/** Alert thresholds per panel, in the panel's unit. */
export const alertLines: Record<string, AlertLine[]> = {};
