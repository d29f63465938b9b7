/**
 * A token bucket per client address, for requests that create something that
 * stays (rooms): a burst of `perMinute`, refilled at `perMinute` a minute. A
 * refused request gets 429 `rate_limited` with `Retry-After`.
 */
import type { Context, MiddlewareHandler } from 'hono';
import { ErrorCode } from '../../shared/protocol/errors.js';
import { TokenBucket } from '../limits/TokenBucket.js';
import { HttpError } from './errors.js';

const MINUTE_MS = 60_000;
/** Addresses remembered at most; past it, full buckets (nothing spent) are forgotten first. */
const ADDRESSES_MAX = 10_000;

export function rateLimit(perMinute: number, what: string): MiddlewareHandler {
  const buckets = new Map<string, TokenBucket>();
  const forgetFull = (now: number) => {
    for (const [address, bucket] of buckets) if (bucket.isFull(now)) buckets.delete(address);
  };
  return async (c, next) => {
    if (perMinute === 0) return next();
    const now = Date.now();
    const address = clientAddress(c);
    let bucket = buckets.get(address);
    if (!bucket) {
      if (buckets.size >= ADDRESSES_MAX) forgetFull(now);
      bucket = new TokenBucket(perMinute, (perMinute * 1000) / MINUTE_MS, now);
      buckets.set(address, bucket);
    }
    if (!bucket.take(now)) {
      const waitSeconds = Math.ceil(bucket.waitMs(now) / 1000);
      c.header('Retry-After', String(waitSeconds));
      throw new HttpError(
        429,
        ErrorCode.RateLimited,
        `too many ${what}: at most ${perMinute} a minute from one address; try again in ${waitSeconds} s`,
      );
    }
    return next();
  };
}

/** The TCP peer's address (Hono's Node adapter puts the request's socket in `c.env.incoming`). */
function clientAddress(c: Context): string {
  const incoming = (c.env as { incoming?: { socket?: { remoteAddress?: string } } } | undefined)?.incoming;
  return incoming?.socket?.remoteAddress ?? 'unknown';
}
