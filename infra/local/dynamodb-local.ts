import { execFileSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { startManaged, type ManagedProcess } from './child-process';
import { waitFor } from './free-port';

/** DynamoDB Local, from the jar that ships in amplify-dynamodb-simulator (needs Java 17+). */
export interface DynamoDbLocal {
  endpoint: string;
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

export async function startDynamoDbLocal(options: {
  port: number;
  dataDir?: string;
  logFile: string;
}): Promise<DynamoDbLocal> {
  assertJava();
  const emulator = emulatorDirectory();
  // -sharedDb: one database whatever the credentials and region a client signs with.
  const storage = options.dataDir ? ['-sharedDb', '-dbPath', options.dataDir] : ['-sharedDb', '-inMemory'];
  if (options.dataDir) mkdirSync(options.dataDir, { recursive: true });
  const proc: ManagedProcess = startManaged(
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
  await waitFor('DynamoDB Local', async () => {
    if (proc.child.exitCode !== null) throw new Error(`DynamoDB Local exited; see ${options.logFile}`);
    const response = await fetch(endpoint, { method: 'POST' });
    return response.status > 0;
  });
  return { endpoint, stop: () => proc.stop() };
}
