// The heap-death proof for V8's default heap (no flag: a 4 GiB old generation on this machine), too slow and
// memory-hungry for `npm test` (about 12 s and 4.2 GB of memory here). Run: node stack/heap-death.bench.ts
// (or `npm run bench`). The capped cases are in test/heap-limit-death.test.ts.
import { describeHeapDeath, runUntilHeapDeath } from './heap-death.ts';

const death = await runUntilHeapDeath([], { timeoutMs: 300_000 });
console.log(describeHeapDeath(death));
const { limit, heapUsed } = death.last;
const diedAtLimit = death.heapLimitMessage !== undefined && Math.abs(heapUsed - limit) / limit < 0.05;
if (!diedAtLimit) {
  console.error(`not a heap death at the exported limit:\n${death.stderrTail}`);
  process.exit(1);
}
