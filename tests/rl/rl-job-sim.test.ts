import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rng } from '../../core/nn/model';
import { LocalEnvPool } from '../../core/rl/local-pool';
import { behaviourClone } from '../../core/rl/policies/behaviour-cloning';
import { stateMlpPolicy } from '../../core/rl/policies/state-mlp';
import type { PolicyState, TokenPolicy } from '../../core/rl/policy';
import { PolicyRunner } from '../../core/rl/policy-runner';
import { paramsFromCheckpoint } from '../../core/rl/policy-spec';
import { bestCheckpoint, latestCheckpoint, type RlEvent, runRlJob } from '../../core/rl/rl-job';
import { playGroups } from '../../core/rl/sim-rollouts';
import { createTaskEnv } from '../../core/sim/env';
import { runExpertEpisode } from '../../core/sim/experts';

// The easiest task, one initial state (seed 0), a state-only policy warm-started by a few steps of
// behaviour cloning on ONE expert demo: it succeeds rarely at temperature 1.6, and GRPO must raise that.
const TASK = 'press_button';
const dirs: string[] = [];
let pool: LocalEnvPool;
let policy: TokenPolicy;
let sft: Map<string, Float32Array>;
/** The policy after this many steps of behaviour cloning on the one demo. */
let cloned: (steps: number) => Promise<Map<string, Float32Array>>;
const BC_STEPS_STRONG = 65;

beforeAll(async () => {
  const env = await createTaskEnv({ task: TASK, cameras: false });
  const demo = runExpertEpisode(env, 0);
  env.close();
  const actions = demo.frames.map((f) => f.action);
  const lo = [0, 1, 2, 3, 4, 5].map((k) => Math.min(...actions.map((a) => a[k] as number)) - 10);
  const hi = [0, 1, 2, 3, 4, 5].map((k) => Math.max(...actions.map((a) => a[k] as number)) + 10);
  policy = stateMlpPolicy({
    instructions: [env.instruction],
    actionLow: lo,
    actionHigh: hi,
    bins: 64,
    hidden: 64,
  });
  cloned = (steps) =>
    behaviourClone(
      policy,
      [{ instruction: env.instruction, observations: demo.frames.map((f) => f.obs), actions }],
      { steps, actionLow: lo, actionHigh: hi, lr: 1e-3, threads: 1 },
    );
  sft = await cloned(50);
  pool = await LocalEnvPool.create({ tasks: Array(8).fill(TASK) });
}, 60_000);

afterAll(async () => {
  await pool?.close();
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

const tempDir = () => {
  const d = mkdtempSync(join(tmpdir(), 'pushcut-rl-'));
  dirs.push(d);
  return d;
};

const EVAL_SEEDS = [0, 1, 2, 3, 4, 5, 6, 7];

/** Success rate of `params` on TASK: greedy once per seed, or sampled in groups of 8 at T = 1.6. */
async function successRate(params: Map<string, Float32Array>, mode: 'greedy' | 'sampled'): Promise<number> {
  const runner = new PolicyRunner(policy, 1);
  const state: PolicyState = { policy, params, version: 0 };
  const res = await playGroups({
    pool,
    runner,
    state,
    ...(mode === 'greedy'
      ? { groups: EVAL_SEEDS.map((seed) => ({ task: TASK, seed })), groupSize: 1, temperature: 0 }
      : {
          groups: [0, 0, 0, 0].map((seed) => ({ task: TASK, seed })),
          groupSize: 8,
          temperature: 1.6,
          random: rng(99),
        }),
  });
  await runner.release();
  const all = res.played.flat();
  return all.filter((p) => p.success).length / all.length;
}
const sampledSuccess = (params: Map<string, Float32Array>) => successRate(params, 'sampled');

const jobConfig = (runDir: string, updates: number) => ({
  runDir,
  tasks: [TASK],
  policy,
  initialParams: sft,
  pool,
  updates,
  groupSize: 8,
  groupsPerBatch: 2,
  maxGroupsPerBatch: 8,
  seedRange: 1,
  seed: 7,
  update: { lr: 5e-3, epochs: 2, rowsPerStep: 32, threads: 1 },
});

describe('RL job in the simulator', () => {
  it('raises the success rate of a weak SFT policy, logs metrics and checkpoints every update', async () => {
    const runDir = tempDir();
    const events: RlEvent[] = [];
    const before = await sampledSuccess(sft);
    const res = await runRlJob({ ...jobConfig(runDir, 12), onEvent: (e) => events.push(e) });
    const after = await sampledSuccess(res.params);
    console.log(`press_button sampled success (T=1.6, 32 rollouts): ${before} -> ${after}`);
    expect(res.reason).toBe('completed');
    expect(res.policyVersion).toBe(12);
    expect(after).toBeGreaterThanOrEqual(before + 0.15);

    const updates = events.filter((e) => e.type === 'update');
    expect(updates).toHaveLength(12);
    const u = updates[0] as Extract<RlEvent, { type: 'update' }>;
    expect(u.groupsKept).toBeGreaterThan(0);
    expect(u.metrics?.entropy).toBeGreaterThan(0);
    expect(u.metrics?.steps).toBeGreaterThan(0);
    expect(u.successByTask[TASK]).toBeGreaterThanOrEqual(0);
    expect(u.times.rolloutMs).toBeGreaterThan(0);
    const lines = readFileSync(join(runDir, 'metrics.jsonl'), 'utf8').trim().split('\n');
    expect(lines.map((l) => JSON.parse(l).type)).toContain('update');
    expect(existsSync(latestCheckpoint(runDir))).toBe(true);
  }, 150_000);

  it('evaluates greedily as it trains and keeps the weights of the best evaluation', async () => {
    const runDir = tempDir();
    const events: RlEvent[] = [];
    // a policy that succeeds greedily on one of the 8 layouts; large steps (lr 5e-3) move that
    const res = await runRlJob({
      ...jobConfig(runDir, 8),
      initialParams: await cloned(BC_STEPS_STRONG),
      evalSeeds: EVAL_SEEDS,
      evalEvery: 2,
      onEvent: (e) => events.push(e),
    });

    // greedy evaluations before the first update and every 2: each one that ties or beats all
    // before it is the best, and best.ckpt holds its weights
    const evals = events.filter((e) => e.type === 'eval');
    console.log(
      `greedy success at updates 0, 2, 4, 6, 8: ${evals.map((e) => e.average.toFixed(2)).join(', ')}`,
    );
    expect(evals.map((e) => e.policyVersion)).toEqual([0, 2, 4, 6, 8]);
    evals.forEach((e, i) => {
      const record = Math.max(...evals.slice(0, i).map((x) => x.average));
      expect(e.best).toBe(e.average >= record);
    });
    const best = evals.filter((e) => e.best).at(-1);
    expect(res.best).toEqual({
      policyVersion: best?.policyVersion,
      average: best?.average,
      successByTask: best?.successByTask,
    });
    const bestParams = paramsFromCheckpoint(policy.model, bestCheckpoint(runDir));
    expect(await successRate(bestParams, 'greedy')).toBe(res.best?.successByTask[TASK]);
  }, 150_000);

  it('with overlap, trains in a worker while the next batch is collected, and still learns and resumes', async () => {
    const runDir = tempDir();
    const events: RlEvent[] = [];
    const before = await sampledSuccess(sft);
    // one pass per batch: with two, this job's large steps (lr 5e-3) push the ratios against the
    // one-update-old behaviour weights out of the clip range often enough to halve what it learns
    const config = { ...jobConfig(runDir, 16), overlap: true };
    config.update = { ...config.update, epochs: 1 };
    const res = await runRlJob({ ...config, onEvent: (e) => events.push(e) });
    const after = await sampledSuccess(res.params);
    console.log(`press_button sampled success with overlap (T=1.6, 32 rollouts): ${before} -> ${after}`);
    expect(res.reason).toBe('completed');
    expect(after).toBeGreaterThanOrEqual(before + 0.15);
    const updates = events.filter((e) => e.type === 'update');
    expect(updates.map((u) => u.update)).toEqual(Array.from({ length: 16 }, (_, i) => i + 1));
    for (const u of updates) expect(u.times.updateMs).toBeGreaterThan(0);

    const resumed = await runRlJob({ ...config, updates: 17 });
    expect(resumed.policyVersion).toBe(17);
    expect(resumed.params.get('w3')).not.toEqual(res.params.get('w3'));
  }, 150_000);

  it('resumes from the last checkpoint and stops on cancel', async () => {
    const runDir = tempDir();
    // the first update also plays one greedy rollout per group and reports its success apart
    const firstEvents: RlEvent[] = [];
    const first = await runRlJob({
      ...jobConfig(runDir, 1),
      greedyPerGroup: 1,
      evalSeeds: [0],
      evalEvery: 1,
      weightAverage: 0.5,
      onEvent: (e) => firstEvents.push(e),
    });
    expect(first.policyVersion).toBe(1);
    expect(first.best?.policyVersion).toBeGreaterThanOrEqual(0);
    const greedyUpdate = firstEvents.find((e) => e.type === 'update');
    expect(greedyUpdate?.greedySuccessByTask?.[TASK]).toBeGreaterThanOrEqual(0);
    expect(greedyUpdate?.successByTask[TASK]).toBeGreaterThanOrEqual(0);
    const events: RlEvent[] = [];
    const resumed = await runRlJob({
      ...jobConfig(runDir, 2),
      weightAverage: 0.5,
      onEvent: (e) => events.push(e),
    });
    expect(events[0]).toMatchObject({ type: 'started', resumedFrom: 1, policyVersion: 1 });
    expect(events.find((e) => e.type === 'update')?.greedySuccessByTask).toBeUndefined();
    expect(resumed.policyVersion).toBe(2);
    // the best evaluation so far survives the restart (this leg evaluates nothing)
    expect(resumed.best).toEqual(first.best);
    // the resumed run continued from the saved weights, not from the SFT weights
    expect(resumed.params.get('w3')).not.toEqual(sft.get('w3'));
    // the weight average: half SFT, half update 1; then half that, half update 2 (restored from disk)
    const mid = (a?: Float32Array, b?: Float32Array) => a?.map((x, i) => (x + (b?.[i] ?? Number.NaN)) / 2);
    const w3 = (p?: Map<string, Float32Array>) => p?.get('w3');
    expect(w3(first.averageParams)).toEqual(mid(w3(sft), w3(first.params)));
    expect(w3(resumed.averageParams)).toEqual(mid(w3(first.averageParams), w3(resumed.params)));

    const abort = new AbortController();
    const cancelled = await runRlJob({
      ...jobConfig(tempDir(), 5),
      signal: abort.signal,
      onEvent: (e) => {
        if (e.type === 'started') abort.abort();
      },
    });
    expect(cancelled.reason).toBe('cancelled');
    expect(cancelled.policyVersion).toBe(0);
  }, 60_000);
});
