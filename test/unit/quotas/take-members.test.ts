import { describe, expect, it } from 'vitest';
import { parseMember } from '../../../shared/quotas/quota-takes';

describe('how a take is pending on its counter', () => {
  it('reads a run’s take (one unit, the tenant’s own counter)', () => {
    expect(parseMember('qtk_01JF3Z9G7Q5W8R2T6Y4B1N0M3K')).toEqual({
      takerId: undefined,
      takeId: 'qtk_01JF3Z9G7Q5W8R2T6Y4B1N0M3K',
      amount: 1,
    });
  });

  it('reads a usage record’s take with its amount, on its own counter and on a partner’s pool', () => {
    expect(parseMember('qtk_01JF3Z9G7Q5W8R2T6Y4B1N0M3K+12000')).toEqual({
      takerId: undefined,
      takeId: 'qtk_01JF3Z9G7Q5W8R2T6Y4B1N0M3K',
      amount: 12_000,
    });
    expect(parseMember('ten_01JF3Z9G7Q5W8R2T6Y4B1N0M3K/qtk_01JF3Z9G7Q5W8R2T6Y4B1N0M3K+7')).toEqual({
      takerId: 'ten_01JF3Z9G7Q5W8R2T6Y4B1N0M3K',
      takeId: 'qtk_01JF3Z9G7Q5W8R2T6Y4B1N0M3K',
      amount: 7,
    });
  });
});
