import { describe, expect, it } from 'vitest';
import { TokenBucket } from './TokenBucket.js';

describe('TokenBucket', () => {
  it('allows a burst of its capacity, then one per refill period, and says how long to wait', () => {
    const bucket = new TokenBucket(3, 2, 0);
    expect([bucket.take(0), bucket.take(0), bucket.take(0), bucket.take(0)]).toEqual([
      true,
      true,
      true,
      false,
    ]);
    expect(bucket.waitMs(0)).toBe(500);
    expect(bucket.take(499)).toBe(false);
    expect(bucket.take(500)).toBe(true);
    expect(bucket.isFull(500)).toBe(false);
    expect(bucket.isFull(2000)).toBe(true);
    // Idle time never banks more than the capacity.
    const burst = [1, 2, 3, 4].map(() => bucket.take(60_000));
    expect(burst).toEqual([true, true, true, false]);
  });
});
