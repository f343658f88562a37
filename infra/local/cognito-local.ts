import { mkdirSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { startManaged } from './child-process';
import { waitFor } from './free-port';

/** cognito-local: real RS256 tokens, JWKS over http, data under `<dataDir>/.cognito`. */
export interface CognitoLocal {
  endpoint: string;
  issuerDomain: string;
  stop(): Promise<void>;
}

/** A message Cognito would have sent the person: an invitation's temporary password, or a code. */
export interface CognitoMessage {
  /** The API call that sent it (`AdminCreateUser`, `ForgotPassword`, …). */
  trigger: string;
  destination: string;
  code: string;
  /** When cognito-local printed it (ms since the epoch), when its log line says. */
  printedAt?: number;
}

/**
 * cognito-local prints what Cognito would send (a box with the destination and the code) instead
 * of sending it; this reads those boxes from its output, ANSI colours removed.
 */
export function cognitoMessageReader(onMessage: (message: CognitoMessage) => void): (chunk: string) => void {
  let pending = '';
  return (chunk) => {
    // Stripped from the whole buffer, so that a colour code split between two chunks goes too.
    pending = (pending + chunk).replace(/\u001b\[[0-9;]*m/g, '');
    const box = /(?:\[(\d{13})\][^\n╭]*?)?(\w+) ╭[\s\S]*?Destination:\s+(\S+)[\s\S]*?Code:\s+(\S+)[\s\S]*?╰/g;
    let match: RegExpExecArray | null;
    let consumed = 0;
    while ((match = box.exec(pending))) {
      onMessage({
        trigger: match[2] ?? '',
        destination: match[3] ?? '',
        code: match[4] ?? '',
        ...(match[1] ? { printedAt: Number(match[1]) } : {}),
      });
      consumed = box.lastIndex;
    }
    pending = pending.slice(consumed).slice(-8192);
  };
}

export async function startCognitoLocal(options: {
  port: number;
  dataDir: string;
  region: string;
  logFile: string;
  /** What Cognito would have emailed (cognito-local only prints it); the twin relays it to the inbox. */
  onMessage?: (message: CognitoMessage) => void;
}): Promise<CognitoLocal> {
  const require = createRequire(import.meta.url);
  const bin = join(dirname(require.resolve('cognito-local/package.json')), 'lib', 'bin', 'start.js');
  // Tokens carry Cognito's issuer form, so the verifier's configuration is the one used in AWS.
  const issuerDomain = `https://cognito-idp.${options.region}.amazonaws.com`;
  mkdirSync(join(options.dataDir, '.cognito'), { recursive: true });
  writeFileSync(
    join(options.dataDir, '.cognito', 'config.json'),
    JSON.stringify(
      {
        TokenConfig: { IssuerDomain: issuerDomain },
        ServerConfig: { hostname: '127.0.0.1', port: options.port },
        UserPoolDefaults: { UsernameAttributes: ['email'] },
      },
      null,
      2,
    ),
  );
  const proc = startManaged(process.execPath, [bin], {
    cwd: options.dataDir,
    // A wide "terminal": cognito-local boxes each message to the width of COLUMNS (80 without it),
    // and a narrow one would wrap an address or a code across lines of the box.
    env: {
      ...process.env,
      PORT: String(options.port),
      HOST: '127.0.0.1',
      COLUMNS: '500',
    },
    logFile: options.logFile,
  });
  if (options.onMessage) {
    const read = cognitoMessageReader(options.onMessage);
    proc.child.stdout?.setEncoding('utf8').on('data', read);
  }
  const endpoint = `http://127.0.0.1:${options.port}`;
  await waitFor('cognito-local', async () => {
    if (proc.child.exitCode !== null) throw new Error(`cognito-local exited; see ${options.logFile}`);
    const response = await fetch(`${endpoint}/health`);
    return response.status > 0;
  });
  return { endpoint, issuerDomain, stop: () => proc.stop() };
}
