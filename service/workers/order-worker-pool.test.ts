// The order worker pool on real worker threads: a task refused because the queue is full fails with a typed
// TaskRefusedError (piscina's own error has only a message), and a task that fails while running does not.
import { afterAll, describe, expect, it } from 'vitest';
import { createWorkerPool, TaskRefusedError } from './order-worker-pool.ts';

const pool = createWorkerPool({ size: 1, queueMax: 1 });
afterAll(() => pool.destroy());

describe('createWorkerPool', () => {
  it('refuses beyond its queue with TaskRefusedError, runs the rest', async () => {
    const results = await Promise.allSettled([pool.run({ kind: 'burn', ms: 300 }), pool.run({ kind: 'burn', ms: 1 }), pool.run({ kind: 'burn', ms: 1 }), pool.run({ kind: 'burn', ms: 1 })]);
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'fulfilled', 'rejected', 'rejected']);
    for (const refused of results.slice(2)) expect((refused as PromiseRejectedResult).reason).toBeInstanceOf(TaskRefusedError);
  });

  it('passes on an error of a task that ran, untouched', async () => {
    const failed = pool.run({ kind: 'price-and-score', customer: 'x', items: null as never });
    await expect(failed).rejects.toThrow();
    await expect(failed).rejects.not.toBeInstanceOf(TaskRefusedError);
  });
});
