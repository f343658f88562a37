/**
 * The single table's shape, read by both the CDK construct and the local bootstrap so that the
 * twin and AWS can never disagree on key names or indexes.
 */
export const TABLE_DEFINITION = {
  partitionKey: 'pk',
  sortKey: 'sk',
  timeToLiveAttribute: 'expiresAt',
  globalSecondaryIndexes: [
    { indexName: 'gsi1', partitionKey: 'gsi1pk', sortKey: 'gsi1sk' },
    { indexName: 'gsi2', partitionKey: 'gsi2pk', sortKey: 'gsi2sk' },
  ],
} as const;

/** Every key of tenant-owned data starts with this, then the tenant id. */
export const TENANT_KEY_PREFIX = 'TENANT#';

export function tenantPartitionKey(tenantId: string): string {
  return `${TENANT_KEY_PREFIX}${tenantId}`;
}

/** The attribute names that are partition keys, on the table or one of its indexes. */
export const PARTITION_KEY_ATTRIBUTES: readonly string[] = [
  TABLE_DEFINITION.partitionKey,
  ...TABLE_DEFINITION.globalSecondaryIndexes.map((index) => index.partitionKey),
];

/**
 * The partition key of every tenant-owned item, as an ElectroDB index spells it: the one place the
 * tenant key template is written. Every tenant entity's main index uses it.
 */
export const TENANT_PARTITION_KEY = {
  field: TABLE_DEFINITION.partitionKey,
  composite: ['tenantId'],
  template: `${TENANT_KEY_PREFIX}\${tenantId}`,
  casing: 'none',
} as const;

/** The partition key prefix of the platform items that find an API key by its secret's hash. */
export const API_KEY_LOOKUP_KEY_PREFIX = 'APIKEY#';
export const API_KEY_LOOKUP_SORT_KEY = 'APIKEY';

/**
 * The partition key prefix of the platform item that records when a person was last seen without
 * MFA (the authorizer's, which may read and write only these and API key lookups).
 */
export const MFA_EVIDENCE_KEY_PREFIX = 'MFA#';
