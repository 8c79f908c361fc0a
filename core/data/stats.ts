/**
 * Feature statistics in LeRobot's shape: min, max, mean, std, count, q01..q99 per dimension.
 * Per-episode stats are exact; dataset stats aggregate them the way LeRobot's
 * `aggregate_stats` does (count-weighted means, pooled variance, quantiles averaged by count).
 */
import type { CameraFrame } from '../hardware/robot';

export const QUANTILES = { q01: 0.01, q10: 0.1, q50: 0.5, q90: 0.9, q99: 0.99 } as const;
export const STAT_NAMES = ['min', 'max', 'mean', 'std', 'count', 'q01', 'q10', 'q50', 'q90', 'q99'] as const;
export type StatName = (typeof STAT_NAMES)[number];
/** Flat per-dimension values; image stats have 3 entries (one per channel). */
export type FeatureStats = Record<StatName, number[]>;

function quantileSorted(sorted: ArrayLike<number>, q: number): number {
  const n = sorted.length;
  if (n === 0) return Number.NaN;
  const pos = (n - 1) * q;
  const lo = Math.floor(pos);
  const hi = Math.min(lo + 1, n - 1);
  const a = sorted[lo] as number;
  const b = sorted[hi] as number;
  return a + (b - a) * (pos - lo);
}

/** Stats of rows x dims values (a scalar feature is rows x 1). */
export function numericStats(rows: ArrayLike<number>[]): FeatureStats {
  const n = rows.length;
  const dims = n > 0 ? (rows[0] as ArrayLike<number>).length : 0;
  const out = emptyStats();
  out.count = [n];
  for (let d = 0; d < dims; d++) {
    const col = new Float64Array(n);
    let sum = 0;
    for (let i = 0; i < n; i++) {
      const v = Number((rows[i] as ArrayLike<number>)[d]);
      col[i] = v;
      sum += v;
    }
    const mean = sum / n;
    let ss = 0;
    for (let i = 0; i < n; i++) ss += ((col[i] as number) - mean) ** 2;
    col.sort();
    out.min.push(col[0] as number);
    out.max.push(col[n - 1] as number);
    out.mean.push(mean);
    out.std.push(Math.sqrt(ss / n));
    for (const [name, q] of Object.entries(QUANTILES)) out[name as StatName].push(quantileSorted(col, q));
  }
  return out;
}

function emptyStats(): FeatureStats {
  return Object.fromEntries(STAT_NAMES.map((s) => [s, [] as number[]])) as unknown as FeatureStats;
}

/**
 * Per-channel image stats in [0,1] from a 256-bin histogram per channel, filled from sampled
 * frames (every `frameStride`-th frame, every `pixelStride`-th pixel), so quantiles are exact
 * for the sample and memory stays constant however long the episode is.
 */
export class ImageStatsAccumulator {
  private readonly hist = [new Float64Array(256), new Float64Array(256), new Float64Array(256)];
  private frames = 0;
  private seen = 0;

  constructor(
    private readonly frameStride = 5,
    private readonly pixelStride = 7,
  ) {}

  add(frame: CameraFrame): void {
    if (this.seen++ % this.frameStride !== 0) return;
    this.frames++;
    const { data } = frame;
    const [h0, h1, h2] = this.hist as [Float64Array, Float64Array, Float64Array];
    const step = this.pixelStride * 3;
    for (let i = 0; i + 2 < data.length; i += step) {
      h0[data[i] as number]! += 1;
      h1[data[i + 1] as number]! += 1;
      h2[data[i + 2] as number]! += 1;
    }
  }

  stats(): FeatureStats {
    const out = emptyStats();
    out.count = [this.frames];
    for (const h of this.hist) {
      let total = 0;
      let sum = 0;
      let sum2 = 0;
      let min = -1;
      let max = -1;
      for (let v = 0; v < 256; v++) {
        const c = h[v] as number;
        if (c === 0) continue;
        if (min < 0) min = v;
        max = v;
        total += c;
        sum += c * v;
        sum2 += c * v * v;
      }
      const mean = total ? sum / total : 0;
      out.min.push(Math.max(min, 0) / 255);
      out.max.push(Math.max(max, 0) / 255);
      out.mean.push(mean / 255);
      out.std.push(Math.sqrt(Math.max(total ? sum2 / total - mean * mean : 0, 0)) / 255);
      for (const [name, q] of Object.entries(QUANTILES)) {
        out[name as StatName].push(histQuantile(h, total, q) / 255);
      }
    }
    return out;
  }
}

function histQuantile(h: Float64Array, total: number, q: number): number {
  if (total === 0) return 0;
  const target = q * (total - 1);
  let acc = 0;
  for (let v = 0; v < 256; v++) {
    acc += h[v] as number;
    if (acc > target) return v;
  }
  return 255;
}

/** Combine per-episode stats into dataset stats (LeRobot's aggregate_stats). */
export function aggregateStats(parts: FeatureStats[]): FeatureStats {
  const valid = parts.filter((p) => (p.count[0] ?? 0) > 0 && p.mean.length > 0);
  const out = emptyStats();
  if (valid.length === 0) return out;
  const dims = (valid[0] as FeatureStats).mean.length;
  const total = valid.reduce((s, p) => s + (p.count[0] as number), 0);
  out.count = [total];
  for (let d = 0; d < dims; d++) {
    let mean = 0;
    for (const p of valid) mean += ((p.mean[d] as number) * (p.count[0] as number)) / total;
    let variance = 0;
    for (const p of valid) {
      const w = (p.count[0] as number) / total;
      variance += w * ((p.std[d] as number) ** 2 + ((p.mean[d] as number) - mean) ** 2);
    }
    out.min.push(Math.min(...valid.map((p) => p.min[d] as number)));
    out.max.push(Math.max(...valid.map((p) => p.max[d] as number)));
    out.mean.push(mean);
    out.std.push(Math.sqrt(variance));
    for (const name of Object.keys(QUANTILES) as StatName[]) {
      let q = 0;
      for (const p of valid) q += ((p[name][d] as number) * (p.count[0] as number)) / total;
      out[name].push(q);
    }
  }
  return out;
}

/** Reshape a flat stat for output: image stats become (3,1,1) nested lists like LeRobot's. */
export function shapeStat(values: number[], isImage: boolean, stat: StatName): unknown {
  if (!isImage || stat === 'count') return values;
  return values.map((v) => [[v]]);
}

/** Inverse of shapeStat: flatten nested lists. */
export function flattenStat(value: unknown): number[] {
  if (Array.isArray(value)) return value.flatMap((v) => flattenStat(v));
  return [Number(value)];
}
