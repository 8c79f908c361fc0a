import { describe, expect, it } from 'vitest';
import {
  dtw,
  meanDtw,
  normalizedEditDistance,
  signatureDistanceParts,
  weightedEditDistance,
} from '../../../core/rl/pushcut/distance';
import type { BehaviourSignature, EventSymbol, Vec3 } from '../../../core/rl/pushcut/types';

const x = (...xs: number[]): Vec3[] => xs.map((v) => [v, 0, 0]);

describe('dtw', () => {
  it('matches a hand-computed table', () => {
    // cost |a_i - b_j|: a0 [0 2], a1 [1 1], a2 [2 0]
    // D: (1,1)=0 (1,2)=2 (2,1)=1 (2,2)=1+min(2,1,0)=1 (3,1)=3 (3,2)=0+min(1,3,1)=1
    expect(dtw(x(0, 1, 2), x(0, 2))).toBeCloseTo(1, 12);
  });

  it('absorbs timing differences that a lock-step comparison would charge', () => {
    const a: Vec3[] = [
      [0, 0, 0],
      [0, 0, 0],
      [3, 4, 0],
    ];
    const b: Vec3[] = [
      [0, 0, 0],
      [3, 4, 0],
      [3, 4, 0],
    ];
    expect(dtw(a, b)).toBe(0);
    // lock-step would pair a1 with b1: 5
  });

  it('charges exactly the offset per step for a shifted copy', () => {
    const a = x(0, 1, 2, 3);
    const b = a.map((p): Vec3 => [p[0], p[1] + 0.5, p[2]]);
    expect(dtw(a, b)).toBeCloseTo(2, 12);
    expect(meanDtw(a, b)).toBeCloseTo(0.5, 12);
  });

  it('is symmetric and infinite against an empty path', () => {
    const a = x(0, 3, 1, 4);
    const b = x(1, 1, 2);
    expect(dtw(a, b)).toBeCloseTo(dtw(b, a), 12);
    expect(dtw(a, [])).toBe(Number.POSITIVE_INFINITY);
  });
});

describe('weighted edit distance', () => {
  const s = (t: string) => t.split(' ').filter(Boolean) as EventSymbol[];

  it('deletes with the symbol weight', () => {
    expect(weightedEditDistance(s('grasp lift'), s('grasp'))).toBeCloseTo(0.7, 12);
    expect(weightedEditDistance(s(''), s('grasp lift carry release'))).toBeCloseTo(2.9, 12);
  });

  it('substitutes related symbols cheaply', () => {
    expect(weightedEditDistance(s('push'), s('sweep'))).toBeCloseTo(0.2, 12);
    expect(weightedEditDistance(s('grasp open'), s('grasp release'))).toBeCloseTo(0.3, 12);
  });

  it('matches hand-computed values for a push against a pick-and-place', () => {
    // grasp->push 1 + delete lift .7 + carry .7 + release .5 = 2.9 (every other alignment costs more)
    expect(weightedEditDistance(s('grasp lift carry release'), s('push'))).toBeCloseTo(2.9, 12);
    // close->grasp .8 + push->lift 1 + insert carry .7 + release .5 = 3.0
    expect(weightedEditDistance(s('close push'), s('grasp lift carry release'))).toBeCloseTo(3.0, 12);
    expect(normalizedEditDistance(s('close push'), s('grasp lift carry release'))).toBeCloseTo(3.0 / 2.9, 12);
    expect(normalizedEditDistance(s('grasp lift'), s('grasp lift'))).toBe(0);
  });
});

describe('signature distance', () => {
  const sig = (symbols: EventSymbol[], path: Vec3[]): BehaviourSignature => ({
    evidence: 'contacts',
    pathSource: 'eePos',
    path,
    pathLength: 0,
    events: [],
    symbols,
    objects: {},
    frameCount: path.length,
  });

  it('weights the event sentence over the path', () => {
    const path = x(0, 0.1, 0.2);
    const shifted = path.map((p): Vec3 => [p[0], p[1] + 0.05, p[2]]);
    const cfg = { eventWeight: 1, pathWeight: 0.25, pathScale: 0.1 };
    const variant = signatureDistanceParts(
      sig(['grasp', 'lift'], path),
      sig(['grasp', 'lift'], shifted),
      cfg,
    );
    expect(variant.events).toBe(0);
    expect(variant.path).toBeCloseTo(0.5, 12);
    expect(variant.total).toBeCloseTo(0.125, 12);
    const other = signatureDistanceParts(sig(['grasp', 'lift'], path), sig(['push'], path), cfg);
    expect(other.total).toBeCloseTo(1.7 / 1.7, 12); // grasp->push 1 + delete lift .7, over 1.7
    expect(other.total).toBeGreaterThan(variant.total * 4);
  });
});
