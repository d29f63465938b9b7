/**
 * Order statistics for latency samples. Percentiles use the nearest-rank
 * definition (the smallest sample with at least p% of samples at or below it),
 * so every reported figure is a latency that really happened.
 */

export interface Summary {
  count: number;
  p50: number;
  p95: number;
  p99: number;
  max: number;
  mean: number;
}

/** Nearest-rank percentile of samples already sorted ascending. */
export function percentileSorted(sorted: ArrayLike<number>, p: number): number {
  if (sorted.length === 0) return Number.NaN;
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length, Math.max(1, rank)) - 1]!;
}

export function summarize(samples: ArrayLike<number>): Summary {
  const sorted = Float64Array.from(samples).sort();
  let total = 0;
  for (const value of sorted) total += value;
  return {
    count: sorted.length,
    p50: percentileSorted(sorted, 50),
    p95: percentileSorted(sorted, 95),
    p99: percentileSorted(sorted, 99),
    max: sorted.length > 0 ? sorted[sorted.length - 1]! : Number.NaN,
    mean: sorted.length > 0 ? total / sorted.length : Number.NaN,
  };
}

export function median(samples: ArrayLike<number>): number {
  return percentileSorted(Float64Array.from(samples).sort(), 50);
}

export function min(samples: readonly number[]): number {
  return samples.reduce((a, b) => Math.min(a, b), Number.POSITIVE_INFINITY);
}
