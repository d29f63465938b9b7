/**
 * Secrets the relay generates into its data directory on first start (token
 * signing key, env-var key, runner token): random bytes stored base64, mode 0600.
 */
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export function readOrCreateSecret(dataDir: string, fileName: string, bytes: number): Buffer {
  mkdirSync(dataDir, { recursive: true });
  const path = join(dataDir, fileName);
  if (!existsSync(path)) {
    // 'wx' fails if another process created it meanwhile; then we read theirs.
    try {
      writeFileSync(path, randomBytes(bytes).toString('base64'), { mode: 0o600, flag: 'wx' });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
  }
  const secret = Buffer.from(readFileSync(path, 'utf8').trim(), 'base64');
  if (secret.length < bytes) throw new Error(`secret in ${path} is shorter than ${bytes} bytes`);
  return secret;
}
