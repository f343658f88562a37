import { describe, expect, it } from 'vitest';
import { capturedDomainOf } from '../../../shared/email-domain';
import { ssoProviderName, tenantOfSsoProvider } from '../../../shared/model/sso';

describe('single sign-on names', () => {
  it('reads an address’s domain as captures are stored: lower-case ASCII, no trailing dot', () => {
    expect(capturedDomainOf('Ada@NorthWind.Example')).toBe('northwind.example');
    expect(capturedDomainOf('ada@northwind.example.')).toBe('northwind.example');
    expect(capturedDomainOf('ada@bücher.example')).toBe('xn--bcher-kva.example');
    // The last @ names the domain.
    expect(capturedDomainOf('"a@b"@corp.example')).toBe('corp.example');
    expect(capturedDomainOf('no-at-sign')).toBeNull();
    expect(capturedDomainOf('@corp.example')).toBeNull();
    expect(capturedDomainOf('ada@')).toBeNull();
    expect(capturedDomainOf('ada@exa mple.com')).toBeNull();
  });

  it('names a tenant’s provider from its id and back, and nothing else', () => {
    const tenantId = 'ten_01JD0000000000000000000000';
    expect(ssoProviderName(tenantId)).toBe('ten-01JD0000000000000000000000');
    expect(tenantOfSsoProvider(ssoProviderName(tenantId))).toBe(tenantId);
    expect(tenantOfSsoProvider('COGNITO')).toBeNull();
    expect(tenantOfSsoProvider('Google')).toBeNull();
    expect(() => ssoProviderName('tenant-1')).toThrow();
  });
});
