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

export async function startCognitoLocal(options: {
  port: number;
  dataDir: string;
  region: string;
  logFile: string;
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
    env: { ...process.env, PORT: String(options.port), HOST: '127.0.0.1' },
    logFile: options.logFile,
  });
  const endpoint = `http://127.0.0.1:${options.port}`;
  await waitFor('cognito-local', async () => {
    if (proc.child.exitCode !== null) throw new Error(`cognito-local exited; see ${options.logFile}`);
    const response = await fetch(`${endpoint}/health`);
    return response.status > 0;
  });
  return { endpoint, issuerDomain, stop: () => proc.stop() };
}
