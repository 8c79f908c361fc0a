import { describe, expect, it } from 'vitest';
import { initParams, rng } from '../../core/nn/model';
import { rolloutMask } from '../../core/rl/grpo/masks';
import type { Rollout } from '../../core/rl/grpo/types';
import { stateMlpPolicy } from '../../core/rl/policies/state-mlp';
import { PolicyRunner } from '../../core/rl/policy-runner';
import { type EnvPool, playGroups, type SimRolloutOptions } from '../../core/rl/sim-rollouts';
import type { ChunkImages, ChunkStep } from '../../core/sim/chunk';
import type { EnvMeta } from '../../core/sim/vector/protocol';
import { watchClocks } from './helpers/clock-watch';

/** A fake pool (unit test): env i succeeds after `succeedAt(task, seed, i)` steps, else never. */
class FakePool implements EnvPool {
  metas: EnvMeta[];
  steps: number[];
  seeds: number[];
  setTaskCalls = 0;
  resets: { env: number; seed: number; prefix?: number }[] = [];
  imageModes = new Set<ChunkImages>();
  /** Resets and chunk steps in the order the pool saw them. */
  log: string[] = [];
  constructor(
    tasks: string[],
    private succeedAt: (task: string, seed: number, env: number) => number,
  ) {
    this.metas = tasks.map((t) => this.meta(t));
    this.steps = tasks.map(() => 0);
    this.seeds = tasks.map(() => 0);
  }
  meta(task: string): EnvMeta {
    return { taskId: task, instruction: `do ${task}`, maxSteps: 20, jointLimits: [] };
  }
  get size() {
    return this.metas.length;
  }
  get envs() {
    return this.metas;
  }
  async reset(seeds: number[], indices: number[] = [], prefixes: (number[][] | undefined)[] = []) {
    return indices.map((i, k) => {
      this.steps[i] = prefixes[k]?.length ?? 0;
      this.seeds[i] = seeds[k]!;
      this.resets.push({ env: i, seed: seeds[k]!, ...(prefixes[k] ? { prefix: prefixes[k].length } : {}) });
      this.log.push(`reset ${i}:${seeds[k]}`);
      return { state: [0, 0, 0, 0, 0, 50], images: {} };
    });
  }
  async stepChunk(actions: number[][][], indices: number[], limits: number[], images: ChunkImages) {
    this.imageModes.add(images);
    this.log.push(`step ${indices.join(',')}`);
    return indices.map((i, k) => {
      const out: ChunkStep[] = [];
      for (const action of actions[k]!.slice(0, limits[k])) {
        expect(action).toHaveLength(6);
        this.steps[i]!++;
        const success = this.steps[i] === this.succeedAt(this.metas[i]!.taskId, this.seeds[i]!, i);
        out.push({ obs: { state: [this.steps[i]!, 0, 0, 0, 0, 50], images: {} }, success });
        if (success) break;
      }
      return out;
    });
  }
  async setTask(index: number, task: string) {
    this.setTaskCalls++;
    this.metas[index] = this.meta(task);
    return this.metas[index];
  }
}

const policy = stateMlpPolicy({
  instructions: ['do A', 'do B'],
  actionLow: [-10, -10, -10, -10, -10, 0],
  actionHigh: [10, 10, 10, 10, 10, 100],
  chunk: 4,
  bins: 8,
  hidden: 8,
});

/** playGroups with a fresh runner over `pool`, policy weights from seed 0, version 0. */
async function playOn(
  pool: EnvPool,
  opts: Pick<SimRolloutOptions, 'groups' | 'groupSize' | 'temperature' | 'random' | 'greedyPerGroup'>,
) {
  const runner = new PolicyRunner(policy, 1);
  try {
    return await playGroups({
      pool,
      runner,
      state: { policy, params: initParams(policy.model, 0), version: 0 },
      ...opts,
    });
  } finally {
    await runner.release();
  }
}

describe('simulator rollouts', () => {
  it('plays groups from one seed each, ends on success or the step limit, and keeps behaviour log-probs', async () => {
    // task A: even envs succeed at step 5, odd ones never; task B: every env succeeds at step 1
    const pool = new FakePool(['A', 'A', 'A', 'A', 'B', 'B', 'B', 'B'], (t, _s, i) =>
      t === 'B' ? 1 : i % 2 ? -1 : 5,
    );
    const runner = new PolicyRunner(policy, 1);
    const res = await playGroups({
      pool,
      runner,
      state: { policy, params: initParams(policy.model, 0), version: 3 },
      groups: [
        { task: 'B', seed: 11 },
        { task: 'A', seed: 22 },
      ],
      groupSize: 4,
      temperature: 1.6,
      random: rng(1),
    });
    await runner.release();
    // the envs already held the right tasks: no model rebuilds
    expect(pool.setTaskCalls).toBe(0);
    const [b, a] = res.groups;
    expect(b?.rollouts.map((r) => r.reward)).toEqual([1, 1, 1, 1]);
    expect(b?.rollouts.every((r) => r.finishStep === 1 && r.decisions.length === 1 && r.seed === 11)).toBe(
      true,
    );
    expect(a?.rollouts.map((r) => r.reward)).toEqual([1, 0, 1, 0]);
    expect(a?.rollouts.map((r) => r.finishStep)).toEqual([5, 20, 5, 20]);
    // 5 steps with chunks of 4 -> 2 decisions; only the first 5 steps' tokens are valid
    expect(a?.rollouts[0]?.decisions).toHaveLength(2);
    expect(Array.from(rolloutMask(policy, a!.rollouts[0]!)).filter(Boolean)).toHaveLength(5 * 6);
    expect(a?.rollouts[1]?.decisions).toHaveLength(5);
    expect(pool.resets.filter((r) => r.env < 4).every((r) => r.seed === 22)).toBe(true);
    const d = a!.rollouts[1]!.decisions[0]!;
    expect(d.tokens).toHaveLength(24);
    expect(Array.from(d.behaviourLogp).every((v) => v < 0 && v > -10)).toBe(true);
    expect(d.inputs.state?.shape).toEqual([6]);
    expect(a?.rollouts[0]?.policyVersion).toBe(3);
    // nothing kept: only the observations the policy sees are rendered
    expect([...pool.imageModes]).toEqual(['last']);
  });

  it('starts a group after a replayed prefix, whose steps count against the step limit and the clock', async () => {
    const pool = new FakePool(['A', 'A', 'A', 'A'], () => -1);
    const { policy: watched, clocks } = watchClocks(policy);
    const runner = new PolicyRunner(watched, 1);
    const prefix = Array.from({ length: 14 }, () => [0, 0, 0, 0, 0, 50]);
    const res = await playGroups({
      pool,
      runner,
      state: { policy: watched, params: initParams(policy.model, 0), version: 0 },
      groups: [{ task: 'A', seed: 5, prefix }],
      groupSize: 4,
      temperature: 1,
      random: rng(2),
    });
    await runner.release();
    expect(pool.resets).toEqual([0, 1, 2, 3].map((env) => ({ env, seed: 5, prefix: 14 })));
    const g = res.groups[0]!;
    expect(g.id).toMatch(/-A-5@14$/);
    // 20 steps in all: 14 replayed, 6 left for the policy (chunks of 4 -> 2 decisions)
    expect(g.rollouts.map((r) => [r.finishStep, r.decisions.length])).toEqual(Array(4).fill([6, 2]));
    // the policy's clock counts the replayed steps: decisions at steps 14 and 18 of the episode
    expect(clocks.sort((x, y) => x! - y!)).toEqual([...Array(4).fill(14), ...Array(4).fill(18)]);
  });

  it("ends a group at its own step limit, below the task's", async () => {
    const pool = new FakePool(['A', 'A', 'A', 'A', 'A', 'A', 'A', 'A'], () => -1);
    const runner = new PolicyRunner(policy, 1);
    const res = await playGroups({
      pool,
      runner,
      state: { policy, params: initParams(policy.model, 0), version: 0 },
      groups: [
        { task: 'A', seed: 1, maxSteps: 9 },
        { task: 'A', seed: 2 },
      ],
      groupSize: 4,
      temperature: 1,
      random: rng(3),
    });
    await runner.release();
    expect(res.groups.map((g) => g.rollouts.map((r) => r.finishStep))).toEqual([
      Array(4).fill(9),
      Array(4).fill(20),
    ]);
  });

  it('starts the next queued rollout on an env as soon as its episode ends', async () => {
    // env 0 succeeds in its first chunk every time; env 1 never does and runs 20 steps (5 chunks)
    const pool = new FakePool(['A', 'A'], (_t, _s, i) => (i === 0 ? 4 : -1));
    const res = await playOn(pool, {
      groups: [1, 2, 3].map((seed) => ({ task: 'A', seed })),
      groupSize: 2,
      temperature: 1,
      random: rng(4),
    });
    expect(res.groups.map((g) => g.rollouts.map((r) => r.reward))).toEqual([
      [1, 0],
      [1, 1],
      [1, 1],
    ]);
    // env 0 plays the five short rollouts while env 1 is still in its long one
    expect(pool.resets.map((r) => `${r.env}:${r.seed}`).sort()).toEqual([
      '0:1',
      '0:2',
      '0:2',
      '0:3',
      '0:3',
      '1:1',
    ]);
    expect(pool.log.lastIndexOf('reset 0:3')).toBeLessThan(pool.log.lastIndexOf('step 1'));
  });

  it('stops both lanes when an env fails, and rejects with its error', async () => {
    const pool = new FakePool(['A', 'A', 'A', 'A'], () => -1);
    const step = pool.stepChunk.bind(pool);
    pool.stepChunk = async (actions, indices, limits, images) => {
      if (indices.includes(0) && pool.log.filter((l) => l.startsWith('step')).length > 2)
        throw new Error('env 0 worker crashed');
      return step(actions, indices, limits, images);
    };
    await expect(
      playOn(pool, {
        groups: [1, 2].map((seed) => ({ task: 'A', seed })),
        groupSize: 4,
        temperature: 1,
        random: rng(5),
      }),
    ).rejects.toThrow(/env 0 worker crashed/);
    const seen = pool.log.length;
    await new Promise((r) => setTimeout(r, 20));
    expect(pool.log.length).toBe(seen);
  });

  it('draws the same tokens for a rollout however the envs are scheduled', async () => {
    const play = async (envs: number) => {
      const res = await playOn(new FakePool(Array(envs).fill('A'), () => -1), {
        groups: [1, 2, 3].map((seed) => ({ task: 'A', seed })),
        groupSize: 2,
        temperature: 1.6,
        random: rng(9),
      });
      return res.groups.map((g) =>
        g.rollouts.map((r) => r.decisions.map((d) => Array.from(d.tokens).join())),
      );
    };
    const [two, six] = [await play(2), await play(6)];
    expect(six).toEqual(two);
    // rollouts of a group sample differently
    expect(two[0]?.[0]).not.toEqual(two[0]?.[1]);
  });

  it('decodes the first greedyPerGroup rollouts of each group greedily, with log-probs at the temperature', async () => {
    const tokensOf = (r: Rollout) => r.decisions.map((d) => Array.from(d.tokens).join());
    const logpOf = (r: Rollout) => r.decisions.flatMap((d) => Array.from(d.behaviourLogp));
    const maxGap = (a: number[], b: number[]) => Math.max(...a.map((x, i) => Math.abs(x - (b[i] as number))));
    const groups = [1, 2].map((seed) => ({ task: 'A', seed }));
    const evaluation = await playOn(new FakePool(['A'], () => -1), { groups, groupSize: 1, temperature: 0 });
    const greedy = evaluation.groups[0]?.rollouts[0] as Rollout;
    for (const temperature of [1, 1.6]) {
      const res = await playOn(new FakePool(Array(4).fill('A'), () => -1), {
        groups,
        groupSize: 3,
        temperature,
        greedyPerGroup: 1,
        random: rng(2),
      });
      for (const g of res.groups) {
        expect(g.rollouts.map((r) => r.greedy ?? false)).toEqual([true, false, false]);
        expect(tokensOf(g.rollouts[0] as Rollout)).toEqual(tokensOf(greedy));
        expect(tokensOf(g.rollouts[1] as Rollout)).not.toEqual(tokensOf(greedy));
      }
      // evaluation reports log-probs at T = 1; the greedy rollout at the group's temperature
      // (batch sizes differ, so the logits agree to float rounding only)
      const gap = maxGap(logpOf(res.groups[0]?.rollouts[0] as Rollout), logpOf(greedy));
      if (temperature === 1) expect(gap).toBeLessThan(1e-5);
      else expect(gap).toBeGreaterThan(1e-3); // near-uniform untrained logits: tempering moves them little
    }
    await expect(
      playOn(new FakePool(['A', 'A'], () => -1), { groups, groupSize: 2, temperature: 1, greedyPerGroup: 2 }),
    ).rejects.toThrow(/greedyPerGroup \(2\) must leave sampled rollouts/);
  });

  it('keeps one frame per executed step, rendering every step only when frame images are wanted', async () => {
    for (const frameImages of [true, false]) {
      const pool = new FakePool(['A', 'A'], (_t, _s, i) => (i === 0 ? 6 : -1));
      const runner = new PolicyRunner(policy, 1);
      const res = await playGroups({
        pool,
        runner,
        state: { policy, params: initParams(policy.model, 0), version: 0 },
        groups: [{ task: 'A', seed: 1 }],
        groupSize: 2,
        temperature: 1,
        maxSteps: 10,
        keepFrames: true,
        frameImages,
        random: rng(2),
      });
      await runner.release();
      expect([...pool.imageModes]).toEqual([frameImages ? 'all' : 'last']);
      const [won, lost] = res.played[0] ?? [];
      expect(won?.frames?.map((f) => f.state[0])).toEqual([0, 1, 2, 3, 4, 5]);
      expect(won?.frames?.map((f) => f.success)).toEqual([false, false, false, false, false, true]);
      expect(lost?.frames).toHaveLength(10);
      // 10 steps in chunks of 4: the last chunk is cut at the step limit
      expect(lost?.rollout.decisions).toHaveLength(3);
      expect(lost?.frames?.every((f) => f.action.length === 6)).toBe(true);
    }
  });

  it('switches env tasks only when no block holds the task, and refuses groups larger than the pool', async () => {
    const pool = new FakePool(['A', 'A', 'A', 'A'], () => 1);
    const runner = new PolicyRunner(policy, 1);
    const state = { policy, params: initParams(policy.model, 0), version: 0 };
    await playGroups({ pool, runner, state, groups: [{ task: 'B', seed: 1 }], groupSize: 4, temperature: 0 });
    expect(pool.setTaskCalls).toBe(4);
    await expect(
      playGroups({ pool, runner, state, groups: [{ task: 'B', seed: 1 }], groupSize: 5, temperature: 0 }),
    ).rejects.toThrow(/needs at least 5 environments/);
    await runner.release();
  });
});
