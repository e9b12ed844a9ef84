// "Alerting pipeline": is the chain that pages us working? Prometheus alerts, Alertmanager, the relay.
import type { DashboardBuilder } from '@grafana/grafana-foundation-sdk/dashboard';
import { dashboard } from '../building-blocks/dashboard-defaults.ts';
import { withRows } from '../building-blocks/dashboard-rows.ts';
import { firingAlertsAnnotation } from '../building-blocks/firing-alerts-annotation.ts';
import { dashboardUids } from '../alert-rules-config.ts';
import { alertmanagerPanels } from './alertmanager-panels.ts';
import { alertsPanels } from './alerts-panels.ts';
import { pipelineInstancesVariable } from './pipeline-instances-selector.ts';
import { relayPanels } from './relay-panels.ts';

export function alertingPipelineDashboard(): DashboardBuilder {
  const board = dashboard({
    uid: dashboardUids.alertingPipeline,
    title: 'Alerting pipeline',
    description: 'Alerts firing, Alertmanager notifications, and the relay that turns them into Slack pages and email digests.',
    tags: ['alerting'],
  })
    .withVariable(pipelineInstancesVariable())
    .annotation(firingAlertsAnnotation());
  return withRows(board, [
    { id: 100, title: 'Alerts', panels: alertsPanels() },
    { id: 101, title: 'Prometheus and Alertmanager', panels: alertmanagerPanels() },
    { id: 102, title: 'Alert relay', panels: relayPanels() },
  ]);
}
