// `npm run heap-paging-proof [-- --leak 0.25 --healthy-minutes 10]`: the long version of
// test/heap-leak-paging.test.ts, too long for `npm test`. On `npm start`'s own stack, a replica capped at
// --max-old-space-size=256 leaks (MiB a second, 1 MiB a request) under light order traffic until V8 kills it, while
// a replica whose own live set fills most of a small old generation serves the same traffic for the given minutes.
// Prints the lead of the first heap page over the death (the bar: >= 120 s for a leak of 0.5 MB/s or slower,
// >= 45 s for 2 MB/s), how the death was paged, any RESOLVED before it, and the healthy replica's heap pages (none).
import { parseArgs } from 'node:util';
import { runHeapPaging } from '../test/support/heap-paging.ts';

const { values } = parseArgs({ options: { leak: { type: 'string', default: '0.25' }, 'healthy-minutes': { type: 'string', default: '10' }, 'healthy-old-space': { type: 'string', default: '40' } } });
const leak = Number(values.leak);
const healthyMinutes = Number(values['healthy-minutes']);
const healthyOldSpace = Number(values['healthy-old-space']);
if (!(leak > 0 && leak <= 16)) throw new Error(`--leak: MiB a second, above 0 and at most 16, got ${values.leak}`);
if (!(healthyMinutes >= 0)) throw new Error(`--healthy-minutes: a number of minutes, got ${values['healthy-minutes']}`);
if (!(healthyOldSpace >= 16)) throw new Error(`--healthy-old-space: MiB, at least 16, got ${values['healthy-old-space']}`);

const started = Date.now();
const log = (line: string): void => console.log(`[${((Date.now() - started) / 1000).toFixed(0).padStart(4)} s] ${line}`);
const result = await runHeapPaging({ leakMiBPerSecond: leak, healthyOldSpaceMiB: healthyOldSpace, healthyMinSeconds: healthyMinutes * 60, log });
const lead = result.firstHeapPage === undefined ? undefined : (result.diedAt - result.firstHeapPage.at) / 1000;
console.log(`\nleak ${leak} MiB/s: the replica died (${String(result.exit)}; ${result.fatalError ?? 'no FATAL ERROR line'}) ${((result.diedAt - result.leakStartedAt) / 1000).toFixed(1)} s after the leak began`);
console.log(`first heap page: ${lead === undefined ? 'none before the death' : `${lead.toFixed(1)} s before the death: ${result.firstHeapPage!.text}`}`);
console.log(`death paged: ${result.deathPage ? `${((result.deathPage.at - result.diedAt) / 1000).toFixed(1)} s after it: ${result.deathPage.text}` : 'never'}`);
console.log(`heap RESOLVED before the death page: ${result.resolvedBeforeDeathPage.length === 0 ? 'none' : result.resolvedBeforeDeathPage.map((p) => p.text).join(' | ')}`);
console.log(
  `healthy replica (--max-old-space-size=${healthyOldSpace}) for ${(result.healthySeconds / 60).toFixed(1)} min: old generation peaked at ${(result.healthyPeak.used * 100).toFixed(0)}% used, ` +
    `${(result.healthyPeak.retained * 100).toFixed(0)}% retained after GC; heap alerts fired: ${result.healthyHeapAlerts.join(', ') || 'none'}; heap pages: ${result.healthyHeapPages.length}`,
);
console.log(`pages not about the leaking replica (false pages): ${result.otherPages.length === 0 ? 'none' : result.otherPages.join(' | ')}`);
const ok = result.otherPages.length === 0 && lead !== undefined && lead > 0 && result.deathPage !== undefined && result.resolvedBeforeDeathPage.length === 0 && result.healthyHeapAlerts.length === 0 && result.healthyHeapPages.length === 0;
process.exitCode = ok ? 0 : 1;
