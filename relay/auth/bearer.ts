/** `Authorization: Bearer <secret>` checks for the relay's fixed secrets (runner token, metrics token). */
import { timingSafeEqual } from 'node:crypto';

/** Whether `header` is `Bearer <secret>`, compared in constant time. */
export function bearerMatches(header: string | undefined, secret: string): boolean {
  const match = /^Bearer\s+(\S+)$/i.exec(header ?? '');
  if (!match) return false;
  const given = Buffer.from(match[1]!);
  const expected = Buffer.from(secret);
  return given.length === expected.length && timingSafeEqual(given, expected);
}
