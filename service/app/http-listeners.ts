import { once } from 'node:events';
import { createServer, type RequestListener, type Server } from 'node:http';
import { createServer as createTcpServer, type AddressInfo } from 'node:net';

export interface HttpListeners {
  port: number;
  /** Stops accepting on every listener; resolves once every in-flight request is answered. */
  close(): Promise<void>;
  closeIdleConnections(): void;
}

export interface ListenOptions {
  host: string;
  /** 0 for a free port. */
  port: number;
  /**
   * Listening sockets on the port (SO_REUSEPORT), each an http.Server with the same handler. libuv accepts one
   * connection per listener per turn of the event loop; under a surge of new connections one listener leaves
   * thousands in the kernel's accept queue while the loop is busy (docs/benchmarks.md, "Overload"). The kernel
   * spreads new connections over the listeners.
   */
  count: number;
  /** The kernel's accept queue of each listener (capped by net.core.somaxconn). */
  backlog: number;
}

/**
 * SO_REUSEPORT would let a second process bind the same port and silently take half the traffic; a plain bind
 * first fails with EADDRINUSE as a single listener would.
 */
async function assertPortFree(host: string, port: number): Promise<void> {
  const probe = createTcpServer();
  probe.listen({ host, port });
  await once(probe, 'listening'); // rejects with the 'error' (EADDRINUSE) instead, and leaves no listener behind
  await new Promise<void>((resolve) => probe.close(() => resolve()));
}

async function listen(server: Server, options: { host: string; port: number; backlog: number; reusePort: boolean }): Promise<void> {
  server.listen(options);
  await once(server, 'listening');
}

/** Serves `handler` on one port from `count` listeners. */
export async function listenHttp(handler: RequestListener, options: ListenOptions): Promise<HttpListeners> {
  const reusePort = options.count > 1;
  if (reusePort && options.port !== 0) await assertPortFree(options.host, options.port);
  const first = createServer(handler);
  await listen(first, { host: options.host, port: options.port, backlog: options.backlog, reusePort });
  const { port } = first.address() as AddressInfo;
  const servers = [first];
  try {
    for (let i = 1; i < options.count; i++) {
      const server = createServer(handler);
      await listen(server, { host: options.host, port, backlog: options.backlog, reusePort });
      servers.push(server);
    }
  } catch (error) {
    for (const server of servers) server.close();
    throw error;
  }
  return {
    port,
    close: () => Promise.all(servers.map((server) => new Promise<void>((resolve) => server.close(() => resolve())))).then(() => undefined),
    closeIdleConnections: () => {
      for (const server of servers) server.closeIdleConnections();
    },
  };
}
