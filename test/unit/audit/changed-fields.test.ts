import { describe, expect, it } from 'vitest';
import { changedFields } from '../../../shared/audit/audit-log';

describe('changedFields', () => {
  it('keeps only the fields that moved, on both sides', () => {
    const result = changedFields(
      { name: 'A', plan: 'free', settings: { a: 1 } },
      { name: 'B', plan: 'free', settings: { a: 1 } },
    );
    expect(result).toEqual({ before: { name: 'A' }, after: { name: 'B' } });
  });

  it('records a field that appears or disappears as null on the other side', () => {
    expect(changedFields({}, { statusReason: 'x' })).toEqual({
      before: { statusReason: null },
      after: { statusReason: 'x' },
    });
  });

  it('compares nested values by content', () => {
    expect(changedFields({ settings: { a: 1 } }, { settings: { a: 2 } })).toEqual({
      before: { settings: { a: 1 } },
      after: { settings: { a: 2 } },
    });
  });
});
