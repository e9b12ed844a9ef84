import { request, Agent } from 'node:http';
import type { Server } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { listenHttp, type HttpListeners } from './http-listeners.ts';

const open: HttpListeners[] = [];
afterEach(async () => {
  await Promise.all(open.splice(0).map((listeners) => listeners.close()));
});

/** GET / on a new connection each time; resolves with the body. */
function get(port: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path: '/', agent: new Agent({ keepAlive: false }) }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (body += chunk));
      res.on('end', () => resolve(body));
    });
    req.on('error', reject);
    req.end();
  });
}

describe('listenHttp', () => {
  it('serves one handler from several listeners on one port, new connections spread over them', async () => {
    const servers = new Map<Server, number>();
    const listeners = await listenHttp(
      (req, res) => {
        const server = (req.socket as unknown as { server: Server }).server;
        servers.set(server, (servers.get(server) ?? 0) + 1);
        res.end('ok');
      },
      { host: '127.0.0.1', port: 0, count: 3, backlog: 511 },
    );
    open.push(listeners);
    const bodies = await Promise.all(Array.from({ length: 60 }, () => get(listeners.port)));
    expect(bodies.every((body) => body === 'ok')).toBe(true);
    // The kernel hashes each new connection to a listener: 60 connections all on one of three would be chance
    // of 3 in 3^60.
    expect(servers.size).toBeGreaterThan(1);
  });

  it('refuses a port another process or service already listens on, even with SO_REUSEPORT on both', async () => {
    const first = await listenHttp((_req, res) => res.end('first'), { host: '127.0.0.1', port: 0, count: 2, backlog: 511 });
    open.push(first);
    await expect(listenHttp((_req, res) => res.end('second'), { host: '127.0.0.1', port: first.port, count: 2, backlog: 511 })).rejects.toMatchObject({ code: 'EADDRINUSE' });
    expect(await get(first.port)).toBe('first');
  });

  it('close stops every listener', async () => {
    const listeners = await listenHttp((_req, res) => res.end('ok'), { host: '127.0.0.1', port: 0, count: 4, backlog: 511 });
    expect(await get(listeners.port)).toBe('ok');
    await listeners.close();
    await expect(get(listeners.port)).rejects.toMatchObject({ code: 'ECONNREFUSED' });
  });
});
