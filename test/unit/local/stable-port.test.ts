import { createServer } from 'node:net';
import { describe, expect, it } from 'vitest';
import { freePort, stablePort } from '../../../infra/local/free-port';

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
