/**
 * Small RL benchmark that fits a loaded 2-core machine: a state-only MLP token policy cloned for a
 * few steps from ONE expert demo of press_button (seed 0), then GRPO from the same initial state.
 * Baseline (same run): the cloned policy before RL. Reports success at the rollout temperature
 * (1.6) and greedy, over 32 / 8 rollouts from seed 0, and wall clock per phase.
 *
 *   npx tsx bench/rl-small.ts [--updates 12] [--task press_button]
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { rng } from '../core/nn/model';
import { LocalEnvPool } from '../core/rl/local-pool';
import { behaviourClone } from '../core/rl/policies/behaviour-cloning';
import { stateMlpPolicy } from '../core/rl/policies/state-mlp';
import { PolicyRunner } from '../core/rl/policy-runner';
import { runRlJob } from '../core/rl/rl-job';
import { playGroups } from '../core/rl/sim-rollouts';
import { createTaskEnv } from '../core/sim/env';
import { runExpertEpisode } from '../core/sim/experts';

const { values: args } = parseArgs({
  options: { updates: { type: 'string', default: '12' }, task: { type: 'string', default: 'press_button' } },
});
const task = args.task as string;
const t0 = performance.now();
const env = await createTaskEnv({ task, cameras: false });
const demo = runExpertEpisode(env, 0);
env.close();
const actions = demo.frames.map((f) => f.action);
const lo = [0, 1, 2, 3, 4, 5].map((k) => Math.min(...actions.map((a) => a[k] as number)) - 10);
const hi = [0, 1, 2, 3, 4, 5].map((k) => Math.max(...actions.map((a) => a[k] as number)) + 10);
const policy = stateMlpPolicy({
  instructions: [env.instruction],
  actionLow: lo,
  actionHigh: hi,
  bins: 64,
  hidden: 64,
});
const sft = await behaviourClone(
  policy,
  [{ instruction: env.instruction, observations: demo.frames.map((f) => f.obs), actions }],
  { steps: 50, actionLow: lo, actionHigh: hi, lr: 1e-3, threads: 1 },
);
const tSft = performance.now();
const pool = await LocalEnvPool.create({ tasks: Array(8).fill(task) });

async function success(
  params: Map<string, Float32Array>,
  temperature: number,
  groups: number,
): Promise<number> {
  const runner = new PolicyRunner(policy, 1);
  const res = await playGroups({
    pool,
    runner,
    state: { policy, params, version: 0 },
    groups: Array.from({ length: groups }, () => ({ task, seed: 0 })),
    groupSize: 8,
    temperature,
    random: rng(99),
  });
  await runner.release();
  const all = res.played.flat();
  return all.filter((p) => p.success).length / all.length;
}

const before = { sampled: await success(sft, 1.6, 4), greedy: await success(sft, 0, 1) };
const runDir = mkdtempSync(join(tmpdir(), 'pushcut-rl-small-'));
const tRl0 = performance.now();
let kept = 0;
let dropped = 0;
const rl = await runRlJob({
  runDir,
  tasks: [task],
  policy,
  initialParams: sft,
  pool,
  updates: Number(args.updates),
  groupSize: 8,
  groupsPerBatch: 2,
  maxGroupsPerBatch: 8,
  seedRange: 1,
  seed: 7,
  update: { lr: 5e-3, epochs: 2, rowsPerStep: 32, threads: 1 },
  onEvent: (e) => {
    if (e.type === 'update') {
      kept += e.groupsKept;
      dropped += e.groupsDropped;
    }
  },
});
const tRl = performance.now();
const after = { sampled: await success(rl.params, 1.6, 4), greedy: await success(rl.params, 0, 1) };
await pool.close();
rmSync(runDir, { recursive: true, force: true });

const pct = (v: number) => `${(v * 100).toFixed(0)}%`;
console.log(
  `\n${task}, seed 0, state-only MLP (64 bins, chunk 8), BC on 1 demo, then ${rl.policyVersion} GRPO updates\n`,
);
console.log('| success from seed 0 | BC baseline | + GRPO | change |');
console.log('|---|---|---|---|');
console.log(
  `| sampled, T = 1.6 (32 rollouts) | ${pct(before.sampled)} | ${pct(after.sampled)} | ${after.sampled >= before.sampled ? '+' : ''}${((after.sampled - before.sampled) * 100).toFixed(0)} pts |`,
);
console.log(
  `| greedy (8 rollouts) | ${pct(before.greedy)} | ${pct(after.greedy)} | ${after.greedy >= before.greedy ? '+' : ''}${((after.greedy - before.greedy) * 100).toFixed(0)} pts |`,
);
console.log(
  `\nGroups kept/dropped by dynamic sampling: ${kept}/${dropped}. Wall clock: BC ${((tSft - t0) / 1000).toFixed(1)} s, RL ${((tRl - tRl0) / 1000).toFixed(1)} s (${((tRl - tRl0) / 1000 / Math.max(1, rl.policyVersion)).toFixed(1)} s/update), total ${((performance.now() - t0) / 1000).toFixed(1)} s`,
);
