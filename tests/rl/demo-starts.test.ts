import { describe, expect, it } from 'vitest';
import { rng } from '../../core/nn/model';
import { DemoStartCurriculum } from '../../core/rl/grpo/demo-starts';

const demo = (steps: number, seed = 3) => ({
  seed,
  actions: Array.from({ length: steps }, (_, t) => [t, 0, 0, 0, 0, 100]),
});

describe('reverse curriculum from one demo per task', () => {
  it('starts one stride before the demo ends, in the demo layout, for `share` of the groups', () => {
    const c = new DemoStartCurriculum({ bowl: demo(20) }, { share: 0.25, stride: 8 });
    expect(c.starts()).toEqual({ bowl: 12 });
    const random = rng(5);
    const picks = Array.from({ length: 4000 }, () => c.pick('bowl', random));
    const fromDemo = picks.filter((p) => p !== null);
    expect(fromDemo.length / picks.length).toBeGreaterThan(0.22);
    expect(fromDemo.length / picks.length).toBeLessThan(0.28);
    expect(fromDemo[0]).toEqual({ seed: 3, prefix: demo(20).actions.slice(0, 12) });
    // a task without a demo always starts from its own initial state
    expect(c.pick('press', () => 0)).toBeNull();
  });

  it('moves the start back one stride once the recent groups from it succeed often enough, down to 0', () => {
    const c = new DemoStartCurriculum({ bowl: demo(20) }, { stride: 8, advanceAt: 0.5, minRollouts: 16 });
    c.observe('bowl', 12, 8, 8); // 8 of 8, but fewer than minRollouts
    expect(c.starts().bowl).toBe(12);
    c.observe('bowl', 0, 8, 8); // groups from other starts do not count
    c.observe('bowl', 4, 8, 8);
    expect(c.starts().bowl).toBe(12);
    c.observe('bowl', 12, 0, 8); // 8 of 16: exactly at the bar
    expect(c.starts().bowl).toBe(4);
    // the new stage starts with no history: three failing groups, then the last four groups decide
    for (let i = 0; i < 3; i++) c.observe('bowl', 4, 0, 8);
    c.observe('bowl', 4, 8, 8);
    expect(c.starts().bowl).toBe(4); // 8 of 32
    c.observe('bowl', 4, 8, 8);
    expect(c.starts().bowl).toBe(0); // the oldest failure left the window: 16 of 32
    // done: every group starts from the task's own initial state
    expect(c.pick('bowl', () => 0)).toBeNull();
  });

  it('survives a checkpoint round trip and rejects bad settings', () => {
    const c = new DemoStartCurriculum({ bowl: demo(30), lift: demo(9) }, { stride: 8, minRollouts: 8 });
    c.observe('bowl', 22, 8, 8);
    const restored = new DemoStartCurriculum(
      { bowl: demo(30), lift: demo(9) },
      { stride: 8, minRollouts: 8 },
    );
    restored.restore(JSON.parse(JSON.stringify(c.snapshot())));
    expect(restored.starts()).toEqual({ bowl: 14, lift: 1 });
    restored.restore('garbage');
    expect(restored.starts()).toEqual({ bowl: 14, lift: 1 });
    expect(() => new DemoStartCurriculum({}, { share: 1.5 })).toThrow(/share must be between 0 and 1/);
    expect(() => new DemoStartCurriculum({}, { stride: 0 })).toThrow(/stride must be a whole number/);
    expect(() => new DemoStartCurriculum({ x: { seed: 0, actions: [] } })).toThrow(/"x" has no actions/);
  });
});
