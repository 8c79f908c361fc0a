import { describe, expect, it } from 'vitest';
import { rng } from '../../core/nn/model';
import { StateSampler } from '../../core/rl/grpo/state-sampler';

const counts = (s: StateSampler, task: string, n: number) => {
  const random = rng(7);
  const out = new Array(s.seedRange).fill(0);
  for (let i = 0; i < n; i++) out[s.pick(task, random)]++;
  return out as number[];
};

describe('initial-state sampling', () => {
  it("'uniform' draws seeds evenly, as Math.floor(random * range)", () => {
    const s = new StateSampler('uniform', 1000);
    const random = rng(3);
    const again = rng(3);
    for (let i = 0; i < 20; i++) expect(s.pick('a', random)).toBe(Math.floor(again() * 1000));
  });

  it("'informative' favours states whose groups disagree, per task, and keeps a floor for the rest", () => {
    const s = new StateSampler('informative', 4);
    expect(counts(s, 'a', 4000).every((c) => c > 800 && c < 1200)).toBe(true);
    s.observe('a', 0, 0, 8); // always fails
    s.observe('a', 1, 8, 8); // always succeeds
    s.observe('a', 2, 4, 8); // disagrees
    // seed 3 never tried: p = 1/2
    expect(s.rate('a', 0)).toBeCloseTo(0.5 / 9, 6);
    expect(s.weight('a', 2)).toBeCloseTo(1.1, 6);
    expect(s.weight('a', 0)).toBeCloseTo(0.1 + 4 * (0.5 / 9) * (8.5 / 9), 6);
    const c = counts(s, 'a', 4000);
    expect(c[2]! / c[0]!).toBeGreaterThan(2.5);
    expect(c[3]! / c[1]!).toBeGreaterThan(2.5);
    expect(Math.min(...c)).toBeGreaterThan(200);
    // another task's states are untouched
    expect(counts(s, 'b', 4000).every((x) => x > 800 && x < 1200)).toBe(true);
  });

  it("'informative' draws tasks by their states' weight; 'uniform' takes them in turn", () => {
    const tasks = ['solved', 'learning', 'hopeless'];
    const u = new StateSampler('uniform', 2);
    expect([0, 1, 2, 3].map((turn) => u.pickTask(tasks, turn, rng(1)))).toEqual([...tasks, 'solved']);
    const s = new StateSampler('informative', 2);
    for (const seed of [0, 1]) {
      for (let i = 0; i < 3; i++) {
        s.observe('solved', seed, 8, 8);
        s.observe('learning', seed, 4, 8);
        s.observe('hopeless', seed, 0, 8);
      }
    }
    const random = rng(5);
    const n: Record<string, number> = { solved: 0, learning: 0, hopeless: 0 };
    for (let i = 0; i < 3000; i++) n[s.pickTask(tasks, i, random)]! += 1;
    expect(n.learning! / n.solved!).toBeGreaterThan(3);
    expect(n.learning! / n.hopeless!).toBeGreaterThan(3);
    expect(Math.min(n.solved!, n.hopeless!)).toBeGreaterThan(100);
  });

  it('weighs recent groups more, so a state the policy learned to solve loses weight', () => {
    const s = new StateSampler('informative', 2);
    s.observe('a', 0, 4, 8);
    const before = s.weight('a', 0);
    s.observe('a', 0, 8, 8);
    s.observe('a', 0, 8, 8);
    expect(s.rate('a', 0)).toBeGreaterThan(0.85);
    expect(s.weight('a', 0)).toBeLessThan(before / 2);
  });

  it('survives a checkpoint round trip and refuses a bank too large to track', () => {
    const s = new StateSampler('informative', 10);
    s.observe('a', 3, 2, 8);
    const t = new StateSampler('informative', 10);
    t.restore(JSON.parse(JSON.stringify(s.snapshot())));
    expect(t.rate('a', 3)).toBe(s.rate('a', 3));
    expect(() => new StateSampler('informative', 1_000_000)).toThrow(/at most 10000 initial states/);
    expect(() => new StateSampler('uniform', 0)).toThrow(/positive whole number/);
  });
});
