import { execFileSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { startManaged } from './child-process';
import { startSupervised, type SupervisedProcess } from './supervisor';

/** DynamoDB Local, from the jar that ships in amplify-dynamodb-simulator (needs Java 17+). */
export interface DynamoDbLocal {
  endpoint: string;
  process: SupervisedProcess;
  stop(): Promise<void>;
}

function emulatorDirectory(): string {
  const require = createRequire(import.meta.url);
  return join(dirname(require.resolve('amplify-dynamodb-simulator/package.json')), 'emulator');
}

export function assertJava(): void {
  try {
    execFileSync('java', ['-version'], { stdio: 'ignore' });
  } catch {
    throw new Error(
      'Java 17+ is required for DynamoDB Local: install it (e.g. apt-get install default-jre-headless).',
    );
  }
}

/**
 * Starts DynamoDB Local, supervised: a crash is followed by a restart on the same port. In memory a
 * restart starts empty; with a data directory (`npm start`, and the test twin) it keeps every
 * acknowledged write.
 */
export async function startDynamoDbLocal(options: {
  port: number;
  dataDir?: string;
  logFile: string;
  supervisorLog: string;
  onEvent?: (line: string) => void;
}): Promise<DynamoDbLocal> {
  assertJava();
  const emulator = emulatorDirectory();
  // -sharedDb: one database whatever the credentials and region a client signs with.
  const storage = options.dataDir ? ['-sharedDb', '-dbPath', options.dataDir] : ['-sharedDb', '-inMemory'];
  if (options.dataDir) mkdirSync(options.dataDir, { recursive: true });
  const launch = () =>
    startManaged(
      'java',
      [
        `-Djava.library.path=${join(emulator, 'DynamoDBLocal_lib')}`,
        '-Xmx1g',
        '-jar',
        join(emulator, 'DynamoDBLocal.jar'),
        ...storage,
        '-port',
        String(options.port),
      ],
      { cwd: emulator, logFile: options.logFile },
    );
  const endpoint = `http://127.0.0.1:${options.port}`;
  const proc = await startSupervised({
    name: 'DynamoDB Local',
    launch,
    probe: async () => (await fetch(endpoint, { method: 'POST' })).status > 0,
    logFile: options.supervisorLog,
    ...(options.onEvent ? { onEvent: options.onEvent } : {}),
  });
  return { endpoint, process: proc, stop: () => proc.stop() };
}
