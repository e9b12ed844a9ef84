// Grafana's template variables in a Prometheus query, resolved the way Grafana resolves them before it sends the
// query, so that a test can run exactly what a panel would run.

export interface InterpolationContext {
  /** Values of the dashboard's own variables (a multi-value one as several). */
  variables: Record<string, string[]>;
  /** The range queried, in seconds, and the step (Grafana's $__interval). */
  rangeSeconds: number;
  stepSeconds: number;
  /** The datasource's scrape interval (its `timeInterval`), in seconds. */
  scrapeIntervalSeconds: number;
}

function escapeRegex(value: string): string {
  return value.replace(/[\\^$*+?.()|[\]{}]/g, '\\$&');
}

/**
 * $__rate_interval is max($__interval + scrape interval, 4 x scrape interval); one value is itself, several a
 * regex alternation of escaped values (Grafana's formatting for Prometheus). Unknown variables are left in place,
 * so that the query fails loudly rather than running something else.
 */
export function interpolateQuery(expr: string, context: InterpolationContext): string {
  const rateInterval = Math.max(context.stepSeconds + context.scrapeIntervalSeconds, 4 * context.scrapeIntervalSeconds);
  const builtIns: Record<string, string> = {
    __rate_interval: `${rateInterval}s`,
    __interval: `${context.stepSeconds}s`,
    __interval_ms: String(context.stepSeconds * 1000),
    __range: `${context.rangeSeconds}s`,
    __range_s: String(context.rangeSeconds),
    __range_ms: String(context.rangeSeconds * 1000),
  };
  return expr.replace(/\$\{(\w+)\}|\$(\w+)/g, (match, braced: string | undefined, bare: string | undefined) => {
    const name = braced ?? bare ?? '';
    const builtIn = builtIns[name];
    if (builtIn !== undefined) return builtIn;
    const values = context.variables[name];
    if (values === undefined || values.length === 0) return match;
    return values.length === 1 ? escapeRegex(values[0]!) : `(${values.map(escapeRegex).join('|')})`;
  });
}
