import * as common from '@grafana/grafana-foundation-sdk/common';
import { ThresholdsConfigBuilder, ThresholdsMode, type DynamicConfigValue } from '@grafana/grafana-foundation-sdk/dashboard';
import { PanelBuilder } from '@grafana/grafana-foundation-sdk/timeseries';
import { prometheusDatasource } from '../datasources.ts';
import { runbookLinks, severityColor, type AlertLine } from './alert-markers.ts';
import { prometheusTargets, type Query } from './prometheus-queries.ts';
import { runbookUrl } from './runbook-url.ts';

export interface TimeseriesSpec {
  /** Stable panel id: alert `dashboard_url`s and bookmarks address panels by it (`viewPanel=<id>`). */
  id: number;
  title: string;
  /** What it shows and how to read it (the panel's (i) tooltip). */
  description: string;
  /** Grafana unit id of the y axis, e.g. `bytes`, `s`, `percentunit`, `reqps`. */
  unit: string;
  queries: Query[];
  /** Grid width out of 24. */
  width?: number;
  height?: number;
  /** Stack the series (parts of one whole, e.g. heap per space). */
  stacked?: boolean;
  min?: number;
  max?: number;
  /** Legend names of series drawn as dashed, unfilled, unstacked lines: limits and alert levels. */
  limitSeries?: string[];
  /** Alert thresholds in the panel's unit, drawn as dashed horizontal lines. */
  alertLines?: AlertLine[];
  /** Alerts whose runbook section this panel links to (the alerts that point at it). */
  runbookAlerts?: string[];
}

const limitLine: DynamicConfigValue[] = [
  { id: 'custom.stacking', value: { mode: 'none', group: 'A' } },
  { id: 'custom.fillOpacity', value: 0 },
  { id: 'custom.lineStyle', value: { fill: 'dash', dash: [10, 10] } },
  { id: 'custom.lineWidth', value: 2 },
  { id: 'color', value: { mode: 'fixed', fixedColor: 'red' } },
];

/** A time series panel with the project's defaults: legend as a table with last and max, shared tooltip. */
export function timeseriesPanel(spec: TimeseriesSpec): PanelBuilder {
  const panel = new PanelBuilder()
    .id(spec.id)
    .title(spec.title)
    .description(spec.description)
    .datasource(prometheusDatasource)
    .targets(prometheusTargets(spec.queries))
    .unit(spec.unit)
    .span(spec.width ?? 12)
    .height(spec.height ?? 8)
    .lineWidth(1)
    .fillOpacity(spec.stacked ? 40 : 10)
    .showPoints(common.VisibilityMode.Never)
    .legend(
      new common.VizLegendOptionsBuilder()
        .showLegend(true)
        .displayMode(common.LegendDisplayMode.Table)
        .placement(common.LegendPlacement.Bottom)
        .calcs(['lastNotNull', 'max']),
    )
    .tooltip(new common.VizTooltipOptionsBuilder().mode(common.TooltipDisplayMode.Multi).sort(common.SortOrder.Descending));
  if (spec.stacked) panel.stacking(new common.StackingConfigBuilder().mode(common.StackingMode.Normal).group('A'));
  if (spec.min !== undefined) panel.min(spec.min);
  if (spec.max !== undefined) panel.max(spec.max);
  for (const name of spec.limitSeries ?? []) panel.overrideByName(name, limitLine);
  const alertLines = [...(spec.alertLines ?? [])].sort((a, b) => a.value - b.value);
  if (alertLines.length > 0) {
    panel
      .thresholds(
        new ThresholdsConfigBuilder()
          .mode(ThresholdsMode.Absolute)
          .steps([{ value: null, color: 'green' }, ...alertLines.map((line) => ({ value: line.value, color: severityColor[line.severity] }))]),
      )
      .thresholdsStyle(new common.GraphThresholdsStyleConfigBuilder().mode(common.GraphThresholdsStyleMode.Dashed));
  }
  if (spec.runbookAlerts && spec.runbookAlerts.length > 0) panel.links(runbookLinks(spec.runbookAlerts, runbookUrl));
  return panel;
}
