import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { startManaged } from './child-process';
import { startSupervised, type SupervisedProcess } from './supervisor';

/**
 * The SES stand-in: aws-ses-v2-local, which answers SES's v1 and v2 `SendEmail` as SES does (the
 * functions use the real SDK against it) and shows what was sent in a web inbox (`/`) and as JSON
 * (`/store`), from which the twin's mail relay takes each to MailDev. In memory: a restart starts
 * with an empty store.
 */
export interface SesLocal {
  endpoint: string;
  process: SupervisedProcess;
  stop(): Promise<void>;
}

export async function startSesLocal(options: {
  port: number;
  logFile: string;
  supervisorLog: string;
  onEvent?: (line: string) => void;
}): Promise<SesLocal> {
  const require = createRequire(import.meta.url);
  const bin = join(dirname(require.resolve('aws-ses-v2-local/package.json')), 'dist', 'cli.js');
  const launch = () =>
    startManaged(process.execPath, [bin, '--host', '127.0.0.1', '--port', String(options.port)], {
      // No SMTP_TRANSPORT: its relay drops an email the SMTP server refuses; the twin's own
      // relay (mail-relay.ts) delivers from its store instead.
      env: { ...process.env, SMTP_TRANSPORT: '' },
      logFile: options.logFile,
    });
  const endpoint = `http://127.0.0.1:${options.port}`;
  const proc = await startSupervised({
    name: 'aws-ses-v2-local',
    launch,
    probe: async () => (await fetch(`${endpoint}/health-check`)).status === 200,
    logFile: options.supervisorLog,
    ...(options.onEvent ? { onEvent: options.onEvent } : {}),
  });
  return { endpoint, process: proc, stop: () => proc.stop() };
}
