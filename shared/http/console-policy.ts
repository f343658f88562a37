/**
 * What the console (web/) is served with, in AWS by CloudFront (infra/constructs/console.ts) and in
 * the twin by its stand-in (infra/local/console.ts), written once: its run-time configuration and
 * its content security policy.
 */

/** `/config.json`: where the API and the user pool are (the twin adds cognito-local's address). */
export interface ConsoleRuntimeConfig {
  /** The API's base URL; empty when the API is on the console's own origin (the twin). */
  apiUrl: string;
  cognito: { region: string; userPoolId: string; clientId: string; endpoint?: string };
}

/**
 * Scripts, styles and images from the console itself only, calls only to itself and to
 * `connectSources` (the API and Cognito), no framing, no plugins, forms to itself.
 */
export function consoleContentSecurityPolicy(connectSources: readonly string[]): string {
  return [
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' data:",
    ["connect-src 'self'", ...connectSources].join(' '),
    "frame-ancestors 'none'",
    "base-uri 'self'",
    "form-action 'self'",
    "object-src 'none'",
  ].join('; ');
}
