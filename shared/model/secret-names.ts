/** The secret settings a tenant can keep (write-only through the API). */
export const SECRET_NAMES = ['webhookSigningSecret', 'ssoConfiguration'] as const;
export type SecretName = (typeof SECRET_NAMES)[number];
