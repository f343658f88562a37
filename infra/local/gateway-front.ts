/**
 * The twin's HTTP front end, in a thread of its own: it accepts connections, reads each request
 * (body up to API Gateway's payload limit) and writes each answer, while the handlers run on the
 * main thread. libuv (1.46, Node 20) accepts one connection per turn of the event loop, so a front
 * end sharing the handlers' busy loop took in a burst of new connections one per turn (about 100 ms
 * apart under load): the hundredth tenant's first request waited seconds before it was even read,
 * which API Gateway, with its own fleet in front, never does. Messages between the threads are
 * drained in batches, so a burst reaches the handlers at once.
 */
import { createServer, type IncomingMessage } from 'node:http';
import { parentPort, workerData } from 'node:worker_threads';
import type { FrontMessage, GatewayRequest, MainMessage } from './gateway-front-protocol';

const { port, host, maxPayloadBytes } = workerData as { port: number; host: string; maxPayloadBytes: number };
const port_ = parentPort;
if (!port_) throw new Error('gateway-front.ts runs as a worker thread');
const post = (message: FrontMessage, transfer: ArrayBuffer[] = []) => port_.postMessage(message, transfer);

/**
 * The body, or `too-large` past the limit. The rest of an oversized body is read and dropped:
 * leaving the loop early would destroy the socket before the gateway's 413 could be written.
 */
async function readBody(req: IncomingMessage): Promise<Buffer | 'too-large'> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size <= maxPayloadBytes) chunks.push(chunk as Buffer);
  }
  return size > maxPayloadBytes ? 'too-large' : Buffer.concat(chunks);
}

/** How long a stop waits for the requests in flight: API Gateway's integration timeout. */
const DRAIN_LIMIT_MS = 30_000;

const pending = new Map<number, (answer: Extract<MainMessage, { type: 'response' }>) => void>();
let nextId = 0;

const server = createServer((req, res) => {
  const id = (nextId += 1);
  readBody(req)
    .then((body) => {
      pending.set(id, (answer) => {
        res.writeHead(answer.status, answer.headers);
        res.end(answer.body);
      });
      const request: GatewayRequest = {
        id,
        method: req.method ?? 'GET',
        url: req.url ?? '/',
        headers: req.headers,
        remoteAddress: req.socket.remoteAddress,
        body: body === 'too-large' ? 'too-large' : new Uint8Array(body),
      };
      post({ type: 'request', request });
    })
    .catch(() => res.destroy());
});

port_.on('message', (message: MainMessage) => {
  if (message.type === 'response') {
    const answer = pending.get(message.id);
    pending.delete(message.id);
    answer?.(message);
  } else if (message.type === 'stop') {
    // As a draining load balancer: no new connection is accepted, every request already read is
    // answered, then the connections close (at the latest after API Gateway's 30 s).
    server.close(() => post({ type: 'stopped' }));
    server.closeIdleConnections();
    const cutOff = setTimeout(() => server.closeAllConnections(), DRAIN_LIMIT_MS);
    const drain = () => {
      if (pending.size > 0) return void setTimeout(drain, 20);
      clearTimeout(cutOff);
      server.closeAllConnections();
    };
    drain();
  }
});

server.once('error', (error) => post({ type: 'failed', message: error.message }));
server.listen(port, host, () => {
  const address = server.address();
  post({ type: 'listening', port: typeof address === 'object' && address ? address.port : port });
});
