import type { InitializeMiddleware, MiddlewareStack } from '@smithy/types';

interface ConsumedCapacityLike {
  CapacityUnits?: number;
}

/**
 * Asks DynamoDB for ReturnConsumedCapacity=TOTAL on every command of a client and adds up what it
 * reports, so two clients doing the same job can be compared in capacity units.
 */
export function meterCapacity(stack: MiddlewareStack<object, object>): {
  total: () => number;
  reset: () => void;
} {
  let total = 0;
  const middleware: InitializeMiddleware<object, object> = (next) =>
    async function countCapacity(args) {
      (args.input as { ReturnConsumedCapacity?: string }).ReturnConsumedCapacity = 'TOTAL';
      try {
        const result = await next(args);
        add(
          (result.output as { ConsumedCapacity?: ConsumedCapacityLike | ConsumedCapacityLike[] })
            .ConsumedCapacity,
        );
        return result;
      } catch (error) {
        // A refused conditional write still consumes capacity; DynamoDB reports it on the error.
        add((error as { ConsumedCapacity?: ConsumedCapacityLike }).ConsumedCapacity);
        throw error;
      }
    };
  const add = (consumed: ConsumedCapacityLike | ConsumedCapacityLike[] | undefined) => {
    for (const entry of Array.isArray(consumed) ? consumed : consumed ? [consumed] : [])
      total += entry.CapacityUnits ?? 0;
  };
  stack.add(middleware, { step: 'initialize', name: 'benchCapacityMeter', priority: 'high' });
  return { total: () => total, reset: () => (total = 0) };
}
