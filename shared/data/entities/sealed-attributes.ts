/** The attributes of a value sealed by envelope encryption (`shared/secrets/envelope.ts`). */
export const SEALED_VALUE_ATTRIBUTES = {
  ciphertext: { type: 'string', required: true },
  iv: { type: 'string', required: true },
  tag: { type: 'string', required: true },
  /** The data key, encrypted by the key-encryption key. */
  encryptedKey: { type: 'string', required: true },
  /** Which key-encryption key wrapped it (`kms:<key id>` or `local`). */
  keyRef: { type: 'string', required: true },
} as const;
