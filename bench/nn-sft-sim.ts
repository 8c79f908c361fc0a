/**
 * SFT in the simulator: tiny-vla trained on scripted-expert demos of one or more tasks (one policy
 * for all of them), greedy success per task from the demos' own initial states and from held-out
 * layouts, against the untrained policy and the scripted expert on the same seeds.
 *
 *   npx tsx bench/nn-sft-sim.ts [--tasks lift_red_cube,press_button | all] [--demos 200] [--steps 4000]
 *     [--size 32] [--eval 20] [--encoder keypoints|flat] [--state] [--sigma 2] [--noise 2]
 *     [--execute 8 (chunk steps run before observing again)] [--lr 2e-3] [--demo-eval 5] [--batch 32]
 *     [--demos-for both_cubes_in_bowl=200,stack_red_on_blue=150 (per-task demo counts)]
 *     [--width 128,64,256,128 (camera embedding, text, fused context, head hidden)]
 */
import { availableParallelism, cpus } from 'node:os';
import { initParams } from '../core/nn/model';
import { evaluatePolicy } from '../core/rl/sft/evaluate';
import { expertDemoSamples } from '../core/rl/sft/sim-demos';
import { trainSft } from '../core/rl/sft/train-sft';
import { createTaskEnv } from '../core/sim/env';
import { expertFor, runExpertEpisode } from '../core/sim/experts/index';
import { TASKS } from '../core/sim/tasks/suite';
import { defaultTinyVlaConfig, TinyVlaPolicy, tinyVla } from '../models/tiny-vla';

const args = process.argv.slice(2);
const opt = (name: string, def: string) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? (args[i + 1] ?? def) : def;
};
const tasksArg = opt('tasks', opt('task', 'lift_red_cube'));
const TASKS_RUN = tasksArg === 'all' ? TASKS.map((t) => t.id) : tasksArg.split(',');
const DEMOS = Number(opt('demos', '200'));
const STEPS = Number(opt('steps', '4000'));
const SIZE = Number(opt('size', '32'));
const EVAL = Number(opt('eval', '20'));
const ENCODER = opt('encoder', 'keypoints') as 'flat' | 'keypoints';
const STATE = args.includes('--state');
const SIGMA = Number(opt('sigma', '2'));
const NOISE = Number(opt('noise', '2'));
const EXECUTE = Number(opt('execute', '8'));
const LR = Number(opt('lr', '2e-3'));
const BATCH = Number(opt('batch', '32'));
const WIDTH = opt('width', '');
const w0 = defaultTinyVlaConfig().width;
const [image = w0.image, text = w0.text, context = w0.context, head = w0.head] = WIDTH.split(',')
  .filter(Boolean)
  .map(Number);
const width = WIDTH ? { image, text, context, head } : undefined;
const demosFor = new Map(
  opt('demos-for', '')
    .split(',')
    .filter(Boolean)
    .map((kv) => kv.split('='))
    .map(([task, n]) => [task!, Number(n)] as const),
);

const demoSeeds = [...Array(DEMOS).keys()];
const trainEval = demoSeeds.slice(0, Math.min(Number(opt('demo-eval', '5')), DEMOS));
const heldOut = [...Array(EVAL).keys()].map((k) => 10_000 + k);

const t0 = performance.now();
const samples = [];
for (const task of TASKS_RUN) {
  const seeds = [...Array(demosFor.get(task) ?? DEMOS).keys()];
  const d = await expertDemoSamples(task, seeds, { imageSize: SIZE, actionNoise: NOISE });
  samples.push(...d.samples);
}
const tDemos = (performance.now() - t0) / 1000;
const t1 = performance.now();
let lastLog = 0;
const res = await trainSft({
  samples,
  steps: STEPS,
  batchSize: BATCH,
  lr: LR,
  valFraction: 0.05,
  evalEvery: STEPS,
  policyConfig: { encoder: ENCODER, stateInput: STATE, ...(width ? { width } : {}) },
  labelSigma: SIGMA,
  onProgress: (p) => {
    if (performance.now() - lastLog > 60_000) {
      lastLog = performance.now();
      console.error(`step ${p.step}/${p.totalSteps} loss ${p.loss.toFixed(3)} eta ${p.etaSec.toFixed(0)} s`);
    }
  },
});
const tTrain = (performance.now() - t1) / 1000;

async function expertSuccess(task: string, seeds: number[]): Promise<number> {
  const env = await createTaskEnv({ task, cameras: false });
  let ok = 0;
  for (const s of seeds) if (runExpertEpisode(env, s, expertFor(task)).success) ok++;
  env.close();
  return ok;
}
const trained = await TinyVlaPolicy.fromParams(res.config, res.params);
const untrained = await TinyVlaPolicy.fromParams(res.config, initParams(tinyVla(res.config), 0));
const ev = async (p: TinyVlaPolicy, task: string, seeds: number[]) =>
  (await evaluatePolicy(p, [task], seeds, { executeSteps: EXECUTE }))[task]?.successes ?? 0;

const rows: string[] = [];
let sumTrained = 0;
let sumUntrained = 0;
for (const task of TASKS_RUN) {
  const e = [await expertSuccess(task, trainEval), await expertSuccess(task, heldOut)];
  const u = [await ev(untrained, task, trainEval), await ev(untrained, task, heldOut)];
  const s = [await ev(trained, task, trainEval), await ev(trained, task, heldOut)];
  sumTrained += (s[1] as number) / heldOut.length;
  sumUntrained += (u[1] as number) / heldOut.length;
  rows.push(`| ${task} | ${e.join(' / ')} | ${u.join(' / ')} | ${s.join(' / ')} |`);
}
const pct = (v: number) => `${((v / TASKS_RUN.length) * 100).toFixed(0)}%`;
console.log(
  [
    `${TASKS_RUN.length} task(s), ${DEMOS} demos each${demosFor.size ? ` (${[...demosFor].map(([t, n]) => `${t} ${n}`).join(', ')})` : ''} (${samples.length} samples, ${SIZE}x${SIZE} cameras, DART noise ${NOISE} deg) collected in ${tDemos.toFixed(0)} s`,
    `SFT ${STEPS} steps x batch ${BATCH} in ${tTrain.toFixed(0)} s (${cpus()[0]?.model ?? 'cpu'}, ${availableParallelism()} threads); ${ENCODER} encoder${WIDTH ? ` (widths ${WIDTH})` : ''}, joint state ${STATE ? 'in' : 'not'} input, label sigma ${SIGMA} bins; final train loss ${res.finalLoss.toFixed(3)}, val loss ${res.finalValLoss.toFixed(3)}`,
    `greedy decoding, ${EXECUTE} of ${res.config.chunk} chunk steps run open-loop; cells are successes on demo initial states (${trainEval.length}) / held-out layouts (${heldOut.length})`,
    '',
    '| task | scripted expert (baseline) | tiny-vla untrained | tiny-vla after SFT |',
    '|---|---:|---:|---:|',
    ...rows,
    `| **average on held-out layouts** | 100% | ${pct(sumUntrained)} | **${pct(sumTrained)}** |`,
  ].join('\n'),
);
await Promise.all([trained.release(), untrained.release()]);
