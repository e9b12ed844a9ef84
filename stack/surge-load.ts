// One surge of POST /orders with autocannon, measured the way issue 9 asks: answers by status, goodput,
// latency of accepted (201) and refused (503) requests apart, requests left unanswered; and, sampled from the
// service's /metrics while it runs, its old-generation heap peak and event-loop delay.
//
// autocannon's rate mode sends each connection's quota for a second back to back at the start of that
// connection's second; with every connection opened at once that is one burst of the whole rate a second, a
// load no latency target survives (nor would real clients arrive so). With a rate, the load is split over
// `waves` autocannon instances started evenly across the first second, so arrivals spread over each second.
import autocannon from 'autocannon';

export interface SurgeOptions {
  apiUrl: string;
  metricsUrl?: string;
  connections: number;
  /** Requests per second over all connections; unset: closed loop, each connection as fast as answered. */
  rate?: number;
  /** Requests sent in all (autocannon then waits for every answer, so the counts are complete). */
  amount: number;
  /**
   * Stop sending after this long instead (the arrival rate holds for a fixed time even when answers are slow);
   * requests still unanswered when it stops count as unanswered.
   */
  durationSeconds?: number;
  customer: string;
  /** A client gives up on a request after this long (autocannon's timeout). */
  timeoutSeconds?: number;
  /** With a rate: autocannon instances started evenly across one second (default 20). */
  waves?: number;
}

export interface SurgeResult {
  seconds: number;
  statuses: Record<string, number>;
  created: number;
  goodputPerSecond: number;
  acceptedP50Ms: number;
  acceptedP99Ms: number;
  shedP50Ms: number;
  shedP99Ms: number;
  /** Timeouts and connection errors: requests without an answer. */
  unanswered: number;
  /**
   * The service's own view (http_server_request_duration_seconds of POST /orders, from reading the request to
   * the end of the answer): on a machine shared with the load generator, the clients' figures also hold the
   * time the kernel and the generator took. Interpolated within histogram buckets, as histogram_quantile does.
   */
  server: { acceptedP99Ms: number; shedP99Ms: number; shedWithin10msShare: number } | undefined;
  heapOldGenerationPeakBytes: number | undefined;
  eventLoopDelayP99MaxSeconds: number | undefined;
}

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

function sumOf(text: string, name: string): number | undefined {
  let total: number | undefined;
  for (const line of text.split('\n')) {
    if (line.startsWith(name) && (line[name.length] === ' ' || line[name.length] === '{')) total = (total ?? 0) + Number(line.slice(line.lastIndexOf(' ') + 1));
  }
  return total;
}

/** Cumulative bucket counts of POST /orders durations with this status, summed over the other labels. */
function durationBuckets(text: string, status: string): Array<[le: number, count: number]> {
  const byLe = new Map<number, number>();
  for (const line of text.split('\n')) {
    if (!line.startsWith('http_server_request_duration_seconds_bucket{')) continue;
    if (!line.includes('http_request_method="POST"') || !line.includes(`http_response_status_code="${status}"`)) continue;
    const le = /le="([^"]+)"/.exec(line)?.[1];
    if (le === undefined) continue;
    const bound = le === '+Inf' ? Number.POSITIVE_INFINITY : Number(le);
    byLe.set(bound, (byLe.get(bound) ?? 0) + Number(line.slice(line.lastIndexOf(' ') + 1)));
  }
  return [...byLe].sort((a, b) => a[0] - b[0]);
}

function bucketQuantile(buckets: Array<[number, number]>, q: number): number {
  const total = buckets.at(-1)?.[1] ?? 0;
  if (total === 0) return Number.NaN;
  const rank = q * total;
  let previousLe = 0;
  let previousCount = 0;
  for (const [le, count] of buckets) {
    if (count >= rank) {
      if (!Number.isFinite(le)) return previousLe; // in the +Inf bucket: the highest finite bound, as Prometheus does
      return previousLe + ((le - previousLe) * (rank - previousCount)) / Math.max(count - previousCount, 1);
    }
    previousLe = le;
    previousCount = count;
  }
  return previousLe;
}

/** The service's own p99s of POST /orders, read from its /metrics. */
export async function serverDurations(metricsUrl: string): Promise<SurgeResult['server']> {
  try {
    const text = await (await fetch(metricsUrl, { signal: AbortSignal.timeout(5_000) })).text();
    const accepted = durationBuckets(text, '201');
    const shed = durationBuckets(text, '503');
    const shedTotal = shed.at(-1)?.[1] ?? 0;
    const within10ms = shed.filter(([le]) => le <= 0.01).at(-1)?.[1] ?? 0;
    return {
      acceptedP99Ms: bucketQuantile(accepted, 0.99) * 1000,
      shedP99Ms: bucketQuantile(shed, 0.99) * 1000,
      shedWithin10msShare: shedTotal === 0 ? Number.NaN : within10ms / shedTotal,
    };
  } catch {
    return undefined; // the service is gone (crashed)
  }
}

export async function runSurge(options: SurgeOptions): Promise<SurgeResult> {
  const accepted: number[] = [];
  const shed: number[] = [];
  let heapPeak: number | undefined;
  let loopPeak: number | undefined;
  let sampling = true;
  const sampler = (async () => {
    if (!options.metricsUrl) return;
    while (sampling) {
      try {
        const text = await (await fetch(options.metricsUrl, { signal: AbortSignal.timeout(3_000) })).text();
        const heap = sumOf(text, 'v8js_memory_heap_old_generation_used_bytes');
        const loop = sumOf(text, 'nodejs_eventloop_delay_p99_seconds');
        if (heap !== undefined) heapPeak = Math.max(heapPeak ?? 0, heap);
        if (loop !== undefined) loopPeak = Math.max(loopPeak ?? 0, loop);
      } catch {
        // a scrape that fails under load (or after a crash) just has no sample
      }
      await new Promise((resolve) => setTimeout(resolve, 1_000));
    }
  })();
  const started = performance.now();
  const waves = options.rate === undefined ? 1 : Math.max(1, Math.min(options.waves ?? 20, options.connections));
  const share = (total: number, i: number): number => Math.floor(total / waves) + (i < total % waves ? 1 : 0);
  const runs = Array.from({ length: waves }, async (_, i) => {
    await new Promise((resolve) => setTimeout(resolve, (i * 1000) / waves));
    const instance = autocannon({
      url: `${options.apiUrl}/orders`,
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ customer: options.customer, items: [{ sku: 'S-1', quantity: 1, price: 5 }] }),
      connections: share(options.connections, i),
      ...(options.rate === undefined ? {} : { overallRate: share(options.rate, i) }),
      ...(options.durationSeconds === undefined ? { amount: share(options.amount, i) } : { duration: options.durationSeconds }),
      timeout: options.timeoutSeconds ?? 10,
    });
    instance.on('response', (_client: unknown, statusCode: number, _bytes: number, responseTime: number) => {
      if (statusCode === 201) accepted.push(responseTime);
      else if (statusCode === 503 || statusCode === 429) shed.push(responseTime);
    });
    return instance;
  });
  const results = await Promise.all(runs);
  const seconds = (performance.now() - started) / 1000;
  sampling = false;
  await sampler;
  accepted.sort((a, b) => a - b);
  shed.sort((a, b) => a - b);
  const statuses: Record<string, number> = {};
  for (const result of results) for (const [code, { count }] of Object.entries(result.statusCodeStats)) statuses[code] = (statuses[code] ?? 0) + count;
  const created = statuses['201'] ?? 0;
  return {
    seconds,
    statuses,
    created,
    goodputPerSecond: created / seconds,
    acceptedP50Ms: percentile(accepted, 50),
    acceptedP99Ms: percentile(accepted, 99),
    shedP50Ms: percentile(shed, 50),
    shedP99Ms: percentile(shed, 99),
    unanswered: results.reduce((sum, result) => {
      if (options.durationSeconds === undefined) return sum + result.timeouts + result.errors;
      // Stopped by the clock: requests sent and not answered when it stopped are unanswered too.
      const answered = Object.values(result.statusCodeStats).reduce((n, { count }) => n + count, 0);
      return sum + Math.max(result.timeouts + result.errors, result.requests.sent - answered);
    }, 0),
    server: options.metricsUrl ? await serverDurations(options.metricsUrl) : undefined,
    heapOldGenerationPeakBytes: heapPeak,
    eventLoopDelayP99MaxSeconds: loopPeak,
  };
}
