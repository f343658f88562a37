import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { keyEncryptionKey, type EncryptionContext } from './key-encryption-key';

/** A value sealed by envelope encryption: AES-256-GCM under a fresh data key, wrapped by the KEK. */
export interface SealedValue {
  ciphertext: string;
  iv: string;
  tag: string;
  /** The data key, encrypted by the key-encryption key. */
  encryptedKey: string;
  /** Which key-encryption key wrapped it (`kms:<key id>` or `local`). */
  keyRef: string;
}

/** Seals `value` under a fresh data key bound to `context` (KMS in AWS, the twin's local key). */
export async function sealValue(value: string, context: EncryptionContext): Promise<SealedValue> {
  const kek = keyEncryptionKey();
  const dataKey = await kek.generateDataKey(context);
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', dataKey.plaintext, iv);
  const ciphertext = Buffer.concat([cipher.update(value, 'utf8'), cipher.final()]);
  dataKey.plaintext.fill(0);
  return {
    ciphertext: ciphertext.toString('base64'),
    iv: iv.toString('base64'),
    tag: cipher.getAuthTag().toString('base64'),
    encryptedKey: dataKey.wrapped,
    keyRef: kek.ref,
  };
}

/** Opens a sealed value; fails if it or its context was altered. */
export async function openValue(sealed: SealedValue, context: EncryptionContext): Promise<string> {
  const dataKey = await keyEncryptionKey().unwrapDataKey(sealed.encryptedKey, context);
  const decipher = createDecipheriv('aes-256-gcm', dataKey, Buffer.from(sealed.iv, 'base64'));
  decipher.setAuthTag(Buffer.from(sealed.tag, 'base64'));
  const value = Buffer.concat([decipher.update(Buffer.from(sealed.ciphertext, 'base64')), decipher.final()]);
  dataKey.fill(0);
  return value.toString('utf8');
}
