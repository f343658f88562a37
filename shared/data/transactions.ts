import { randomUUID } from 'node:crypto';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { TransactionItem as ElectroTransactionItem } from 'electrodb';
import { Entity } from './electrodb-entity';
import { ConflictError, type AppError } from '../errors';
import { tenantryService, type TransactionEntities, type TransactionItem } from './service';

/**
 * ElectroDB normalises a DynamoDB client given to an entity, but passes one given to a transaction's
 * `go({ client })` through as it is (and then cannot call it). A minimal entity made for each client
 * lends its normalised client, so a transaction can still name the client it runs on.
 */
const normalisedClients = new WeakMap<DynamoDBDocumentClient, unknown>();
function electroClientOf(client: DynamoDBDocumentClient): DynamoDBDocumentClient {
  let normalised = normalisedClients.get(client);
  if (!normalised) {
    const carrier = new Entity(
      {
        model: { entity: 'clientCarrier', version: '1', service: 'tenantry' },
        attributes: { id: { type: 'string', required: true } },
        indexes: { primary: { pk: { field: 'pk', composite: ['id'] }, sk: { field: 'sk', composite: [] } } },
      },
      { client },
    );
    normalised = (carrier as unknown as { client: unknown }).client;
    normalisedClients.set(client, normalised);
  }
  return normalised as DynamoDBDocumentClient;
}

export type { TransactionItem };

/** What to answer when the named item's condition failed (a quota used up, a record changed). */
export type Rejections<Items> = { [Name in keyof Items]?: () => AppError | Promise<AppError> };

/** A transaction that met another on the same item is tried again this often, a moment apart. */
const CONFLICT_ATTEMPTS = 4;

/**
 * Commits a write transaction with ElectroDB's own `transaction.write(...).go({ token, client })`:
 * through the given client (tenant-guarded, or the platform client for provisioning), with a
 * ClientRequestToken so that the SDK's retries of this call apply it once. Items are named; when an
 * item's condition fails, the caller sees the error it named for that item. A cancellation by a
 * concurrent transaction on the same item (a busy counter) applied nothing: it is tried again, up
 * to {@link CONFLICT_ATTEMPTS} times with jitter, then answered as a retryable 409.
 */
export async function writeTransaction<Items extends Record<string, TransactionItem>>(
  client: DynamoDBDocumentClient,
  build: (entities: TransactionEntities) => Items,
  rejections: Rejections<Items> = {},
  token: string = randomUUID(),
): Promise<void> {
  for (let attempt = 1; ; attempt += 1) {
    const outcome = await writeOnce(client, build, rejections, attempt === 1 ? token : randomUUID());
    if (outcome === 'committed') return;
    if (attempt >= CONFLICT_ATTEMPTS) {
      throw new ConflictError('The change conflicted with another one; retry.', 'concurrent_modification');
    }
    await new Promise((resolve) => setTimeout(resolve, 10 + Math.random() * 40 * attempt));
  }
}

async function writeOnce<Items extends Record<string, TransactionItem>>(
  client: DynamoDBDocumentClient,
  build: (entities: TransactionEntities) => Items,
  rejections: Rejections<Items>,
  token: string,
): Promise<'committed' | 'conflict'> {
  let names: Array<keyof Items> = [];
  const transaction = tenantryService().transaction.write((entities) => {
    const items = build(entities);
    names = Object.keys(items);
    return Object.values(items);
  });
  // `originalErr` (read by ElectroDB, missing from its types) lets errors such as the tenant guard's
  // through as thrown instead of wrapped; a cancellation comes back as data either way.
  const options = { token, client: electroClientOf(client), originalErr: true } as Parameters<
    typeof transaction.go
  >[0];
  const result = await transaction.go(options);
  if (!result.canceled) return 'committed';
  const outcomes = result.data as ReadonlyArray<ElectroTransactionItem<unknown>>;
  const failed = outcomes.findIndex((item) => item.rejected && item.code === 'ConditionalCheckFailed');
  const name = names[failed];
  const reject = name === undefined ? undefined : rejections[name];
  if (reject) throw await reject();
  if (failed === -1 && outcomes.some((item) => item.code === 'TransactionConflict')) return 'conflict';
  throw new ConflictError('The change conflicted with another one; retry.', 'concurrent_modification');
}
