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

/**
 * Token buckets by client address: a burst of `perMinute`, refilled at
 * `perMinute` a minute (0: no limit). `take` throws 429 `rate_limited` with
 * the seconds to wait when an address has none left.
 */
export class AddressLimiter {
  private readonly buckets = new Map<string, TokenBucket>();

  constructor(
    private readonly perMinute: number,
    private readonly what: string,
  ) {}

  take(address: string, now = Date.now()): void {
    if (this.perMinute === 0) return;
    let bucket = this.buckets.get(address);
    if (!bucket) {
      if (this.buckets.size >= ADDRESSES_MAX) {
        for (const [known, full] of this.buckets) if (full.isFull(now)) this.buckets.delete(known);
      }
      bucket = new TokenBucket(this.perMinute, (this.perMinute * 1000) / MINUTE_MS, now);
      this.buckets.set(address, bucket);
    }
    if (bucket.take(now)) return;
    const waitSeconds = Math.ceil(bucket.waitMs(now) / 1000);
    throw new RateLimitError(
      `too many ${this.what}: at most ${this.perMinute} a minute from one address; try again in ${waitSeconds} s`,
      waitSeconds,
    );
  }
}

/** A 429 that says when to try again. */
export class RateLimitError extends HttpError {
  constructor(
    message: string,
    readonly retryAfterSeconds: number,
  ) {
    super(429, ErrorCode.RateLimited, message);
  }
}

/** Counts shared by every relay (RoomBus.countInWindow): one more in this minute, or null to count alone. */
export type SharedCount = (key: string, windowSeconds: number) => Promise<number | null>;

/**
 * The limiter as middleware, for requests that create something that stays
 * (rooms). With `shared` (relays sharing rooms) an address's requests are
 * counted on every relay together, per minute window (approximate: a burst
 * may straddle two windows); while those counts cannot be reached, each relay
 * counts alone.
 */
export function rateLimit(perMinute: number, what: string, shared?: SharedCount): MiddlewareHandler {
  const limiter = new AddressLimiter(perMinute, what);
  return async (c, next) => {
    try {
      const address = clientAddress(c);
      const count = shared && perMinute > 0 ? await shared(`${what}:${address}`, MINUTE_MS / 1000) : null;
      if (count === null) limiter.take(address);
      else if (count > perMinute) {
        const waitSeconds = Math.max(1, Math.ceil((MINUTE_MS - (Date.now() % MINUTE_MS)) / 1000));
        throw new RateLimitError(
          `too many ${what}: at most ${perMinute} a minute from one address; try again in ${waitSeconds} s`,
          waitSeconds,
        );
      }
    } catch (error) {
      if (error instanceof RateLimitError) c.header('Retry-After', String(error.retryAfterSeconds));
      throw error;
    }
    return next();
  };
}

/** The TCP peer's address (Hono's Node adapter puts the request's socket in `c.env.incoming`). */
function clientAddress(c: Context): string {
  const incoming = (c.env as { incoming?: { socket?: { remoteAddress?: string } } } | undefined)?.incoming;
  return incoming?.socket?.remoteAddress ?? 'unknown';
}
