// Reads a graph's data from Prometheus's HTTP API (`/api/v1/query_range`), bounded by an AbortSignal so a slow or
// hung Prometheus costs the page at most its time budget. Errors are reported as short reasons, for the metric.
export interface RangeSeries {
  labels: Record<string, string>;
  /** [unix ms, value] */
  points: Array<[number, number]>;
}

export class PrometheusQueryError extends Error {
  override name = 'PrometheusQueryError';
  readonly reason: 'timeout' | 'unreachable' | 'http_error' | 'query_error' | 'bad_response';
  constructor(reason: PrometheusQueryError['reason'], message: string) {
    super(message);
    this.reason = reason;
  }
}

interface QueryRangeResponse {
  status?: string;
  error?: string;
  data?: { resultType?: string; result?: Array<{ metric?: Record<string, string>; values?: Array<[number, string]> }> };
}

/** Step so that a range has about `points` samples, never finer than 5 s (Prometheus caps at 11,000 points). */
export function stepSeconds(startMs: number, endMs: number, points = 240): number {
  return Math.max(5, Math.ceil((endMs - startMs) / 1000 / points));
}

export async function queryRange(prometheusUrl: string, query: string, startMs: number, endMs: number, signal: AbortSignal): Promise<RangeSeries[]> {
  const url = new URL('api/v1/query_range', prometheusUrl.endsWith('/') ? prometheusUrl : `${prometheusUrl}/`);
  const body = new URLSearchParams({ query, start: String(startMs / 1000), end: String(endMs / 1000), step: String(stepSeconds(startMs, endMs)) });
  let response: Response;
  try {
    // POST: long expressions do not fit a URL.
    response = await fetch(url, { method: 'POST', body, signal, headers: { 'content-type': 'application/x-www-form-urlencoded' } });
  } catch (error) {
    if (signal.aborted) throw new PrometheusQueryError('timeout', 'Prometheus did not answer within the time budget');
    const cause = (error as { cause?: { code?: string } }).cause?.code ?? (error as Error).name;
    throw new PrometheusQueryError('unreachable', `Prometheus unreachable (${cause})`);
  }
  let parsed: QueryRangeResponse;
  try {
    parsed = (await response.json()) as QueryRangeResponse;
  } catch {
    if (signal.aborted) throw new PrometheusQueryError('timeout', 'Prometheus did not answer within the time budget');
    throw new PrometheusQueryError('bad_response', `Prometheus answered HTTP ${response.status} with a body that is not JSON`);
  }
  if (parsed.status !== 'success') {
    throw new PrometheusQueryError(response.status >= 500 ? 'http_error' : 'query_error', `Prometheus answered HTTP ${response.status}: ${String(parsed.error ?? 'no error text').slice(0, 300)}`);
  }
  if (parsed.data?.resultType !== 'matrix' || !Array.isArray(parsed.data.result)) throw new PrometheusQueryError('bad_response', 'Prometheus answered without a matrix');
  return parsed.data.result.map((r) => ({
    labels: r.metric ?? {},
    points: (r.values ?? []).map(([t, v]) => [t * 1000, Number(v)] as [number, number]),
  }));
}
