import { createRequire } from 'node:module';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { startManaged } from './child-process';
import { startSupervised, type SupervisedProcess } from './supervisor';

/**
 * The twin's mail catcher: MailDev, a real SMTP server with a web inbox (`/`) and a REST API
 * (`/api/email`). The SES stand-in relays every email it is sent to it over SMTP, so a person reads
 * locally what the functions sent through SES. In memory, or kept in `mailDirectory`.
 */
export interface MailDev {
  /** The web inbox and its API. */
  webUrl: string;
  smtpPort: number;
  process: SupervisedProcess;
  stop(): Promise<void>;
}

export async function startMailDev(options: {
  smtpPort: number;
  webPort: number;
  logFile: string;
  mailDirectory?: string;
  supervisorLog: string;
  onEvent?: (line: string) => void;
}): Promise<MailDev> {
  // An ES-module-only package that exports neither `package.json` nor its bin: found on the
  // resolver's own search path.
  const paths = createRequire(import.meta.url).resolve.paths('maildev') ?? [];
  const root = paths.map((dir) => join(dir, 'maildev')).find((dir) => existsSync(join(dir, 'package.json')));
  if (!root) throw new Error('MailDev is not installed (npm install)');
  const bin = join(root, 'dist', 'bin', 'maildev.js');
  const args = [
    bin,
    '--smtp',
    String(options.smtpPort),
    '--ip',
    '127.0.0.1',
    '--web',
    String(options.webPort),
    '--web-ip',
    '127.0.0.1',
    ...(options.mailDirectory ? ['--mail-directory', options.mailDirectory] : []),
  ];
  const webUrl = `http://127.0.0.1:${options.webPort}`;
  const proc = await startSupervised({
    name: 'MailDev',
    launch: () => startManaged(process.execPath, args, { env: { ...process.env }, logFile: options.logFile }),
    probe: async () => (await fetch(`${webUrl}/api/healthz`)).status === 200,
    logFile: options.supervisorLog,
    ...(options.onEvent ? { onEvent: options.onEvent } : {}),
  });
  return { webUrl, smtpPort: options.smtpPort, process: proc, stop: () => proc.stop() };
}
