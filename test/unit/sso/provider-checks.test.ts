import { beforeAll, describe, expect, it } from 'vitest';
import { UnprocessableError } from '../../../shared/errors';
import { readSamlMetadata } from '../../../shared/sso/provider-checks';
import { idpMetadata, signingCertificate } from '../../helpers/saml-metadata';

const now = new Date('2026-12-02T12:00:00Z');
let current: { base64: string };
let expired: { base64: string };

function refusal(xml: string): string {
  try {
    readSamlMetadata(xml, now);
  } catch (error) {
    expect(error).toBeInstanceOf(UnprocessableError);
    return (error as Error).message;
  }
  throw new Error('the metadata was accepted');
}

describe('reading a SAML provider’s metadata', () => {
  beforeAll(async () => {
    current = await signingCertificate('idp.northwind.example', {
      notBeforeDate: new Date('2026-01-01T00:00:00Z'),
      notAfterDate: new Date('2027-06-30T00:00:00Z'),
    });
    expired = await signingCertificate('old.northwind.example', {
      notBeforeDate: new Date('2024-01-01T00:00:00Z'),
      notAfterDate: new Date('2025-01-01T00:00:00Z'),
    });
  }, 60_000);

  it('finds the entity id, the sign-on URL and binding, and each certificate with its validity', () => {
    const metadata = readSamlMetadata(
      idpMetadata({
        entityId: 'https://idp.northwind.example/saml',
        ssoUrl: 'https://idp.northwind.example/sso',
        certificates: [current.base64, expired.base64],
      }),
      now,
    );
    expect(metadata).toMatchObject({
      entityId: 'https://idp.northwind.example/saml',
      ssoUrl: 'https://idp.northwind.example/sso',
      ssoBinding: 'redirect',
    });
    expect(metadata.certificates.map((certificate) => [certificate.subject, certificate.notAfter])).toEqual([
      ['CN=idp.northwind.example', '2027-06-30T00:00:00.000Z'],
      ['CN=old.northwind.example', '2025-01-01T00:00:00.000Z'],
    ]);
    expect(metadata.certificates[0]?.fingerprint).toMatch(/^([0-9A-F]{2}:){31}[0-9A-F]{2}$/);
  });

  it('takes the POST binding where the provider offers no redirect', () => {
    const metadata = readSamlMetadata(
      idpMetadata({
        entityId: 'e',
        ssoUrl: 'https://idp.test/post',
        certificates: [current.base64],
        binding: 'post',
      }),
      now,
    );
    expect(metadata.ssoBinding).toBe('post');
  });

  it('refuses metadata without a provider descriptor, a sign-on URL, a usable certificate, or with a DOCTYPE', () => {
    expect(
      refusal(
        '<md:EntityDescriptor xmlns:md="urn:oasis:names:tc:SAML:2.0:metadata" entityID="sp"><md:SPSSODescriptor/></md:EntityDescriptor>',
      ),
    ).toContain('no IDPSSODescriptor');
    expect(
      refusal(idpMetadata({ entityId: 'e', ssoUrl: 'https://idp.test/sso', certificates: [expired.base64] })),
    ).toContain('every signing certificate has expired');
    expect(
      refusal(idpMetadata({ entityId: 'e', ssoUrl: 'https://idp.test/sso', certificates: [] })),
    ).toContain('no signing certificate');
    expect(
      refusal(
        idpMetadata({ entityId: 'e', ssoUrl: 'https://idp.test/sso', certificates: ['bm90IGEgY2VydA=='] }),
      ),
    ).toContain('not a readable X.509 certificate');
    expect(
      refusal(idpMetadata({ entityId: 'e', ssoUrl: 'ftp://idp.test/sso', certificates: [current.base64] })),
    ).toContain('no SingleSignOnService');
    expect(refusal('<!DOCTYPE x [<!ENTITY a "b">]><md:EntityDescriptor/>')).toContain('DOCTYPE');
    expect(refusal('<md:EntityDescriptor entityID="x"><unclosed></md:EntityDescriptor>')).toContain(
      'not well-formed',
    );
  });
});
