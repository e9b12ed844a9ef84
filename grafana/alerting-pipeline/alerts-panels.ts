// Alerts: what Prometheus is firing now and over time (its own ALERTS series). Watchdog always fires by design:
// when it is missing, the pipeline itself is broken.
import { PanelBuilder as TablePanelBuilder } from '@grafana/grafana-foundation-sdk/table';
import type { Builder } from '@grafana/grafana-foundation-sdk/cog';
import type { Panel } from '@grafana/grafana-foundation-sdk/dashboard';
import { prometheusDatasource } from '../datasources.ts';
import { prometheusTargets } from '../building-blocks/prometheus-queries.ts';
import { statPanel } from '../building-blocks/stat-panel.ts';
import { timeseriesPanel } from '../building-blocks/timeseries-panel.ts';

const firing = 'ALERTS{alertstate="firing"}';

function firingAlertsTable(): TablePanelBuilder {
  return new TablePanelBuilder()
    .id(3)
    .title('Alerts firing now')
    .description('Every alert Prometheus has firing at the end of the range, with its labels (one row each).')
    .datasource(prometheusDatasource)
    .targets(prometheusTargets([{ expr: firing, legend: '{{alertname}}', instant: true, format: 'table' }]))
    .unit('short')
    .span(12)
    .height(8)
    .withTransformation({ id: 'organize', options: { excludeByName: { Time: true, __name__: true, alertstate: true, Value: true } } });
}

export function alertsPanels(): Builder<Panel>[] {
  return [
    statPanel({
      id: 1,
      title: 'Firing alerts by severity',
      description: 'Alerts firing now, by severity (Watchdog counts as none: it always fires).',
      unit: 'short',
      width: 6,
      queries: [{ expr: `count by (severity) (ALERTS{alertstate="firing", alertname!="Watchdog"}) or count by (severity) (${firing}) * 0`, legend: '{{severity}}' }],
    }),
    statPanel({
      id: 2,
      title: 'Watchdog (dead man\'s switch)',
      description: 'The always-firing Watchdog alert: 1 while rule evaluation works. Missing means Prometheus or its rules are broken.',
      unit: 'short',
      width: 6,
      sparkline: false,
      queries: [{ expr: `count(ALERTS{alertstate="firing", alertname="Watchdog"})`, legend: 'Watchdog firing' }],
      runbookAlerts: ['Watchdog'],
    }),
    firingAlertsTable(),
    timeseriesPanel({
      id: 4,
      title: 'Alerts firing over time',
      description: 'Firing alerts by name and severity over the range: when each started and stopped.',
      unit: 'short',
      min: 0,
      stacked: true,
      queries: [{ expr: `count by (alertname, severity) (${firing})`, legend: '{{alertname}} ({{severity}})' }],
    }),
    timeseriesPanel({
      id: 5,
      title: 'Pending alerts over time',
      description: 'Alerts whose condition holds but whose `for` has not passed yet: the pages about to come.',
      unit: 'short',
      min: 0,
      queries: [{ expr: `count by (alertname) (ALERTS{alertstate="pending"}) or count by (alertname) (${firing}) * 0`, legend: '{{alertname}}' }],
    }),
  ];
}
