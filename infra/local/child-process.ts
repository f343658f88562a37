import { spawn, type ChildProcess, type SpawnOptions } from 'node:child_process';
import { createWriteStream, mkdirSync } from 'node:fs';
import { dirname } from 'node:path';

/** A child process of the twin, with its output kept in a log file and a stop that waits for exit. */
export interface ManagedProcess {
  child: ChildProcess;
  stop(): Promise<void>;
}

export function startManaged(
  command: string,
  args: string[],
  options: SpawnOptions & { logFile: string },
): ManagedProcess {
  mkdirSync(dirname(options.logFile), { recursive: true });
  const log = createWriteStream(options.logFile, { flags: 'a' });
  const child = spawn(command, args, { ...options, stdio: ['ignore', 'pipe', 'pipe'] });
  // Written as it comes, without backpressure: a slow log file never pauses the child's output,
  // which the twin may read too (cognito-local's messages).
  child.stdout?.on('data', (chunk: Buffer | string) => log.write(chunk));
  child.stderr?.on('data', (chunk: Buffer | string) => log.write(chunk));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  return {
    child,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill('SIGTERM');
        const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
        await exited;
        clearTimeout(timer);
      }
      log.end();
    },
  };
}
