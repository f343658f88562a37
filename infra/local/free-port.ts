import { createServer } from 'node:net';

/**
 * A free port held open until `release`: between choosing a port and listening on it, the OS may
 * hand the same port to another listener or to an outgoing connection as its source port (the
 * twin makes hundreds while it starts); a port held in LISTEN is handed to neither.
 */
export interface PortReservation {
  port: number;
  release(): Promise<void>;
}

export function reservePort(): Promise<PortReservation> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      resolve({ port, release: () => new Promise<void>((done) => server.close(() => done())) });
    });
  });
}

/** Asks the OS for a free TCP port on the loopback interface (let go at once: see `reservePort`). */
export async function freePort(): Promise<number> {
  const reservation = await reservePort();
  await reservation.release();
  return reservation.port;
}

/** Whether `port` can be listened on, on the loopback interface, now. */
function canListen(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.unref();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}

/**
 * The port a service had last time, if it is still free (so its address stays the same across
 * restarts and can be bookmarked); another free port if not.
 */
export async function stablePort(previous: number | undefined): Promise<number> {
  if (previous && (await canListen(previous))) return previous;
  return freePort();
}

/** Waits until `probe` succeeds, or fails after `timeoutMs`. */
export async function waitFor(
  what: string,
  probe: () => Promise<boolean>,
  timeoutMs = 30_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await probe().catch(() => false)) return;
    await new Promise((r) => setTimeout(r, 150));
  }
  throw new Error(`${what} did not become ready within ${timeoutMs} ms`);
}
