import { describe, expect, it } from 'vitest';
import { ValidationError } from '../../../shared/errors';
import { scimFilter, scimPage, toScimUser, SCIM_MAX_RESULTS } from '../../../shared/scim/scim-resources';
import type { MembershipItem } from '../../../shared/data/entities/membership';

const member = (over: Partial<MembershipItem> = {}): MembershipItem => ({
  tenantId: 'ten_01AAAAAAAAAAAAAAAAAAAAAAAA',
  userId: 'usr_01AAAAAAAAAAAAAAAAAAAAAAAA',
  email: 'ada@northwind.example',
  role: 'member',
  status: 'active',
  cognitoUsername: '',
  externalId: 'Ext-1',
  givenName: 'Ada',
  familyName: 'Lovelace',
  name: 'Ada Lovelace',
  createdAt: '2026-12-01T00:00:00.000Z',
  updatedAt: '2026-12-02T00:00:00.000Z',
  ...over,
});

describe('SCIM filters (RFC 7644 §3.4.2.2)', () => {
  const ada = toScimUser(member());

  it('compares userName, names and emails ignoring case, attribute names too', () => {
    expect(scimFilter('userName eq "ADA@Northwind.Example"')(ada)).toBe(true);
    expect(scimFilter('USERNAME eq "ada@northwind.example"')(ada)).toBe(true);
    expect(scimFilter('name.givenName sw "a" and name.familyName co "LACE"')(ada)).toBe(true);
    expect(scimFilter('emails[type eq "WORK" and value ew "example"]')(ada)).toBe(true);
    expect(
      scimFilter('urn:ietf:params:scim:schemas:core:2.0:User:userName eq "ada@northwind.example"')(ada),
    ).toBe(true);
    // Positive and negative controls of the same shape.
    expect(scimFilter('userName eq "grace@northwind.example"')(ada)).toBe(false);
  });

  it('compares the case-exact attributes (id, externalId) exactly', () => {
    expect(scimFilter('externalId eq "Ext-1"')(ada)).toBe(true);
    expect(scimFilter('externalId eq "ext-1"')(ada)).toBe(false);
    expect(scimFilter(`id eq "${ada.id}"`)(ada)).toBe(true);
    expect(scimFilter(`id eq "${ada.id.toLowerCase()}"`)(ada)).toBe(false);
  });

  it('reads booleans, presence, not and or', () => {
    expect(scimFilter('active eq true')(ada)).toBe(true);
    expect(scimFilter('active eq false')(toScimUser(member({ status: 'disabled' })))).toBe(true);
    expect(scimFilter('externalId pr')(ada)).toBe(true);
    expect(scimFilter('externalId pr')(toScimUser(member({ externalId: undefined })))).toBe(false);
    expect(scimFilter('not (active eq false) or userName eq "x"')(ada)).toBe(true);
  });

  it('refuses what is not filter syntax, and attributes a user does not have, as invalidFilter', () => {
    for (const bad of [
      'userName eq',
      'userName xx "a"',
      '((',
      'password eq "secret"',
      'emails[secret eq "x"]',
    ]) {
      let thrown: unknown;
      try {
        scimFilter(bad);
      } catch (error) {
        thrown = error;
      }
      expect(thrown, bad).toBeInstanceOf(ValidationError);
      expect((thrown as ValidationError).code).toBe('scim_filter_invalid');
    }
    expect(scimFilter('')(ada)).toBe(true);
  });
});

describe('SCIM paging', () => {
  const users = Array.from({ length: 5 }, (_, n) =>
    toScimUser(member({ userId: `usr_01AAAAAAAAAAAAAAAAAAAAAAA${n}`, email: `p${n}@northwind.example` })),
  );

  it('pages from startIndex 1 with count, counting every match', () => {
    const page = scimPage(users, { startIndex: 2, count: 2 });
    expect(page).toMatchObject({ totalResults: 5, startIndex: 2, itemsPerPage: 2 });
    expect(page.Resources.map((user) => user.userName)).toEqual([
      'p1@northwind.example',
      'p2@northwind.example',
    ]);
    expect(scimPage(users, { startIndex: 5, count: 10 }).Resources).toHaveLength(1);
    expect(scimPage(users, { startIndex: 9 })).toMatchObject({ totalResults: 5, itemsPerPage: 0 });
    expect(scimPage(users, { count: 0 })).toMatchObject({ totalResults: 5, itemsPerPage: 0, Resources: [] });
  });

  it('never answers more than the service’s maximum, whatever count asks', () => {
    const many = Array.from({ length: SCIM_MAX_RESULTS + 5 }, (_, n) =>
      toScimUser(member({ userId: `usr_01AAAAAAAAAAAAAAAAAAAA${String(n).padStart(4, '0')}` })),
    );
    expect(scimPage(many, { count: 10_000 }).itemsPerPage).toBe(SCIM_MAX_RESULTS);
  });
});
