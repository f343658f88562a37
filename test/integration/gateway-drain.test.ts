import { request } from 'node:http';
import { Worker } from 'node:worker_threads';
import { describe, expect, it } from 'vitest';
import type { FrontMessage, MainMessage } from '../../infra/local/gateway-front-protocol';

function get(port: number): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path: '/slow', agent: false }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (body += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

/**
 * The twin's front thread on Ctrl-C: it stops accepting, answers what it has already read, then
 * stops (no request in flight is cut off).
 */
describe('stopping the twin’s API', () => {
  it('finishes the requests in flight, refuses new connections, then stops', async () => {
    const front = new Worker(new URL('../../infra/local/gateway-front.boot.mjs', import.meta.url), {
      workerData: { port: 0, host: '127.0.0.1', maxPayloadBytes: 1024 },
    });
    const send = (message: MainMessage) => front.postMessage(message);
    const received: number[] = [];
    let stopped = false;
    const port = await new Promise<number>((resolve) => {
      front.on('message', (message: FrontMessage) => {
        if (message.type === 'listening') resolve(message.port);
        if (message.type === 'request') received.push(message.request.id);
        if (message.type === 'stopped') stopped = true;
      });
    });
    try {
      // Three requests in flight, answered only after the stop.
      const inFlight = [get(port), get(port), get(port)];
      while (received.length < 3) await new Promise((resolve) => setTimeout(resolve, 10));
      send({ type: 'stop' });
      await new Promise((resolve) => setTimeout(resolve, 200));
      await expect(get(port)).rejects.toMatchObject({ code: 'ECONNREFUSED' });
      expect(stopped).toBe(false);
      for (const id of received) send({ type: 'response', id, status: 200, headers: {}, body: `done ${id}` });
      const answers = await Promise.all(inFlight);
      expect(answers.map((answer) => answer.status)).toEqual([200, 200, 200]);
      expect(answers.map((answer) => answer.body).sort()).toEqual(received.map((id) => `done ${id}`).sort());
      const deadline = Date.now() + 5_000;
      while (!stopped && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20));
      expect(stopped).toBe(true);
    } finally {
      await front.terminate();
    }
  });
});
