import * as common from '@grafana/grafana-foundation-sdk/common';
import { ThresholdsConfigBuilder, ThresholdsMode } from '@grafana/grafana-foundation-sdk/dashboard';
import { PanelBuilder } from '@grafana/grafana-foundation-sdk/stat';
import { alertLinesFor, runbookUrl, type AlertName } from '../alert-rules-config.ts';
import { prometheusDatasource } from '../datasources.ts';
import { runbookLinks, severityColor } from './alert-markers.ts';
import { prometheusTargets, type Query } from './prometheus-queries.ts';

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
  /** Colours the value orange/red where these alerts put their thresholds (in this panel's unit). */
  thresholdsOf?: AlertName[];
  runbookAlerts?: AlertName[];
  /** Draw the value's history behind it (default true). */
  sparkline?: boolean;
}

/** A single-value panel for the quick facts rows: the last value, coloured by the alert thresholds. */
export function statPanel(spec: StatSpec): PanelBuilder {
  const lines = (spec.thresholdsOf ?? []).flatMap((alert) => alertLinesFor(alert, spec.unit)).sort((a, b) => a.value - b.value);
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
    .colorMode(lines.length > 0 ? common.BigValueColorMode.Background : common.BigValueColorMode.Value)
    .reduceOptions(new common.ReduceDataOptionsBuilder().calcs(['lastNotNull']).values(false))
    .thresholds(
      new ThresholdsConfigBuilder()
        .mode(ThresholdsMode.Absolute)
        .steps([{ value: null, color: 'green' }, ...lines.map((line) => ({ value: line.value, color: severityColor[line.severity] }))]),
    );
  if (spec.decimals !== undefined) panel.decimals(spec.decimals);
  if (spec.runbookAlerts && spec.runbookAlerts.length > 0) panel.links(runbookLinks(spec.runbookAlerts, runbookUrl));
  return panel;
}
