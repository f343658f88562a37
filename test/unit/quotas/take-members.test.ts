import { describe, expect, it } from 'vitest';
import { decodeTime } from 'ulid';
import { isIdOf, newId } from '../../../shared/ids';
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
  it('gives a take an id carrying its own time, even after an id made for a later time', () => {
    const later = Date.parse('2041-03-20T12:00:00Z');
    const now = Date.parse('2026-12-03T20:00:00Z');
    const future = newId('run', later);
    const takeId = newId('quotaTake', now);
    expect(isIdOf('quotaTake', takeId)).toBe(true);
    // The age the settling reads is the take's own, not the later id's.
    expect(decodeTime(takeId.slice(4))).toBe(now);
    expect(decodeTime(future.slice(4))).toBe(later);
    // Ids of one time still sort in the order they were made.
    const made = Array.from({ length: 50 }, () => newId('run', now).slice(4));
    expect([...made].sort()).toEqual(made);
  });
});
