import selfsigned from 'selfsigned';

/** A self-signed signing certificate, base64 DER as metadata carries it, and its private key (PEM). */
export async function signingCertificate(
  commonName: string,
  validity: { notBeforeDate?: Date; notAfterDate?: Date } = {},
): Promise<{ base64: string; pem: string; privateKey: string }> {
  const made = await selfsigned.generate([{ name: 'commonName', value: commonName }], {
    keySize: 2048,
    algorithm: 'sha256',
    ...validity,
  });
  return {
    base64: made.cert.replace(/-----[^-]+-----|\s+/g, ''),
    pem: made.cert,
    privateKey: made.private,
  };
}

/** An identity provider's metadata document, as Entra ID or Okta publish one (`md:` prefixed). */
export function idpMetadata(options: {
  entityId: string;
  ssoUrl: string;
  certificates: string[];
  binding?: 'redirect' | 'post';
}): string {
  const binding =
    options.binding === 'post'
      ? 'urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST'
      : 'urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect';
  const keys = options.certificates
    .map(
      (certificate) => `<md:KeyDescriptor use="signing"><ds:KeyInfo><ds:X509Data><ds:X509Certificate>
${certificate}
</ds:X509Certificate></ds:X509Data></ds:KeyInfo></md:KeyDescriptor>`,
    )
    .join('\n');
  return `<?xml version="1.0" encoding="UTF-8"?>
<md:EntityDescriptor xmlns:md="urn:oasis:names:tc:SAML:2.0:metadata" xmlns:ds="http://www.w3.org/2000/09/xmldsig#" entityID="${options.entityId}">
  <md:IDPSSODescriptor WantAuthnRequestsSigned="false" protocolSupportEnumeration="urn:oasis:names:tc:SAML:2.0:protocol">
    ${keys}
    <md:NameIDFormat>urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress</md:NameIDFormat>
    <md:SingleSignOnService Binding="${binding}" Location="${options.ssoUrl}"/>
  </md:IDPSSODescriptor>
</md:EntityDescriptor>`;
}
