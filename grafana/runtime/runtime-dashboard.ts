// "Runtime": the JVM-style board of one Node process, an order-service replica or the alert relay (heap, GC, threads,
// connection pool on one page; the pool rows stay empty for the relay, which has none).
import type { DashboardBuilder } from '@grafana/grafana-foundation-sdk/dashboard';
import { dashboard } from '../building-blocks/dashboard-defaults.ts';
import { withRows } from '../building-blocks/dashboard-rows.ts';
import { firingAlertsAnnotation } from '../building-blocks/firing-alerts-annotation.ts';
import { dashboardUids } from '../alert-rules-config.ts';
import { dbPoolPanels } from './db-pool-panels.ts';
import { eventLoopPanels } from './event-loop-panels.ts';
import { gcPanels } from './gc-panels.ts';
import { instanceVariable } from './single-instance-selector.ts';
import { memoryPanels } from './memory-panels.ts';
import { quickFactsPanels } from './quick-facts-panels.ts';
import { workerPoolPanels } from './worker-pool-panels.ts';

export function runtimeDashboard(): DashboardBuilder {
  const board = dashboard({
    uid: dashboardUids.runtime,
    title: 'Runtime',
    description: 'Node runtime of one process (an order-service replica or the alert relay), read the way JVM teams read heap, GC, threads and HikariCP.',
    tags: ['order-service', 'alert-relay', 'runtime'],
  })
    .withVariable(instanceVariable())
    // Alerts of this instance, and the job-wide ones that carry no instance label.
    .annotation(firingAlertsAnnotation('instance=~"$instance|"'));
  return withRows(board, [
    { id: 100, title: 'Quick facts', panels: quickFactsPanels() },
    { id: 101, title: 'Memory', panels: memoryPanels() },
    { id: 102, title: 'GC', panels: gcPanels() },
    { id: 103, title: 'Event loop', panels: eventLoopPanels() },
    { id: 104, title: 'DB connection pool', panels: dbPoolPanels() },
    { id: 105, title: 'Worker threads', panels: workerPoolPanels() },
  ]);
}
