import { createServer } from 'node:net';

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
