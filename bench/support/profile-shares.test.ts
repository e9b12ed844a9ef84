// The profile attribution the telemetry bench's figures rest on: each sample charged to the nearest frame of a
// package or of ours, Node's internals to whoever called them, GC apart, idle left out of the busy time.
import { describe, expect, it } from 'vitest';
import { ownerOf, profileShares, type CpuProfile } from './profile-shares.ts';

const frame = (id: number, functionName: string, url: string, children: number[] = []) => ({ id, callFrame: { functionName, url }, children });

describe('profile shares', () => {
  it('charges Node internals to their caller, keeps GC apart and idle out of the busy time', () => {
    const profile: CpuProfile = {
      nodes: [
        frame(1, '(root)', '', [2, 5, 6, 7]),
        frame(2, 'handle', 'file:///app/service/orders/orders-router.ts', [3]),
        frame(3, 'with', 'file:///app/node_modules/@opentelemetry/context-async-hooks/dist/index.mjs', [4]),
        frame(4, 'run', 'node:internal/async_local_storage/async_context_frame', []),
        frame(5, '(garbage collector)', ''),
        frame(6, '(idle)', ''),
        frame(7, 'timedQuery', 'file:///app/service/telemetry/db-query-duration.ts'),
      ],
      // Each sample stands for the delta to the next one (µs).
      samples: [2, 4, 4, 5, 6, 6, 6, 7, 2],
      timeDeltas: [0, 1000, 1000, 1000, 1000, 1000, 1000, 1000, 1000],
    };
    const shares = profileShares(profile);
    // Busy: handle 1 + run→context-async-hooks 2 + GC 1 + timedQuery 1 = 5 ms (the last sample has no next delta).
    expect(shares.busyMs).toBe(5);
    expect(shares.byOwner.get('@opentelemetry/context-async-hooks')).toBeCloseTo(2 / 5);
    expect(shares.byOwner.get('service/telemetry')).toBeCloseTo(1 / 5);
    expect(shares.byOwner.get('service')).toBeCloseTo(1 / 5);
    expect(shares.gc).toBeCloseTo(1 / 5);
    expect(shares.telemetry).toBeCloseTo(3 / 5);
    // By frame: the owned frame each sample was charged to, Node's run() to the OpenTelemetry frame that called it.
    expect(shares.byFrame.get('@opentelemetry/context-async-hooks with index.mjs:0')).toBeCloseTo(2 / 5);
    expect(shares.byFrame.get('service/telemetry timedQuery db-query-duration.ts:0')).toBeCloseTo(1 / 5);
  });

  it('names the owner of a file: an @opentelemetry package even nested, another package, a folder of ours', () => {
    expect(ownerOf('file:///x/node_modules/@opentelemetry/auto-instrumentations-node/node_modules/@opentelemetry/instrumentation-http/dist/http.mjs')).toBe('@opentelemetry/instrumentation-http');
    expect(ownerOf('file:///x/node_modules/@scope/pkg/index.js')).toBe('@scope/pkg');
    expect(ownerOf('file:///x/node_modules/pg/lib/client.js')).toBe('pg');
    expect(ownerOf('file:///x/service/telemetry/db-pool.ts')).toBe('service/telemetry');
    expect(ownerOf('node:internal/streams/readable')).toBeUndefined();
  });
});
