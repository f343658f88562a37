import { AsyncLocalStorage } from 'node:async_hooks';
import type { InitializeMiddleware, MiddlewareStack } from '@smithy/types';

/** What one request cost in DynamoDB: calls and the capacity units DynamoDB says they consumed. */
export interface RequestCost {
  calls: number;
  readUnits: number;
  writeUnits: number;
  /** The commands, in order (`GetItem`, `TransactWriteItems`…), for the route benchmark. */
  commands: string[];
  /**
   * Sequential round trips: calls that began while none was in flight (calls sent side by side
   * count once), the latency a request cannot avoid.
   */
  roundTrips: number;
}

export interface FinishedRequest extends RequestCost {
  routeId: string;
  tenantId: string | undefined;
  status: number;
  durationMs: number;
  /**
   * The process's CPU time (user and system) while the request ran: the request's own where it ran
   * alone, as in `bench:routes` (in Lambda, one request at a time, it is billed duration).
   */
  cpuMs: number;
}

const store = new AsyncLocalStorage<RequestCost>();
/** Calls of a request in flight now, to count its sequential round trips. */
const inFlight = new WeakMap<RequestCost, number>();
const listeners = new Set<(request: FinishedRequest) => void>();

interface Capacity {
  CapacityUnits?: number;
  ReadCapacityUnits?: number;
  WriteCapacityUnits?: number;
}

/** The command's name from its input's shape is unreliable; the middleware context names it. */
function add(cost: RequestCost, consumed: Capacity | Capacity[] | undefined, write: boolean): void {
  for (const entry of Array.isArray(consumed) ? consumed : consumed ? [consumed] : []) {
    // `CapacityUnits` is the call's total (what DynamoDB bills); the read and write split is the
    // command's kind. The split fields count only where no total is given.
    const total = entry.CapacityUnits;
    const read = total === undefined ? (entry.ReadCapacityUnits ?? 0) : write ? 0 : total;
    const written = total === undefined ? (entry.WriteCapacityUnits ?? 0) : write ? total : 0;
    cost.readUnits += read;
    cost.writeUnits += written;
  }
}

const WRITES = /^(Put|Update|Delete|BatchWrite|TransactWrite)/;

/**
 * Asks DynamoDB for `ReturnConsumedCapacity: TOTAL` on every command of a client and adds the calls
 * and units to the cost of the request in progress (if any). A refused conditional write still
 * consumes capacity: DynamoDB reports it on the error.
 */
export function recordDynamoCost(stack: MiddlewareStack<object, object>): void {
  const middleware: InitializeMiddleware<object, object> = (next, context) =>
    async function recordCost(args) {
      const cost = store.getStore();
      if (!cost) return next(args);
      const command = String((context as { commandName?: string }).commandName ?? 'Command').replace(
        /Command$/,
        '',
      );
      const write = WRITES.test(command);
      (args.input as { ReturnConsumedCapacity?: string }).ReturnConsumedCapacity = 'TOTAL';
      cost.calls += 1;
      cost.commands.push(command);
      const flying = inFlight.get(cost) ?? 0;
      if (flying === 0) cost.roundTrips += 1;
      inFlight.set(cost, flying + 1);
      try {
        const result = await next(args);
        add(cost, (result.output as { ConsumedCapacity?: Capacity | Capacity[] }).ConsumedCapacity, write);
        return result;
      } catch (error) {
        const consumed = (error as { ConsumedCapacity?: Capacity | Capacity[] }).ConsumedCapacity;
        // DynamoDB charges a refused conditional write at least one unit but does not say so on the
        // error: counted as one (an estimate; items over 1 KB cost more).
        const refused = (error as { name?: string }).name === 'ConditionalCheckFailedException';
        add(cost, consumed ?? (refused ? { WriteCapacityUnits: 1 } : undefined), write);
        throw error;
      } finally {
        inFlight.set(cost, (inFlight.get(cost) ?? 1) - 1);
      }
    };
  stack.add(middleware, { step: 'initialize', name: 'tenantryRequestCost', priority: 'high' });
}

/** Runs `fn` as one request whose DynamoDB cost is added up; returns its result and the cost. */
export async function withRequestCost<T>(fn: () => Promise<T>): Promise<{ result: T; cost: RequestCost }> {
  const cost: RequestCost = { calls: 0, readUnits: 0, writeUnits: 0, commands: [], roundTrips: 0 };
  const result = await store.run(cost, fn);
  // As it stood when the request ended: work it left running adds to the store, not to this.
  return { result, cost: { ...cost, commands: [...cost.commands] } };
}

/** Runs `fn` as none of the request's cost (work the request starts but that is not its own). */
export function outsideRequestCost<T>(fn: () => T): T {
  return store.exit(fn);
}

/** In-process subscribers to finished requests (the route benchmark on the twin). */
export function onFinishedRequest(listener: (request: FinishedRequest) => void): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

export function publishFinishedRequest(request: FinishedRequest): void {
  for (const listener of listeners) listener(request);
}
