/**
 * SFT in the simulator: tiny-vla trained on scripted-expert demos of one task, success from the
 * demos' own initial states and from held-out layouts, against the untrained policy and the
 * scripted expert on the same seeds.
 *
 *   npx tsx bench/nn-sft-sim.ts [--task lift_red_cube] [--demos 48] [--steps 3000] [--size 32] [--eval 10]
 */
import { availableParallelism, cpus } from 'node:os';
import { initParams } from '../core/nn/model';
import { evaluatePolicy } from '../core/rl/sft/evaluate';
import { expertDemoSamples } from '../core/rl/sft/sim-demos';
import { trainSft } from '../core/rl/sft/train-sft';
import { createTaskEnv } from '../core/sim/env';
import { expertFor, runExpertEpisode } from '../core/sim/experts/index';
import { TinyVlaPolicy, tinyVla } from '../models/tiny-vla';

const args = process.argv.slice(2);
const opt = (name: string, def: string) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? (args[i + 1] ?? def) : def;
};
const TASK = opt('task', 'lift_red_cube');
const DEMOS = Number(opt('demos', '48'));
const STEPS = Number(opt('steps', '3000'));
const SIZE = Number(opt('size', '32'));
const EVAL = Number(opt('eval', '10'));

const demoSeeds = [...Array(DEMOS).keys()];
const trainEval = demoSeeds.slice(0, Math.min(EVAL, DEMOS));
const heldOut = [...Array(EVAL).keys()].map((k) => 10_000 + k);

const t0 = performance.now();
const demos = await expertDemoSamples(TASK, demoSeeds, { imageSize: SIZE });
const tDemos = (performance.now() - t0) / 1000;
const t1 = performance.now();
const res = await trainSft({
  samples: demos.samples,
  steps: STEPS,
  batchSize: 32,
  lr: 2e-3,
  valFraction: 0.05,
  evalEvery: STEPS,
});
const tTrain = (performance.now() - t1) / 1000;

async function expertSuccess(seeds: number[]): Promise<number> {
  const env = await createTaskEnv({ task: TASK, cameras: false });
  let ok = 0;
  for (const s of seeds) if (runExpertEpisode(env, s, expertFor(TASK)).success) ok++;
  env.close();
  return ok;
}
const trained = await TinyVlaPolicy.fromParams(res.config, res.params);
const untrained = await TinyVlaPolicy.fromParams(res.config, initParams(tinyVla(res.config), 0));
const ev = async (p: TinyVlaPolicy, seeds: number[]) =>
  (await evaluatePolicy(p, [TASK], seeds))[TASK]?.successes ?? 0;
const rows: [string, number, number][] = [
  ['scripted expert (baseline)', await expertSuccess(trainEval), await expertSuccess(heldOut)],
  ['tiny-vla untrained', await ev(untrained, trainEval), await ev(untrained, heldOut)],
  [`tiny-vla after SFT (${STEPS} steps)`, await ev(trained, trainEval), await ev(trained, heldOut)],
];
const exp = rows[0] as [string, number, number];
console.log(
  [
    `${TASK}: ${demos.episodes} demos (${demos.samples.length} samples, ${SIZE}x${SIZE} cameras) collected in ${tDemos.toFixed(0)} s; SFT ${STEPS} steps x batch 32 in ${tTrain.toFixed(0)} s (${cpus()[0]?.model ?? 'cpu'}, ${availableParallelism()} threads); final train loss ${res.finalLoss.toFixed(3)}, val loss ${res.finalValLoss.toFixed(3)}; greedy decoding, 8-step chunks open-loop`,
    '',
    `| policy | demo initial states (${trainEval.length}) | held-out layouts (${heldOut.length}) | held-out vs expert |`,
    '|---|---:|---:|---:|',
    ...rows.map(
      ([name, a, b]) => `| ${name} | ${a} | ${b} | ${exp[2] ? ((b / exp[2]) * 100).toFixed(0) : '-'}% |`,
    ),
  ].join('\n'),
);
await Promise.all([trained.release(), untrained.release()]);
