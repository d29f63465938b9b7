/** The index of the last value <= `x` in `sorted` (ascending), or -1 if there is none. Binary search. */
export function lastAtOrBefore(sorted: ArrayLike<number>, x: number): number {
  let low = 0;
  let high = sorted.length - 1;
  let found = -1;
  while (low <= high) {
    const mid = (low + high) >> 1;
    if (sorted[mid]! <= x) {
      found = mid;
      low = mid + 1;
    } else high = mid - 1;
  }
  return found;
}
