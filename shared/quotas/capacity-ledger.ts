/**
 * What each tenant's requests cost in DynamoDB capacity, kept in this instance until its next
 * metered request writes it: the metering write (one per request already) adds the units to the
 * month's API-call counter and its open minute, and the minute's units go to the hour's usage
 * buckets when the minute closes. So cost per tenant and hour costs no write of its own. What an
 * instance holds when it is recycled (at most the requests since its last metered one for that
 * tenant) is lost: the figures are a floor, short by at most one request per tenant and instance.
 */
export interface CapacityUnits {
  read: number;
  write: number;
}

const pending = new Map<string, CapacityUnits>();
const MAX_TENANTS = 1_000;

/** A finished request's units, owed to its tenant until the next metering write. */
export function oweCapacity(tenantId: string, units: CapacityUnits): void {
  if (units.read === 0 && units.write === 0) return;
  const owed = pending.get(tenantId);
  if (owed) {
    owed.read += units.read;
    owed.write += units.write;
  } else if (pending.size < MAX_TENANTS) {
    pending.set(tenantId, { ...units });
  }
}

/** Takes what is owed for the tenant (for the metering write); owe it again if that write fails. */
export function takeOwedCapacity(tenantId: string): CapacityUnits {
  const owed = pending.get(tenantId) ?? { read: 0, write: 0 };
  pending.delete(tenantId);
  return owed;
}

/** What a month's DynamoDB capacity cost on demand: $0.125 per million read and $0.625 per million write units. */
export function capacityCostUsd(units: CapacityUnits): number {
  return (units.read * 0.125 + units.write * 0.625) / 1_000_000;
}
