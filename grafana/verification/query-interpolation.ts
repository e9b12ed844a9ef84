// Grafana's template variables in a Prometheus query, resolved the way Grafana resolves them before it sends the
// query, so that a test can run exactly what a panel would run.

export interface InterpolationContext {
  /** Values of the dashboard's own variables, and whether the variable is multi-valued (then used in a regex). */
  variables: Record<string, { values: string[]; multi: boolean }>;
  /** The range queried, in seconds, and the step (Grafana's $__interval). */
  rangeSeconds: number;
  stepSeconds: number;
  /** The datasource's scrape interval (its `timeInterval`), in seconds. */
  scrapeIntervalSeconds: number;
}

// Grafana's prometheusRegularEscape and prometheusSpecialRegexEscape: the escapes must survive PromQL's own
// string unescaping, hence two backslashes in the query text.
function regularEscape(value: string): string {
  return value.replace(/\\/g, '\\\\').replace(/'/g, "\\\\'");
}
function regexEscape(value: string): string {
  return regularEscape(value.replace(/\\/g, '\\\\\\\\')).replace(/[$^*{}[\]'+?.()|]/g, '\\\\$&');
}

/**
 * $__rate_interval is max($__interval + scrape interval, 4 x scrape interval). A single-valued variable is its value;
 * a multi-valued one is regex-escaped, several values as an alternation (Grafana's formatting for Prometheus). Unknown variables are left in place,
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
    const variable = context.variables[name];
    if (variable === undefined || variable.values.length === 0) return match;
    if (!variable.multi) return regularEscape(variable.values[0]!);
    const escaped = variable.values.map(regexEscape);
    return escaped.length === 1 ? escaped[0]! : `(${escaped.join('|')})`;
  });
}
