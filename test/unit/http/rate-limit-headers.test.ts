import { describe, expect, it } from 'vitest';
import { rateLimitHeaders } from '../../../shared/http/rate-limit-headers';

describe('the rate-limit headers', () => {
  it('name the tenant’s policy alone on a route without one', () => {
    expect(rateLimitHeaders({ limit: 300, remaining: 287, resetSeconds: 41 })).toEqual({
      'RateLimit-Policy': '"tenant";q=300;w=60',
      RateLimit: '"tenant";r=287;t=41',
      'RateLimit-Limit': '300',
      'RateLimit-Remaining': '287',
      'RateLimit-Reset': '41',
    });
  });

  it('name both policies on a route with its own, the legacy trio the one with the least left', () => {
    const route = { policy: 'run-starts' as const, limit: 60, remaining: 2 };
    expect(rateLimitHeaders({ limit: 300, remaining: 287, resetSeconds: 41, route })).toEqual({
      'RateLimit-Policy': '"tenant";q=300;w=60, "run-starts";q=60;w=60',
      RateLimit: '"tenant";r=287;t=41, "run-starts";r=2;t=41',
      'RateLimit-Limit': '60',
      'RateLimit-Remaining': '2',
      'RateLimit-Reset': '41',
    });
    // The tenant's the tighter: the trio follows it.
    expect(rateLimitHeaders({ limit: 5, remaining: 0, resetSeconds: 9, route })['RateLimit-Limit']).toBe('5');
  });

  it('name only the route’s policy for a tenant with no limit of its own, and nothing when neither has one', () => {
    const route = { policy: 'invitations' as const, limit: 30, remaining: 29 };
    expect(
      rateLimitHeaders({ limit: null, remaining: null, resetSeconds: 3, route })['RateLimit-Policy'],
    ).toBe('"invitations";q=30;w=60');
    expect(rateLimitHeaders({ limit: null, remaining: null, resetSeconds: 3 })).toEqual({});
  });
});
