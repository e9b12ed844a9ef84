// `npm run bench`: how many orders a second the service takes (validated, stored in PostgreSQL, then priced on
// the worker pool), against the same process answering GET /healthz (no database, no validation) as the
// baseline measured in the same run. Absolute figures drift on shared machines; the ratio is what to watch.
import autocannon from 'autocannon';
import { startOrderService } from '../stack/order-service-process.ts';
import { postBenchOrder } from './support/order-load.ts';

const durationSeconds = Number(process.env.BENCH_SECONDS ?? 5);
const connections = 16;

const service = await startOrderService({ env: { DB_POOL_MAX: '10', WORKER_QUEUE_MAX: '10000', LOG_LEVEL: 'error' } });

async function measure(title: string, path: string, options: Record<string, unknown> = {}): Promise<autocannon.Result> {
  const result = await autocannon({ url: `${service.apiUrl}${path}`, connections, duration: durationSeconds, ...options });
  if (result['2xx'] === 0) throw new Error(`${title}: no request succeeded`);
  const ok = result['2xx'];
  console.log(
    `${title.padEnd(28)} ${result.requests.average.toFixed(0).padStart(7)} req/s  p50 ${result.latency.p50} ms  p99 ${result.latency.p99} ms  2xx ${ok}  non-2xx ${result.non2xx}  errors ${result.errors}`,
  );
  return result;
}

try {
  await measure('warm-up (orders)', '/orders', { duration: 2, ...postBenchOrder });
  const baseline = await measure('baseline GET /healthz', '/healthz');
  const orders = await measure('POST /orders', '/orders', postBenchOrder);
  let n = 0;
  const keyed = await measure('POST /orders + Idempotency-Key', '/orders', {
    ...postBenchOrder,
    // A fresh key per request: the insert goes through the unique index, as clients' retries would.
    setupRequest: (request: { headers?: Record<string, string> }) => ({ ...request, headers: { ...request.headers, 'idempotency-key': `bench-${process.pid}-${n++}` } }),
  });
  console.log(`orders/s vs baseline: ${(orders.requests.average / baseline.requests.average).toFixed(3)}x`);
  console.log(`keyed orders/s vs baseline: ${(keyed.requests.average / baseline.requests.average).toFixed(3)}x`);
  console.log(`orders p99 latency vs baseline: ${(orders.latency.p99 / Math.max(baseline.latency.p99, 1)).toFixed(2)}x`);
} finally {
  await service.stop();
}
