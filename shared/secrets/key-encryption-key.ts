import { traced } from '../observability/tracer';
import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';
import { DecryptCommand, GenerateDataKeyCommand, KMSClient } from '@aws-sdk/client-kms';
import { getConfig } from '../config';
import { ServiceUnavailableError } from '../errors';
import { sdkLogger } from '../observability/sdk-logger';

/** What a data key is bound to: decrypting it under any other context fails. */
export type EncryptionContext = Record<string, string>;

/** The key that wraps data keys: KMS in AWS, a local key in the twin. */
export interface KeyEncryptionKey {
  /** Recorded with each secret, so that it is unwrapped by the key that wrapped it. */
  readonly ref: string;
  generateDataKey(context: EncryptionContext): Promise<{ plaintext: Buffer; wrapped: string }>;
  unwrapDataKey(wrapped: string, context: EncryptionContext): Promise<Buffer>;
}

/** KMS envelope encryption: `GenerateDataKey` and `Decrypt`, with the encryption context. */
export function kmsKeyEncryptionKey(client: KMSClient, keyId: string): KeyEncryptionKey {
  return {
    ref: `kms:${keyId}`,
    async generateDataKey(context) {
      const key = await client.send(
        new GenerateDataKeyCommand({ KeyId: keyId, KeySpec: 'AES_256', EncryptionContext: context }),
      );
      if (!key.Plaintext || !key.CiphertextBlob)
        throw new ServiceUnavailableError('KMS returned no data key.');
      return {
        plaintext: Buffer.from(key.Plaintext),
        wrapped: Buffer.from(key.CiphertextBlob).toString('base64'),
      };
    },
    async unwrapDataKey(wrapped, context) {
      const key = await client.send(
        new DecryptCommand({
          KeyId: keyId,
          CiphertextBlob: Buffer.from(wrapped, 'base64'),
          EncryptionContext: context,
        }),
      );
      if (!key.Plaintext) throw new ServiceUnavailableError('KMS returned no data key.');
      return Buffer.from(key.Plaintext);
    },
  };
}

/** The twin's stand-in for KMS: data keys wrapped with AES-256-GCM under a configured local key. */
export function localKeyEncryptionKey(secret: string): KeyEncryptionKey {
  const key = createHash('sha256').update(`tenantry secrets key\n${secret}`).digest();
  const aad = (context: EncryptionContext) => Buffer.from(JSON.stringify(Object.entries(context).sort()));
  return {
    ref: 'local',
    async generateDataKey(context) {
      const plaintext = randomBytes(32);
      const iv = randomBytes(12);
      const cipher = createCipheriv('aes-256-gcm', key, iv).setAAD(aad(context));
      const wrapped = Buffer.concat([cipher.update(plaintext), cipher.final()]);
      return { plaintext, wrapped: Buffer.concat([iv, cipher.getAuthTag(), wrapped]).toString('base64') };
    },
    async unwrapDataKey(wrapped, context) {
      const raw = Buffer.from(wrapped, 'base64');
      const decipher = createDecipheriv('aes-256-gcm', key, raw.subarray(0, 12)).setAAD(aad(context));
      decipher.setAuthTag(raw.subarray(12, 28));
      return Buffer.concat([decipher.update(raw.subarray(28)), decipher.final()]);
    },
  };
}

let configured: KeyEncryptionKey | undefined;

/** The configured key-encryption key: KMS when a key id is set, else the local key. */
export function keyEncryptionKey(): KeyEncryptionKey {
  if (!configured) {
    const { kmsKeyId, localKey } = getConfig().secrets;
    if (kmsKeyId) {
      configured = kmsKeyEncryptionKey(
        traced(new KMSClient({ region: getConfig().region, logger: sdkLogger as never })),
        kmsKeyId,
      );
    } else if (localKey) {
      configured = localKeyEncryptionKey(localKey);
    } else {
      throw new Error('No key-encryption key is configured (SECRETS_KMS_KEY_ID or LOCAL_SECRETS_KEY).');
    }
  }
  return configured;
}
