import { DataqueryBuilder, PromQueryFormat } from '@grafana/grafana-foundation-sdk/prometheus';
import { prometheusDatasource } from '../datasources.ts';

/** One PromQL target of a panel: what it computes and how its legend names each series. */
export interface Query {
  expr: string;
  /** Legend template; Grafana replaces {{label}} with the series' label value. */
  legend: string;
  /** Evaluate at the end of the range only (stat and table panels). */
  instant?: boolean;
  format?: 'time_series' | 'table';
}

/** Builds the targets of a panel with refIds A, B, C... in order, all on the provisioned Prometheus datasource. */
export function prometheusTargets(queries: readonly Query[]): DataqueryBuilder[] {
  return queries.map((query, index) => {
    const target = new DataqueryBuilder()
      .datasource(prometheusDatasource)
      .refId(String.fromCharCode(65 + index))
      .expr(query.expr)
      .legendFormat(query.legend);
    if (query.instant) target.instant();
    else target.range();
    if (query.format === 'table') target.format(PromQueryFormat.Table);
    return target;
  });
}

/**
 * A labelled counter family appears on /metrics only after its first event (a failure reason, say). Until then
 * the panel draws 0 on the sibling series that always exists, instead of "No data"; the names on both sides are
 * still checked against a live Prometheus by the dashboard tests.
 */
export function zeroUntilFirst(expr: string, alwaysPresent: string): string {
  return `${expr} or (${alwaysPresent}) * 0`;
}
