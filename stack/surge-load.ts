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
      amount: share(options.amount, i),
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
    unanswered: results.reduce((sum, result) => sum + result.timeouts + result.errors, 0),
    heapOldGenerationPeakBytes: heapPeak,
    eventLoopDelayP99MaxSeconds: loopPeak,
  };
}
