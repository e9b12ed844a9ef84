// "Order service": the service as its users see it (RED by route) and its orders.
import type { DashboardBuilder } from '@grafana/grafana-foundation-sdk/dashboard';
import { dashboard } from '../building-blocks/dashboard-defaults.ts';
import { withRows } from '../building-blocks/dashboard-rows.ts';
import { firingAlertsAnnotation } from '../building-blocks/firing-alerts-annotation.ts';
import { dashboardUids } from '../alert-rules-config.ts';
import { admissionPanels } from './admission-panels.ts';
import { instancesVariable } from './replicas-selector.ts';
import { orderPanels } from './order-panels.ts';
import { redPanels } from './red-panels.ts';

export function orderServiceDashboard(): DashboardBuilder {
  const board = dashboard({
    uid: dashboardUids.orderService,
    title: 'Order service',
    description: 'Traffic, errors and latency by route, and the orders behind them, across the selected replicas.',
    tags: ['order-service'],
  })
    .withVariable(instancesVariable())
    .annotation(firingAlertsAnnotation('instance=~"$instance|"'));
  return withRows(board, [
    { id: 100, title: 'Requests (rate, errors, duration by route)', panels: redPanels() },
    { id: 102, title: 'Admission control (load shedding)', panels: admissionPanels() },
    { id: 101, title: 'Orders', panels: orderPanels() },
  ]);
}
