import { writeTime } from '../../context/tenant-context';

/**
 * The attributes many entities share, written once. ElectroDB carries the timestamps: a service
 * never sets them, and none can forget to.
 *
 * - `createdAt` is the time of the write that made the record (`default`), never changed after.
 * - `updatedAt` is the time of the last write of any attribute (`watch: '*'`): set on a put and on
 *   every update, `add` and `remove` included. It is also the version an optimistic update is
 *   conditioned on (`where updatedAt = <the one read>`).
 *
 * The time of a write is {@link writeTime}: the request's `receivedAt`, or a job's run time. Work
 * that needs another (a migration copying records as they were) passes the attribute itself.
 */
const stamp = (): string => writeTime().toISOString();

/** The owning tenant: the partition key's composite on every tenant entity. */
export const TENANT_ID_ATTRIBUTE = {
  tenantId: { type: 'string', required: true, readOnly: true },
} as const;

export const CREATED_AT_ATTRIBUTE = {
  createdAt: { type: 'string', required: true, readOnly: true, default: stamp },
} as const;

export const UPDATED_AT_ATTRIBUTE = {
  updatedAt: {
    type: 'string',
    required: true,
    default: stamp,
    watch: '*',
    set: (given?: string) => given ?? stamp(),
  },
} as const;

/** `createdAt` and `updatedAt`, for records that change after they are made. */
export const RECORD_TIMESTAMPS = { ...CREATED_AT_ATTRIBUTE, ...UPDATED_AT_ATTRIBUTE } as const;
