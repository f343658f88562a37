import { describe, expect, it } from 'vitest';
import { wrappedAppError } from '../../../shared/http/middleware/error-handler';
import { NotFoundError, ServiceUnavailableError } from '../../../shared/errors';

describe('the error handler’s reading of wrapped errors', () => {
  it('finds the typed error a library wrapped (ElectroDB around the call budget’s 503)', () => {
    const budget = new ServiceUnavailableError('The request ran out of time waiting for a dependency.');
    const electro = Object.assign(new Error('Error thrown by DynamoDB client'), {
      name: 'ElectroError',
      cause: budget,
    });
    expect(wrappedAppError(electro)).toBe(budget);
    expect(wrappedAppError(new Error('outer', { cause: new Error('middle', { cause: budget }) }))).toBe(
      budget,
    );
  });

  it('finds none where no typed error is in the chain (positive control: a bug stays a 500)', () => {
    expect(wrappedAppError(new Error('bug', { cause: new TypeError('x is undefined') }))).toBeUndefined();
    expect(wrappedAppError(null)).toBeUndefined();
    // The top-level error itself is the caller's to check; only causes are searched.
    expect(wrappedAppError(new NotFoundError('gone', 'agent_not_found'))).toBeUndefined();
  });
});
