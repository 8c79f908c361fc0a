/**
 * Distance between two behaviour signatures:
 *
 *   d = eventWeight * weightedEditDistance(symbols) + pathWeight * meanDtw(path / pathScale)
 *
 * Why events dominate: a strategy is *how* the object gets to the goal (grasped and carried,
 * pushed, knocked). That is exactly what the event sentence encodes, and one changed key symbol
 * (no grasp, a push instead) makes the normalised edit distance 0.2..1. The path cannot tell
 * strategies apart on its own (a push and a carry can follow the same line over the table), but
 * it does separate variants of one strategy (approach from the side vs from above, a detour), so
 * it enters with a smaller weight: path differences of a typical spread (meanDtw ~ 0.2..1 in units
 * of the demos' workspace spread) add 0.05..0.25, below a one-key-symbol change.
 */
import { dist3 } from './path';
import type { BehaviourSignature, EventSymbol, Vec3 } from './types';

/**
 * Insert/delete cost of each symbol. The symbols that say how the object is moved (grasp, push,
 * sweep, knock) cost 1; how a held object travels (lift, carry) 0.7; gripper bookkeeping less,
 * because a policy can twitch the gripper without changing strategy.
 */
export const SYMBOL_WEIGHT: Record<EventSymbol, number> = {
  grasp: 1,
  push: 1,
  sweep: 1,
  knock: 1,
  lift: 0.7,
  carry: 0.7,
  release: 0.5,
  close: 0.3,
  open: 0.2,
};

/** Substitutions cheaper than delete+insert: the same act seen differently. Symmetric. */
const RELATED: Record<string, number> = {
  'push|sweep': 0.2, // the same push, seen through contacts vs through the hand's motion
  'open|release': 0.3, // differ only in whether something was held
  'close|grasp': 0.8, // a close that missed vs one that caught
  'carry|lift': 0.5,
};

export function substitutionCost(a: EventSymbol, b: EventSymbol): number {
  if (a === b) return 0;
  const key = a < b ? `${a}|${b}` : `${b}|${a}`;
  return RELATED[key] ?? Math.max(SYMBOL_WEIGHT[a], SYMBOL_WEIGHT[b]);
}

/** Weighted Levenshtein distance (insert/delete = symbol weight, substitution as above). */
export function weightedEditDistance(a: readonly EventSymbol[], b: readonly EventSymbol[]): number {
  const m = a.length;
  const n = b.length;
  let prev = new Array<number>(n + 1).fill(0);
  for (let j = 1; j <= n; j++) prev[j] = (prev[j - 1] as number) + SYMBOL_WEIGHT[b[j - 1] as EventSymbol];
  for (let i = 1; i <= m; i++) {
    const ai = a[i - 1] as EventSymbol;
    const cur = new Array<number>(n + 1).fill(0);
    cur[0] = (prev[0] as number) + SYMBOL_WEIGHT[ai];
    for (let j = 1; j <= n; j++) {
      const bj = b[j - 1] as EventSymbol;
      cur[j] = Math.min(
        (prev[j] as number) + SYMBOL_WEIGHT[ai],
        (cur[j - 1] as number) + SYMBOL_WEIGHT[bj],
        (prev[j - 1] as number) + substitutionCost(ai, bj),
      );
    }
    prev = cur;
  }
  return prev[n] as number;
}

/** Edit distance divided by the heavier sentence's total weight: 0 same, ~1 nothing in common. */
export function normalizedEditDistance(a: readonly EventSymbol[], b: readonly EventSymbol[]): number {
  const wa = a.reduce((s, x) => s + SYMBOL_WEIGHT[x], 0);
  const wb = b.reduce((s, x) => s + SYMBOL_WEIGHT[x], 0);
  const denom = Math.max(wa, wb);
  return denom === 0 ? 0 : weightedEditDistance(a, b) / denom;
}

/** Dynamic time warping: least total Euclidean cost over monotone alignments of the two paths. */
export function dtw(a: readonly (readonly number[])[], b: readonly (readonly number[])[]): number {
  const m = a.length;
  const n = b.length;
  if (m === 0 || n === 0) return m === n ? 0 : Number.POSITIVE_INFINITY;
  let prev = new Array<number>(n + 1).fill(Number.POSITIVE_INFINITY);
  prev[0] = 0;
  for (let i = 1; i <= m; i++) {
    const cur = new Array<number>(n + 1).fill(Number.POSITIVE_INFINITY);
    const ai = a[i - 1] as number[];
    for (let j = 1; j <= n; j++) {
      const cost = dist3(ai, b[j - 1] as number[]);
      cur[j] = cost + Math.min(prev[j] as number, cur[j - 1] as number, prev[j - 1] as number);
    }
    prev = cur;
  }
  return prev[n] as number;
}

/** DTW per aligned step: two equal-length paths offset by a constant c give exactly c. */
export function meanDtw(a: readonly (readonly number[])[], b: readonly (readonly number[])[]): number {
  return dtw(a, b) / Math.max(a.length, b.length, 1);
}

export interface DistanceConfig {
  eventWeight: number;
  pathWeight: number;
  /** Metres that count as one unit of path difference (the tracker sets it from the demos' spread). */
  pathScale: number;
}

export const DEFAULT_DISTANCE_CONFIG: DistanceConfig = { eventWeight: 1, pathWeight: 0.25, pathScale: 0.1 };

export interface DistanceParts {
  total: number;
  events: number;
  path: number;
}

export function signatureDistanceParts(
  a: BehaviourSignature,
  b: BehaviourSignature,
  config: Partial<DistanceConfig> = {},
): DistanceParts {
  const cfg = { ...DEFAULT_DISTANCE_CONFIG, ...config };
  const events = normalizedEditDistance(a.symbols, b.symbols);
  const scale = (p: Vec3[]) => p.map((v) => v.map((x) => x / cfg.pathScale));
  const path = meanDtw(scale(a.path), scale(b.path));
  return { total: cfg.eventWeight * events + cfg.pathWeight * path, events, path };
}

export function signatureDistance(
  a: BehaviourSignature,
  b: BehaviourSignature,
  config: Partial<DistanceConfig> = {},
): number {
  return signatureDistanceParts(a, b, config).total;
}
