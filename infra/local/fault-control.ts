import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { SupervisedProcess } from './supervisor';

/** What the control can pause, resume and crash: a supervised child, or the twin's DNS server. */
export type Controllable = Pick<
  SupervisedProcess,
  'paused' | 'restarts' | 'pause' | 'resume' | 'crash' | 'ready'
> & {
  child: { pid?: number | undefined };
};

/**
 * Tests only: pauses, resumes and crashes the twin's supervised children on request, so the fault
 * suite (in a test worker, another process) can take a dependency away under load:
 * `POST /faults/<name>/<pause|resume|crash>`, `GET /faults` for their state. Loopback only.
 */
export async function startFaultControl(
  children: Record<string, Controllable>,
): Promise<{ url: string; stop(): Promise<void> }> {
  const state = () =>
    Object.fromEntries(
      Object.entries(children).map(([name, child]) => [
        name,
        { pid: child.child.pid, paused: child.paused, restarts: child.restarts },
      ]),
    );
  const server: Server = createServer((req, res) => {
    const [, root, name, action] = (req.url ?? '').split('/');
    const child = name ? children[name] : undefined;
    const answer = (status: number, body: unknown) => {
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(body));
    };
    if (root !== 'faults') return answer(404, { error: 'unknown path' });
    if (req.method === 'GET' && !name) return answer(200, state());
    if (req.method !== 'POST' || !child) return answer(404, { error: 'unknown child' });
    if (action === 'pause') child.pause();
    else if (action === 'resume') child.resume();
    else if (action === 'crash') child.crash();
    else if (action === 'ready') {
      void child.ready().then(
        () => answer(200, state()),
        (error: unknown) => answer(503, { error: String(error) }),
      );
      return undefined;
    } else return answer(404, { error: 'unknown action' });
    return answer(200, state());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    stop: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
