import * as common from '@grafana/grafana-foundation-sdk/common';
import { ThresholdsConfigBuilder, ThresholdsMode } from '@grafana/grafana-foundation-sdk/dashboard';
import { PanelBuilder } from '@grafana/grafana-foundation-sdk/stat';
import { prometheusDatasource } from '../datasources.ts';
import { runbookLinks, severityColor, type AlertLine } from './alert-markers.ts';
import { prometheusTargets, type Query } from './prometheus-queries.ts';
import { runbookUrl } from './runbook-url.ts';

export interface StatSpec {
  /** Stable panel id (see TimeseriesSpec.id). */
  id: number;
  title: string;
  description: string;
  unit: string;
  queries: Query[];
  width?: number;
  height?: number;
  decimals?: number;
  /** Colours the value orange/red where the alerts put their thresholds. */
  alertLines?: AlertLine[];
  runbookAlerts?: string[];
  /** Draw the value's history behind it. */
  sparkline?: boolean;
}

/** A single-value panel for the quick facts rows: the last value, coloured by the alert thresholds. */
export function statPanel(spec: StatSpec): PanelBuilder {
  const alertLines = [...(spec.alertLines ?? [])].sort((a, b) => a.value - b.value);
  const panel = new PanelBuilder()
    .id(spec.id)
    .title(spec.title)
    .description(spec.description)
    .datasource(prometheusDatasource)
    .targets(prometheusTargets(spec.queries))
    .unit(spec.unit)
    .span(spec.width ?? 4)
    .height(spec.height ?? 4)
    .graphMode(spec.sparkline === false ? common.BigValueGraphMode.None : common.BigValueGraphMode.Area)
    .colorMode(alertLines.length > 0 ? common.BigValueColorMode.Background : common.BigValueColorMode.Value)
    .reduceOptions(new common.ReduceDataOptionsBuilder().calcs(['lastNotNull']).values(false))
    .thresholds(
      new ThresholdsConfigBuilder()
        .mode(ThresholdsMode.Absolute)
        .steps([{ value: null, color: 'green' }, ...alertLines.map((line) => ({ value: line.value, color: severityColor[line.severity] }))]),
    );
  if (spec.decimals !== undefined) panel.decimals(spec.decimals);
  if (spec.runbookAlerts && spec.runbookAlerts.length > 0) panel.links(runbookLinks(spec.runbookAlerts, runbookUrl));
  return panel;
}
