// Free TCP ports on 127.0.0.1 for tests and benches that must name a port up front (child-process
// brokers, embedded clusters whose brokers listen on consecutive ports). A port is free when probed;
// another process may still take it before it is used, which the random range makes unlikely.
import { createServer } from 'node:net';

/** Whether `port` can be listened on now. */
export function portFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}

/** A port the system hands out as free right now. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

/** A first port with `count` consecutive free ports from it, in 20000-49999. */
export async function freePortRange(count: number): Promise<number> {
  for (let attempt = 0; attempt < 50; attempt += 1) {
    const first = 20_000 + Math.floor(Math.random() * 30_000);
    let free = true;
    for (let offset = 0; offset < count && free; offset += 1) free = await portFree(first + offset);
    if (free) return first;
  }
  throw new Error(`no ${count} consecutive free ports found`);
}
