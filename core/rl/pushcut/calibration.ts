/** Novelty threshold calibrated on the demonstrations themselves (leave-one-out). */

/** Linear-interpolated quantile of `values` (q in [0, 1]). */
export function quantile(values: readonly number[], q: number): number {
  if (values.length === 0) return Number.NaN;
  const s = [...values].sort((a, b) => a - b);
  const pos = Math.min(1, Math.max(0, q)) * (s.length - 1);
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  return (s[lo] as number) + ((s[hi] as number) - (s[lo] as number)) * (pos - lo);
}

/**
 * For each item, the distance to its nearest *other* item: how far a held-out demonstration
 * falls from the rest. These are the distances a new demo-like episode is expected to have.
 */
export function leaveOneOutNearest(count: number, distance: (i: number, j: number) => number): number[] {
  const out = new Array<number>(count).fill(Number.POSITIVE_INFINITY);
  for (let i = 0; i < count; i++) {
    for (let j = i + 1; j < count; j++) {
      const d = distance(i, j);
      if (d < (out[i] as number)) out[i] = d;
      if (d < (out[j] as number)) out[j] = d;
    }
  }
  return out;
}

/** Workspace spread of a set of paths: RMS distance of all points from their centroid, metres. */
export function pathSpread(paths: readonly (readonly (readonly number[])[])[]): number {
  const pts = paths.flat();
  if (pts.length === 0) return 0;
  const c = [0, 1, 2].map((k) => pts.reduce((s, p) => s + (p[k] ?? 0), 0) / pts.length);
  const ms =
    pts.reduce((s, p) => s + [0, 1, 2].reduce((t, k) => t + ((p[k] ?? 0) - (c[k] ?? 0)) ** 2, 0), 0) /
    pts.length;
  return Math.sqrt(ms);
}
