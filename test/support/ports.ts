// Free TCP ports on 127.0.0.1 for tests and benches that must name a port up front (child-process
// brokers, embedded clusters whose brokers listen on consecutive ports). A port is free when probed;
// another process may still take it before it is used, which the random range makes unlikely. The
// range stays below the kernel's ephemeral ports: those go to every outgoing connection on the machine
// (each Kafka client of every test running), so a port probed free there was often taken by the time
// a broker started seconds later (EADDRINUSE).
import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';

const FIRST = 20_000;

/** The first port the kernel hands to outgoing connections (Linux's default 32768 elsewhere). */
function ephemeralStart(): number {
  try {
    const first = Number(readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').trim().split(/\s+/)[0]);
    return Number.isInteger(first) && first > 0 ? first : 32_768;
  } catch {
    return 32_768;
  }
}

/** Whether `port` can be listened on now. */
export function portFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}

/** A port free right now, outside the ephemeral range (a port from listen(0) is in it). */
export function freePort(): Promise<number> {
  return freePortRange(1);
}

/** A first port with `count` consecutive free ports from it, from 20000 up to the ephemeral range (or 49999). */
export async function freePortRange(count: number): Promise<number> {
  const end = ephemeralStart() > FIRST + 1_000 ? Math.min(ephemeralStart(), 50_000) : 50_000;
  for (let attempt = 0; attempt < 50; attempt += 1) {
    const first = FIRST + Math.floor(Math.random() * (end - FIRST - count));
    let free = true;
    for (let offset = 0; offset < count && free; offset += 1) free = await portFree(first + offset);
    if (free) return first;
  }
  throw new Error(`no ${count} consecutive free ports found`);
}
