import * as common from '@grafana/grafana-foundation-sdk/common';
import { ThresholdsConfigBuilder, ThresholdsMode, type DynamicConfigValue } from '@grafana/grafana-foundation-sdk/dashboard';
import { PanelBuilder } from '@grafana/grafana-foundation-sdk/timeseries';
import { alertThresholdLines, alertLinesFor, runbookUrl, type AlertName } from '../alert-rules-config.ts';
import { prometheusDatasource } from '../datasources.ts';
import { runbookLinks, severityColor, shareOfLimitQueries, type AlertLine } from './alert-markers.ts';
import { prometheusTargets, type Query } from './prometheus-queries.ts';

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
  /** Legend names of series drawn as dashed, unfilled, unstacked red lines: limits. */
  limitSeries?: string[];
  /** Alerts whose thresholds (in this panel's unit) are drawn as dashed horizontal lines. */
  thresholdsOf?: AlertName[];
  /** An alert whose threshold is a share of a limit, drawn as `limitExpr * threshold` series on this axis. */
  shareOfLimit?: { alert: AlertName; limitExpr: string; of: string };
  /** Alerts whose runbook section this panel links to (the alerts that point at it). */
  runbookAlerts?: AlertName[];
}

const dashedUnstacked: DynamicConfigValue[] = [
  { id: 'custom.stacking', value: { mode: 'none', group: 'A' } },
  { id: 'custom.fillOpacity', value: 0 },
  { id: 'custom.lineStyle', value: { fill: 'dash', dash: [10, 10] } },
  { id: 'custom.lineWidth', value: 2 },
];
const fixedColor = (color: string): DynamicConfigValue => ({ id: 'color', value: { mode: 'fixed', fixedColor: color } });

function thresholdSteps(lines: readonly AlertLine[]): ThresholdsConfigBuilder {
  const sorted = [...lines].sort((a, b) => a.value - b.value);
  return new ThresholdsConfigBuilder()
    .mode(ThresholdsMode.Absolute)
    .steps([{ value: null, color: 'green' }, ...sorted.map((line) => ({ value: line.value, color: severityColor[line.severity] }))]);
}

/** A time series panel with the project's defaults: legend as a table with last and max, shared tooltip. */
export function timeseriesPanel(spec: TimeseriesSpec): PanelBuilder {
  const shareLines = spec.shareOfLimit ? alertThresholdLines(spec.shareOfLimit.alert) : [];
  const shareQueries = spec.shareOfLimit ? shareOfLimitQueries(shareLines, spec.shareOfLimit.limitExpr, spec.shareOfLimit.of) : [];
  const panel = new PanelBuilder()
    .id(spec.id)
    .title(spec.title)
    .description(spec.description)
    .datasource(prometheusDatasource)
    .targets(prometheusTargets([...spec.queries, ...shareQueries]))
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
  for (const name of spec.limitSeries ?? []) panel.overrideByName(name, [...dashedUnstacked, fixedColor('red')]);
  shareLines.forEach((line, index) => {
    const query = shareQueries[index];
    if (query) panel.overrideByName(query.legend, [...dashedUnstacked, fixedColor(severityColor[line.severity])]);
  });
  const lines = (spec.thresholdsOf ?? []).flatMap((alert) => alertLinesFor(alert, spec.unit));
  if (lines.length > 0) {
    panel.thresholds(thresholdSteps(lines)).thresholdsStyle(new common.GraphThresholdsStyleConfigBuilder().mode(common.GraphThresholdsStyleMode.Dashed));
  }
  if (spec.runbookAlerts && spec.runbookAlerts.length > 0) panel.links(runbookLinks(spec.runbookAlerts, runbookUrl));
  return panel;
}
