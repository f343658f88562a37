import { appendFileSync, mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import type { ChildProcess } from 'node:child_process';
import type { ManagedProcess } from './child-process';
import { waitFor } from './free-port';

/**
 * A child of the twin that is kept running: started again, with backoff, whenever it exits without
 * being asked to, as a process manager would, so that a crashed DynamoDB Local or mail server costs
 * seconds of 503s instead of a restart of the whole twin. Every exit and restart is logged.
 */
export interface SupervisedProcess {
  readonly name: string;
  /** The running incarnation. */
  readonly child: ChildProcess;
  /** How many times it was started again. */
  readonly restarts: number;
  readonly paused: boolean;
  /** Freezes it (SIGSTOP): connections are accepted and never answered, as with a hung server. */
  pause(): void;
  resume(): void;
  /** Kills it as a crash would (SIGKILL); the supervisor starts it again. */
  crash(): void;
  /** Resolves once the running incarnation answers its probe (after a restart too). */
  ready(): Promise<void>;
  stop(): Promise<void>;
}

/** The first wait before a restart, doubled for each exit in a row, up to the ceiling. */
const FIRST_BACKOFF_MS = 250;
const MAX_BACKOFF_MS = 10_000;
/** An incarnation that ran this long resets the backoff. */
const STABLE_AFTER_MS = 30_000;

export async function startSupervised(options: {
  name: string;
  launch: () => ManagedProcess;
  /** Whether the incarnation answers (a health check). */
  probe: (proc: ManagedProcess) => Promise<boolean>;
  /** Where exits and restarts are written, one line each. */
  logFile: string;
  /** Also told of each exit and restart (the console of `npm start`). */
  onEvent?: (line: string) => void;
}): Promise<SupervisedProcess> {
  mkdirSync(dirname(options.logFile), { recursive: true });
  const log = (line: string) => {
    const stamped = `${new Date().toISOString()} ${options.name}: ${line}`;
    appendFileSync(options.logFile, `${stamped}\n`);
    options.onEvent?.(stamped);
  };
  let current = options.launch();
  let startedAt = Date.now();
  let stopping = false;
  let paused = false;
  let restarts = 0;
  let failuresInARow = 0;
  let readiness: Promise<void> = waitFor(options.name, () => options.probe(current));
  let restartTimer: NodeJS.Timeout | undefined;

  const watch = (proc: ManagedProcess) => {
    proc.child.once('exit', (code, signal) => {
      if (stopping || proc !== current) return;
      paused = false;
      failuresInARow = Date.now() - startedAt > STABLE_AFTER_MS ? 0 : failuresInARow + 1;
      const backoff = Math.min(MAX_BACKOFF_MS, FIRST_BACKOFF_MS * 2 ** Math.max(0, failuresInARow - 1));
      log(`exited (${signal ?? `code ${code}`}); starting it again in ${backoff} ms`);
      let restarted: () => void = () => undefined;
      readiness = new Promise<void>((resolve) => (restarted = resolve));
      restartTimer = setTimeout(() => {
        if (stopping) return;
        current = options.launch();
        startedAt = Date.now();
        restarts += 1;
        watch(current);
        const up = waitFor(options.name, () => options.probe(current)).then(
          () => log(`running again (restart ${restarts})`),
          (error: unknown) => log(`did not come back: ${String(error)}`),
        );
        void up.then(restarted);
      }, backoff);
    });
  };
  watch(current);
  await readiness;

  return {
    name: options.name,
    get child() {
      return current.child;
    },
    get restarts() {
      return restarts;
    },
    get paused() {
      return paused;
    },
    pause() {
      current.child.kill('SIGSTOP');
      paused = true;
      log('paused (SIGSTOP)');
    },
    resume() {
      current.child.kill('SIGCONT');
      paused = false;
      log('resumed (SIGCONT)');
    },
    crash() {
      if (paused) current.child.kill('SIGCONT');
      current.child.kill('SIGKILL');
    },
    ready: () => readiness,
    async stop() {
      stopping = true;
      clearTimeout(restartTimer);
      if (paused) current.child.kill('SIGCONT');
      await current.stop();
    },
  };
}
