/**
 * Encrypts a project's environment variables at rest: AES-256-GCM with a key
 * generated into the data directory on first start (mode 0600). The room id and
 * variable name are authenticated data, so a sealed value copied to another room
 * or name no longer opens. Sealed layout: nonce (12 bytes) | tag (16) | ciphertext.
 */
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { readOrCreateSecret } from '../auth/secretFile.js';

const KEY_FILE = 'env-key';
const KEY_BYTES = 32;
const NONCE_BYTES = 12;
const TAG_BYTES = 16;

export class EnvCrypto {
  constructor(private readonly key: Buffer) {
    if (key.length !== KEY_BYTES) throw new Error(`env key must be ${KEY_BYTES} bytes`);
  }

  static fromDataDir(dataDir: string): EnvCrypto {
    return new EnvCrypto(readOrCreateSecret(dataDir, KEY_FILE, KEY_BYTES).subarray(0, KEY_BYTES));
  }

  seal(roomId: string, name: string, value: string): Uint8Array {
    const nonce = randomBytes(NONCE_BYTES);
    const cipher = createCipheriv('aes-256-gcm', this.key, nonce);
    cipher.setAAD(aad(roomId, name));
    const ciphertext = Buffer.concat([cipher.update(value, 'utf8'), cipher.final()]);
    return new Uint8Array(Buffer.concat([nonce, cipher.getAuthTag(), ciphertext]));
  }

  /** Throws if the value was tampered with or sealed for another room or name. */
  open(roomId: string, name: string, sealed: Uint8Array): string {
    const bytes = Buffer.from(sealed);
    if (bytes.length < NONCE_BYTES + TAG_BYTES) throw new Error('sealed value too short');
    const decipher = createDecipheriv('aes-256-gcm', this.key, bytes.subarray(0, NONCE_BYTES));
    decipher.setAAD(aad(roomId, name));
    decipher.setAuthTag(bytes.subarray(NONCE_BYTES, NONCE_BYTES + TAG_BYTES));
    return Buffer.concat([
      decipher.update(bytes.subarray(NONCE_BYTES + TAG_BYTES)),
      decipher.final(),
    ]).toString('utf8');
  }
}

function aad(roomId: string, name: string): Buffer {
  return Buffer.from(`${roomId}\u0000${name}`, 'utf8');
}
