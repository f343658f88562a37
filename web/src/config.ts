/**
 * What the console needs to know about where it runs, read at start from `/config.json`: the twin
 * writes it from its own endpoints, and the CDK stack deploys it beside the app with the API's URL
 * and the user pool's ids. Nothing environment-specific is built into the bundle.
 */
export interface ConsoleConfig {
  /** The API's base URL; empty when the API is on the console's own origin (the twin). */
  apiUrl: string;
  cognito: {
    region: string;
    userPoolId: string;
    clientId: string;
    /** cognito-local's address in the twin; absent in AWS (the region's Cognito endpoint). */
    endpoint?: string;
  };
}

function isConfig(value: unknown): value is ConsoleConfig {
  if (typeof value !== 'object' || value === null) return false;
  const candidate = value as Partial<ConsoleConfig>;
  return (
    typeof candidate.apiUrl === 'string' &&
    typeof candidate.cognito?.region === 'string' &&
    typeof candidate.cognito.userPoolId === 'string' &&
    typeof candidate.cognito.clientId === 'string'
  );
}

export async function loadConfig(): Promise<ConsoleConfig> {
  const response = await fetch('/config.json', { cache: 'no-store' });
  if (!response.ok) throw new Error(`The console's configuration could not be read (${response.status}).`);
  const value: unknown = await response.json();
  if (!isConfig(value)) throw new Error('The console’s configuration (/config.json) is incomplete.');
  return { ...value, apiUrl: value.apiUrl.replace(/\/$/, '') };
}
