import { createServer, type Server } from 'node:net';

/** Asks the kernel for a free TCP port on 127.0.0.1 (bind to 0, read it back, release it). */
export async function freePort(host = '127.0.0.1'): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.once('error', reject);
    server.listen(0, host, () => {
      const address = server.address();
      server.close(() => {
        if (address && typeof address === 'object') resolve(address.port);
        else reject(new Error('could not read the port the kernel gave'));
      });
    });
  });
}

/**
 * `count` distinct free ports, none in `avoid`: every socket stays bound until all are found, so the kernel cannot
 * hand the same port out twice (one freePort() after another can, and did: two components on one port).
 */
export async function freePorts(count: number, options: { avoid?: Iterable<number>; host?: string } = {}): Promise<number[]> {
  const host = options.host ?? '127.0.0.1';
  const avoid = new Set(options.avoid ?? []);
  const held: Server[] = [];
  const ports: number[] = [];
  try {
    for (let attempt = 0; ports.length < count; attempt++) {
      if (attempt > count + 100) throw new Error(`no ${count} free ports outside ${avoid.size} avoided ones on ${host}`);
      const server = await listenOnAnyPort(host);
      held.push(server);
      const address = server.address();
      if (address && typeof address === 'object' && !avoid.has(address.port)) ports.push(address.port);
    }
    return ports;
  } finally {
    await Promise.all(held.map((server) => new Promise((resolve) => server.close(resolve))));
  }
}

async function listenOnAnyPort(host: string): Promise<Server> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.once('error', reject);
    server.listen(0, host, () => resolve(server));
  });
}

async function canListen(port: number, host: string): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.unref();
    server.once('error', () => resolve(false));
    server.listen(port, host, () => server.close(() => resolve(true)));
  });
}

/**
 * The first of `count` consecutive free ports (replica i of the stack listens on PORT + i): a free port from the
 * kernel whose next `count - 1` neighbours are free too, else another try.
 */
export async function freePortRun(count: number, host = '127.0.0.1', attempts = 20): Promise<number> {
  for (let attempt = 0; attempt < attempts; attempt++) {
    const first = await freePort(host);
    if (first + count - 1 > 65535) continue;
    let free = true;
    for (let port = first + 1; free && port < first + count; port++) free = await canListen(port, host);
    if (free) return first;
  }
  throw new Error(`no ${count} consecutive free ports found on ${host} in ${attempts} attempts`);
}
