/** End-effector path helpers: length and equal arc-length resampling. */
import type { Vec3 } from './types';

export function dist3(a: readonly number[], b: readonly number[]): number {
  const dx = (a[0] ?? 0) - (b[0] ?? 0);
  const dy = (a[1] ?? 0) - (b[1] ?? 0);
  const dz = (a[2] ?? 0) - (b[2] ?? 0);
  return Math.sqrt(dx * dx + dy * dy + dz * dz);
}

export function horizontalDist(a: readonly number[], b: readonly number[]): number {
  return Math.hypot((a[0] ?? 0) - (b[0] ?? 0), (a[1] ?? 0) - (b[1] ?? 0));
}

export function pathLength(points: readonly Vec3[]): number {
  let len = 0;
  for (let i = 1; i < points.length; i++) len += dist3(points[i - 1] as Vec3, points[i] as Vec3);
  return len;
}

/**
 * `n` points at equal arc-length spacing along the polyline. Resampling by arc length (not time)
 * makes the path describe where the hand went, not how long it dwelt anywhere; a path that never
 * moves becomes `n` copies of its point.
 */
export function resampleByArcLength(points: readonly Vec3[], n: number): Vec3[] {
  if (points.length === 0) return [];
  const first = points[0] as Vec3;
  const total = pathLength(points);
  if (n <= 1 || total === 0 || points.length === 1)
    return Array.from({ length: Math.max(1, n) }, () => [...first]);
  const out: Vec3[] = [];
  let seg = 0;
  let segStart = 0; // arc length at points[seg]
  for (let k = 0; k < n; k++) {
    const target = (total * k) / (n - 1);
    while (seg < points.length - 2) {
      const segLen = dist3(points[seg] as Vec3, points[seg + 1] as Vec3);
      if (segStart + segLen >= target) break;
      segStart += segLen;
      seg++;
    }
    const a = points[seg] as Vec3;
    const b = points[seg + 1] as Vec3;
    const segLen = dist3(a, b);
    const t = segLen > 0 ? Math.min(1, Math.max(0, (target - segStart) / segLen)) : 0;
    out.push([a[0] + (b[0] - a[0]) * t, a[1] + (b[1] - a[1]) * t, a[2] + (b[2] - a[2]) * t]);
  }
  return out;
}

/**
 * Keeps a point only once the hand has moved `step` metres from the last kept one (plus the last
 * point). Sensor jitter and tremor smaller than `step` then add no arc length, so it cannot shift
 * where the equal arc-length samples fall.
 */
export function decimate(points: readonly Vec3[], step: number): Vec3[] {
  if (points.length === 0) return [];
  const out: Vec3[] = [points[0] as Vec3];
  for (let i = 1; i < points.length; i++) {
    const p = points[i] as Vec3;
    if (dist3(p, out[out.length - 1] as Vec3) >= step) out.push(p);
  }
  const last = points[points.length - 1] as Vec3;
  if (out[out.length - 1] !== last) out.push(last);
  return out;
}
