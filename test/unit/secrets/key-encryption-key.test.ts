import { randomBytes } from 'node:crypto';
import { DecryptCommand, GenerateDataKeyCommand, KMSClient } from '@aws-sdk/client-kms';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, describe, expect, it } from 'vitest';
import { kmsKeyEncryptionKey, localKeyEncryptionKey } from '../../../shared/secrets/key-encryption-key';

const kms = mockClient(KMSClient);
const context = { tenantId: 'ten_01AAAAAAAAAAAAAAAAAAAAAAAA', secret: 'webhookSigningSecret' };

describe('key-encryption keys', () => {
  afterEach(() => kms.reset());

  it('asks KMS for an AES-256 data key bound to the tenant and the secret, and unwraps it the same way', async () => {
    const plaintext = randomBytes(32);
    kms.on(GenerateDataKeyCommand).resolves({ Plaintext: plaintext, CiphertextBlob: Buffer.from('wrapped') });
    kms.on(DecryptCommand).resolves({ Plaintext: plaintext });
    const kek = kmsKeyEncryptionKey(new KMSClient({ region: 'us-east-1' }), 'key-1');
    const dataKey = await kek.generateDataKey(context);
    expect(dataKey.plaintext.equals(plaintext)).toBe(true);
    expect(kms.commandCalls(GenerateDataKeyCommand)[0]?.args[0].input).toEqual({
      KeyId: 'key-1',
      KeySpec: 'AES_256',
      EncryptionContext: context,
    });
    await kek.unwrapDataKey(dataKey.wrapped, context);
    expect(kms.commandCalls(DecryptCommand)[0]?.args[0].input).toMatchObject({
      KeyId: 'key-1',
      EncryptionContext: context,
    });
    expect(kek.ref).toBe('kms:key-1');
  });

  it('unwraps a local data key under the context it was wrapped with (positive control)', async () => {
    const kek = localKeyEncryptionKey('a-local-key-of-at-least-32-characters');
    const dataKey = await kek.generateDataKey(context);
    expect((await kek.unwrapDataKey(dataKey.wrapped, context)).equals(dataKey.plaintext)).toBe(true);
  });

  it('refuses to unwrap a local data key under another context or another key', async () => {
    const kek = localKeyEncryptionKey('a-local-key-of-at-least-32-characters');
    const dataKey = await kek.generateDataKey(context);
    await expect(
      kek.unwrapDataKey(dataKey.wrapped, { ...context, tenantId: 'ten_01BBBBBBBBBBBBBBBBBBBBBBBB' }),
    ).rejects.toThrow();
    const other = localKeyEncryptionKey('another-local-key-of-at-least-32-chars');
    await expect(other.unwrapDataKey(dataKey.wrapped, context)).rejects.toThrow();
  });
});
