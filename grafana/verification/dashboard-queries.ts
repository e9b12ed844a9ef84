// Every Prometheus query a dashboard JSON makes (panel targets, template variables, annotations), and a runner
// that executes one against a real Prometheus the way Grafana would, for the live dashboard test.
import type { Dashboard } from '@grafana/grafana-foundation-sdk/dashboard';
import { interpolateQuery, type InterpolationContext } from './query-interpolation.ts';

export interface PanelTarget {
  dashboard: string;
  panelId: number;
  panelTitle: string;
  refId: string;
  expr: string;
  instant: boolean;
}

interface JsonTarget {
  refId?: string;
  expr?: string;
  instant?: boolean;
}
interface JsonPanel {
  id?: number;
  type?: string;
  title?: string;
  targets?: JsonTarget[];
  panels?: JsonPanel[];
}

/** Every target of every panel, rows' nested panels included. */
export function panelTargets(dashboard: Dashboard): PanelTarget[] {
  const out: PanelTarget[] = [];
  const visit = (panels: readonly JsonPanel[]): void => {
    for (const panel of panels) {
      for (const target of panel.targets ?? []) {
        out.push({
          dashboard: dashboard.uid ?? dashboard.title ?? '',
          panelId: panel.id ?? -1,
          panelTitle: panel.title ?? '',
          refId: target.refId ?? '',
          expr: target.expr ?? '',
          instant: target.instant === true,
        });
      }
      visit(panel.panels ?? []);
    }
  };
  visit((dashboard.panels ?? []) as JsonPanel[]);
  return out;
}

/** A `label_values(<selector>, <label>)` variable query, Grafana's Prometheus variable syntax. */
export interface LabelValuesQuery {
  variable: string;
  selector: string;
  label: string;
}

export function variableQueries(dashboard: Dashboard): LabelValuesQuery[] {
  return (dashboard.templating?.list ?? []).flatMap((variable) => {
    if (variable.type !== 'query') return [];
    const query = typeof variable.query === 'string' ? variable.query : (variable.query as { query?: string } | undefined)?.query;
    const match = /^label_values\((.+),\s*([a-zA-Z_][a-zA-Z0-9_]*)\)$/.exec(query ?? '');
    if (!match) throw new Error(`variable ${variable.name}: unsupported query ${JSON.stringify(query)} (expected label_values(selector, label))`);
    return [{ variable: variable.name, selector: match[1]!, label: match[2]! }];
  });
}

export function annotationExprs(dashboard: Dashboard): string[] {
  return (dashboard.annotations?.list ?? []).flatMap((annotation) => (annotation.expr ? [annotation.expr] : []));
}

export interface QueryResult {
  /** Series returned. */
  series: number;
  /** Samples that are numbers (not NaN, not ±Inf): what a panel can draw. */
  drawableSamples: number;
}

interface PromResponse {
  status: string;
  error?: string;
  data?: { resultType: string; result: Array<{ values?: [number, string][]; value?: [number, string] }> };
}

async function promGet(url: string): Promise<PromResponse> {
  const response = await fetch(url, { signal: AbortSignal.timeout(20_000) });
  const body = (await response.json()) as PromResponse;
  if (body.status !== 'success') throw new Error(body.error ?? `HTTP ${response.status}`);
  return body;
}

/** Runs an interpolated query as Grafana would: a range query over the context's range, or an instant one at its end. */
export async function runQuery(prometheusUrl: string, expr: string, instant: boolean, context: InterpolationContext, endSeconds: number): Promise<QueryResult> {
  const query = interpolateQuery(expr, context);
  if (/\$\w/.test(query)) throw new Error(`unresolved template variable in ${query}`);
  const params = new URLSearchParams({ query });
  let path: string;
  if (instant) {
    params.set('time', String(endSeconds));
    path = 'query';
  } else {
    params.set('start', String(endSeconds - context.rangeSeconds));
    params.set('end', String(endSeconds));
    params.set('step', String(context.stepSeconds));
    path = 'query_range';
  }
  const body = await promGet(`${prometheusUrl}/api/v1/${path}?${params}`);
  const result = body.data?.result ?? [];
  let drawableSamples = 0;
  for (const series of result) {
    for (const [, value] of series.values ?? (series.value ? [series.value] : [])) if (Number.isFinite(Number(value))) drawableSamples++;
  }
  return { series: result.length, drawableSamples };
}

/** A label_values() variable query: the values Grafana would offer. */
export async function runLabelValues(prometheusUrl: string, query: LabelValuesQuery, startSeconds: number, endSeconds: number): Promise<string[]> {
  const params = new URLSearchParams({ 'match[]': query.selector, start: String(startSeconds), end: String(endSeconds) });
  const body = (await promGet(`${prometheusUrl}/api/v1/label/${encodeURIComponent(query.label)}/values?${params}`)) as unknown as { data: string[] };
  return body.data;
}

/** Every metric name Prometheus holds now (scraped or recorded). */
export async function metricNamesIn(prometheusUrl: string): Promise<Set<string>> {
  const body = (await promGet(`${prometheusUrl}/api/v1/label/__name__/values`)) as unknown as { data: string[] };
  return new Set(body.data);
}
