import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { startManaged } from './child-process';
import { startSupervised, type SupervisedProcess } from './supervisor';
import { PASSWORD_POLICY } from '../../shared/model/user-pool-definition';

/** cognito-local: real RS256 tokens, JWKS over http, data under `<dataDir>/.cognito`. */
export interface CognitoLocal {
  endpoint: string;
  issuerDomain: string;
  process: SupervisedProcess;
  stop(): Promise<void>;
}

/** A message Cognito would have sent the person: an invitation's temporary password, or a code. */
export interface CognitoMessage {
  /** The API call that sent it (`AdminCreateUser`, `ForgotPassword`, …). */
  trigger: string;
  destination: string;
  code: string;
  /** The subject and body (HTML) the custom message trigger made, code and username in place. */
  emailSubject?: string;
  emailMessage?: string;
  /** When cognito-local wrote it out (ms since the epoch). */
  printedAt?: number;
}

/**
 * Reads what cognito-local would have sent from its output: one JSON line each,
 * `{"cognitoMessage": {...}}`, written by the twin's start of its server (cognito-local-server.cjs).
 */
export function cognitoMessageReader(onMessage: (message: CognitoMessage) => void): (chunk: string) => void {
  let pending = '';
  return (chunk) => {
    pending += chunk;
    const lines = pending.split('\n');
    pending = lines.pop() ?? '';
    for (const line of lines) {
      if (!line.startsWith('{"cognitoMessage":')) continue;
      try {
        const { cognitoMessage: message } = JSON.parse(line) as { cognitoMessage: CognitoMessage };
        if (message.destination && message.code) onMessage(message);
      } catch {
        // Not one of its message lines after all.
      }
    }
  };
}

export async function startCognitoLocal(options: {
  port: number;
  dataDir: string;
  region: string;
  logFile: string;
  /** What Cognito would have emailed (cognito-local writes it out instead); the twin relays it to the inbox. */
  onMessage?: (message: CognitoMessage) => void;
  /**
   * The user pool's triggers (`CustomMessage`, …) by the function name cognito-local invokes, and
   * the Lambda endpoint it invokes them at (the twin's stand-in, lambda-local.ts).
   */
  triggers?: { lambdaEndpoint: string; functions: Record<string, string> };
  supervisorLog: string;
  onEvent?: (line: string) => void;
}): Promise<CognitoLocal> {
  // cognito-local's server as its own bin starts it, its messages written as JSON lines (see the file).
  const bin = join(import.meta.dirname, 'cognito-local-server.cjs');
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
        ...(options.triggers
          ? {
              TriggerFunctions: options.triggers.functions,
              LambdaClient: {
                endpoint: options.triggers.lambdaEndpoint,
                region: options.region,
                credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
              },
            }
          : {}),
      },
      null,
      2,
    ),
  );
  const launch = () => {
    const proc = startManaged(process.execPath, [bin], {
      cwd: options.dataDir,
      env: {
        ...process.env,
        PORT: String(options.port),
        HOST: '127.0.0.1',
        TENANTRY_PASSWORD_POLICY: JSON.stringify(PASSWORD_POLICY),
      },
      logFile: options.logFile,
    });
    if (options.onMessage) {
      const read = cognitoMessageReader(options.onMessage);
      proc.child.stdout?.setEncoding('utf8').on('data', read);
    }
    return proc;
  };
  const endpoint = `http://127.0.0.1:${options.port}`;
  const proc = await startSupervised({
    name: 'cognito-local',
    launch,
    probe: async () => (await fetch(`${endpoint}/health`)).status > 0,
    logFile: options.supervisorLog,
    ...(options.onEvent ? { onEvent: options.onEvent } : {}),
  });
  return { endpoint, issuerDomain, process: proc, stop: () => proc.stop() };
}
