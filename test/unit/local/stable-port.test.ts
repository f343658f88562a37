import { createServer } from 'node:net';
import { describe, expect, it } from 'vitest';
import { freePort, reservePort, stablePort } from '../../../infra/local/free-port';

describe('a local service’s port across restarts', () => {
  it('is the same port as last time when it is free', async () => {
    const previous = await freePort();
    expect(await stablePort(previous)).toBe(previous);
  });

  it('is another free port when last time’s is taken, and a free one the first time', async () => {
    const busy = createServer();
    const taken = await new Promise<number>((resolve) =>
      busy.listen(0, '127.0.0.1', () => resolve((busy.address() as { port: number }).port)),
    );
    try {
      const port = await stablePort(taken);
      expect(port).not.toBe(taken);
      expect(port).toBeGreaterThan(0);
    } finally {
      busy.close();
    }
    expect(await stablePort(undefined)).toBeGreaterThan(0);
  });
});

describe('a reserved port', () => {
  const listenOn = (port: number) =>
    new Promise<ReturnType<typeof createServer>>((resolve, reject) => {
      const server = createServer();
      server.once('error', reject);
      server.listen(port, '127.0.0.1', () => resolve(server));
    });

  it('is held until released, so nothing else can take it, then its owner listens on it', async () => {
    const reservation = await reservePort();
    expect(reservation.port).toBeGreaterThan(0);
    await expect(listenOn(reservation.port)).rejects.toMatchObject({ code: 'EADDRINUSE' });
    await reservation.release();
    const owner = await listenOn(reservation.port);
    owner.close();
  });
});
