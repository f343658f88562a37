import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { startManaged } from './child-process';
import { waitFor } from './free-port';

/**
 * The SES stand-in: aws-ses-v2-local, which answers SES's v1 and v2 `SendEmail` as SES does (the
 * functions use the real SDK against it) and shows what was sent in a web inbox (`/`) and as JSON
 * (`/store`), and relays each to an SMTP server when given one (the twin's MailDev). In memory: a
 * restart starts with an empty store.
 */
export interface SesLocal {
  endpoint: string;
  stop(): Promise<void>;
}

export async function startSesLocal(options: {
  port: number;
  logFile: string;
  /** Relays every email to this SMTP server (the twin's MailDev), as SES delivers to inboxes. */
  smtpRelayPort?: number;
}): Promise<SesLocal> {
  const require = createRequire(import.meta.url);
  const bin = join(dirname(require.resolve('aws-ses-v2-local/package.json')), 'dist', 'cli.js');
  const proc = startManaged(process.execPath, [bin, '--host', '127.0.0.1', '--port', String(options.port)], {
    env: {
      ...process.env,
      ...(options.smtpRelayPort
        ? {
            SMTP_TRANSPORT: JSON.stringify({
              host: '127.0.0.1',
              port: options.smtpRelayPort,
              secure: false,
              ignoreTLS: true,
            }),
          }
        : {}),
    },
    logFile: options.logFile,
  });
  const endpoint = `http://127.0.0.1:${options.port}`;
  await waitFor('aws-ses-v2-local', async () => {
    if (proc.child.exitCode !== null) throw new Error(`aws-ses-v2-local exited; see ${options.logFile}`);
    const response = await fetch(`${endpoint}/health-check`);
    return response.status === 200;
  });
  return { endpoint, stop: () => proc.stop() };
}
