import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import { freePort } from '../../infra/local/free-port';

export interface Received {
  path: string;
  headers: IncomingHttpHeaders;
  body: string;
}

/** A tenant's webhook receiver on this machine: records every delivery, answers as told per path. */
export class Receiver {
  readonly received: Received[] = [];
  private readonly answers = new Map<string, number[]>();
  private readonly bodies = new Map<string, string>();
  private server?: Server;
  url = '';

  async start(): Promise<void> {
    const port = await freePort();
    this.server = createServer((req, res) => {
      let body = '';
      req.on('data', (chunk: Buffer) => (body += chunk.toString('utf8')));
      req.on('end', () => {
        const path = req.url ?? '/';
        this.received.push({ path, headers: req.headers, body });
        const queue = this.answers.get(path) ?? [];
        res.writeHead(queue.length > 1 ? (queue.shift() ?? 200) : (queue[0] ?? 200));
        res.end(this.bodies.get(path));
      });
    });
    await new Promise<void>((resolve) => this.server?.listen(port, '127.0.0.1', () => resolve()));
    this.url = `http://127.0.0.1:${port}`;
  }

  /** The statuses `path` answers with, in turn; the last one for ever after. */
  answer(path: string, statuses: number[], body?: string): void {
    this.answers.set(path, [...statuses]);
    if (body !== undefined) this.bodies.set(path, body);
  }

  at(path: string): Received[] {
    return this.received.filter((entry) => entry.path === path);
  }

  async until(path: string, count: number, waitMs = 5_000): Promise<Received[]> {
    const deadline = Date.now() + waitMs;
    while (this.at(path).length < count && Date.now() < deadline) await new Promise((r) => setTimeout(r, 25));
    return this.at(path);
  }

  stop(): Promise<void> {
    return new Promise((resolve) => this.server?.close(() => resolve()));
  }
}
