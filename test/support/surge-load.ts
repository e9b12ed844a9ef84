// One surge of POST /orders with autocannon, measured the way issue 9 asks: answers by status, goodput,
// latency of accepted (201) and refused (503) requests apart, requests left unanswered; and, sampled from the
// service's /metrics while it runs, its old-generation heap peak and event-loop delay.
//
// A connection's first request is reported apart: under load a Node server accepts one connection per turn of
// its event loop (libuv's uv__server_io), so when 1000 clients connect at once the last ones wait seconds to be
// accepted, before the service sees their request at all. Behind a proxy that pools its connections (a
// Kubernetes Service, an ingress) that wait does not arise; the other figures are those of established
// connections, and goodput is also given over the steady part of the surge, once every connection was served.
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
   * requests still waiting for their answer then are abandoned, and not counted (autocannon's `requests.sent`
   * cannot tell them: it counts each connection's first second of quota as sent up front).
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
  /** 201s a second over the whole run, from the first connection to the last answer. */
  goodputPerSecond: number;
  /**
   * 201s a second over the steady part: from the moment every connection had its first answer until sending
   * stopped (with `durationSeconds`) or the last answer; undefined when that part is under a second.
   */
  steadyGoodputPerSecond: number | undefined;
  /** When the steady part began, in seconds from the start (every connection had had its first answer). */
  steadyFromSeconds: number | undefined;
  /** Latencies at the client on established connections (a connection's first request is apart, below). */
  acceptedP50Ms: number;
  acceptedP99Ms: number;
  shedP50Ms: number;
  shedP99Ms: number;
  /** A connection's first request, connecting included: under load mostly the wait to be accepted. */
  firstRequestP99Ms: number;
  /** Timeouts and connection errors: requests the client gave up on, without an answer. */
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
  const firsts: number[] = [];
  /** When each 201 arrived, in ms from the start. */
  const createdAt: number[] = [];
  const served = new WeakSet<object>();
  let lastFirstAnswerAt = 0;
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
    instance.on('response', (client: unknown, statusCode: number, _bytes: number, responseTime: number) => {
      const now = performance.now() - started;
      if (statusCode === 201) createdAt.push(now);
      const connection = client as object; // autocannon's Client, one per connection
      if (!served.has(connection)) {
        served.add(connection);
        firsts.push(responseTime);
        lastFirstAnswerAt = now;
      } else if (statusCode === 201) accepted.push(responseTime);
      else if (statusCode === 503 || statusCode === 429) shed.push(responseTime);
    });
    return instance;
  });
  const results = await Promise.all(runs);
  const seconds = (performance.now() - started) / 1000;
  sampling = false;
  await sampler;
  for (const list of [accepted, shed, firsts]) list.sort((a, b) => a - b);
  // Steady part: every connection served once (as many firsts as connections autocannon opened) until the end.
  // autocannon opens no more connections than its rate a second.
  const connectionsOpened = Array.from({ length: waves }, (_, i) =>
    Math.min(share(options.connections, i), options.rate === undefined ? Number.POSITIVE_INFINITY : share(options.rate, i)),
  ).reduce((a, b) => a + b, 0);
  const steadyFrom = firsts.length >= connectionsOpened ? lastFirstAnswerAt : undefined;
  const steadyUntil = options.durationSeconds === undefined ? (createdAt.at(-1) ?? 0) : options.durationSeconds * 1000;
  const steadyMs = steadyFrom === undefined ? 0 : steadyUntil - steadyFrom;
  const steadyCreated = createdAt.filter((at) => steadyFrom !== undefined && at > steadyFrom && at <= steadyUntil).length;
  const statuses: Record<string, number> = {};
  for (const result of results) for (const [code, { count }] of Object.entries(result.statusCodeStats)) statuses[code] = (statuses[code] ?? 0) + count;
  const created = statuses['201'] ?? 0;
  return {
    seconds,
    statuses,
    created,
    goodputPerSecond: created / seconds,
    steadyGoodputPerSecond: steadyMs >= 1000 ? steadyCreated / (steadyMs / 1000) : undefined,
    steadyFromSeconds: steadyFrom === undefined ? undefined : steadyFrom / 1000,
    firstRequestP99Ms: percentile(firsts, 99),
    acceptedP50Ms: percentile(accepted, 50),
    acceptedP99Ms: percentile(accepted, 99),
    shedP50Ms: percentile(shed, 50),
    shedP99Ms: percentile(shed, 99),
    unanswered: results.reduce((sum, result) => sum + result.errors, 0), // autocannon counts its timeouts among its errors
    server: options.metricsUrl ? await serverDurations(options.metricsUrl) : undefined,
    heapOldGenerationPeakBytes: heapPeak,
    eventLoopDelayP99MaxSeconds: loopPeak,
  };
}
