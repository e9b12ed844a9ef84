import { createServer } from 'node:net';
import { describe, expect, it } from 'vitest';
import { freePortRun, freePorts } from './free-port.ts';

describe('free ports', () => {
  it('hands out distinct ports, none of the avoided ones, each bindable', async () => {
    const run = await freePortRun(4);
    const avoid = [run, run + 1, run + 2, run + 3];
    const ports = await freePorts(12, { avoid });
    expect(new Set(ports).size).toBe(12);
    for (const port of ports) expect(avoid).not.toContain(port);
    for (const port of ports) {
      await new Promise<void>((resolve, reject) => {
        const server = createServer();
        server.once('error', reject);
        server.listen(port, '127.0.0.1', () => server.close(() => resolve()));
      });
    }
  });
});
