/**
 * Headline experiment (issue 6): SFT tiny-vla on ONE scripted demonstration per task, then GRPO
 * with binary rewards in the simulator. Prints greedy success per task before (SFT) and after RL,
 * with each greedy decoding (median bin, the app's default, and argmax, SimpleVLA-RL's), and
 * wall-clock time of each phase.
 *
 *   npx tsx bench/rl-headline.ts [--tasks a,b] [--image 32] [--sft-steps 400] [--updates 40]
 *                                [--budget-min 30] [--eval-seeds 20] [--envs 8] [--groups 4]
 *                                [--lr 1e-4] [--epochs 1] [--max-stalled 1000] [--temperature 1.6] [--sigma 0]
 *                                [--states 10] [--spread 0.025] [--sft-lr 1e-3]
 *                                [--state-sampling uniform|informative] [--rl-seed 1]
 *                                [--base-demos 100 --base-steps 8000 --base-cache bench/out/base]
 *                                [--base-tasks lift_blue_cube,...] [--text mean|positional] [--clock]
 *                                [--demo-starts 0.5] [--demo-stride 8] [--demo-anchor 0.25]
 *                                [--rl-steps-per-demo 2] [--loss-agg rollout-mean|token-mean] [--overlap]
 *                                [--greedy-rollouts 1] [--eval-every 20] [--weight-average 0.95]
 *
 * `--states K` follows LIBERO's protocol as SimpleVLA-RL runs it: each task has a fixed bank of K
 * initial states (seeds 0..K-1; the demo is seed 0), RL samples its groups from that bank and the
 * headline success is greedy success on the bank. Unseen layouts (seeds 10000+) are reported too.
 * Without it, RL draws layouts from the whole distribution and only unseen layouts are scored.
 * `--state-sampling informative` draws bank states by how informative their recent groups were
 * (core/rl/grpo/state-sampler.ts) instead of uniformly.
 * `--spread M` places objects LIBERO-style, within ±M metres of a fixed scene (TaskEnvOptions.layoutSpread)
 * instead of anywhere in the workspace; LIBERO's object regions are 2-5 cm boxes.
 * `--base-demos N` first pretrains a base policy on N scripted demos of each task outside the suite
 * (BASE_TASKS, or the ids `--base-tasks` lists), anywhere in the workspace, and the one-demo SFT starts from
 * it, as SimpleVLA-RL's one-trajectory SFT starts from OpenVLA-OFT pretrained on Open X-Embodiment.
 * `--demo-starts SHARE` runs a reverse curriculum from the same one demo per task: SHARE of a task's
 * groups start partway through its demo, moving back `--demo-stride` steps each time the policy
 * succeeds from there in half its rollouts (core/rl/grpo/demo-starts.ts).
 * `--demo-anchor W` adds a behaviour-cloning term on the same one demo per task to every GRPO
 * update, weighted W against the rollouts' loss (core/rl/grpo/demo-anchor.ts).
 * `--rl-steps-per-demo F` limits each task's training rollouts to F times its demo's length (never
 * above the task's own limit), so all-fail groups end sooner; evaluation keeps the task's limit.
 * `--loss-agg token-mean` averages the GRPO loss over every valid token of the batch instead of
 * over each rollout's tokens, then over rollouts (core/rl/grpo/batch.ts).
 * `--overlap` trains in a worker thread while the next batch is collected (RlJobConfig.overlap).
 * `--greedy-rollouts N` decodes N rollouts of each group greedily (RlJobConfig.greedyPerGroup).
 * `--eval-every N` (with `--states`) evaluates greedily on the bank every N updates, inside the time
 * budget, and also scores the best of those checkpoints (RlJobResult.best), as the app exports it.
 * `--weight-average D` keeps an exponential moving average of the weights (RlJobConfig.weightAverage),
 * which the periodic evaluation and the best checkpoint then use, and scores it after the last update.
 * `--base-cache DIR` keeps that base (latest.ckpt, config.json, recipe.json) and reuses it on the next
 * run with the same base tasks, demos, steps, image size and instruction encoder.
 */
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { recordExpertDemos } from '../core/api/jobs/expert-demos';
import { episodesOf } from '../core/api/pushcut-analysis';
import { openDataset, RecordingSession } from '../core/data';
import { SO101_JOINTS } from '../core/hardware/robot';
import { GREEDY_DECODINGS, type GreedyDecoding } from '../core/nn/token-sampling';
import { LOSS_AGGREGATIONS } from '../core/rl/grpo/batch';
import type { Demo } from '../core/rl/grpo/demo-starts';
import type { StateSampling } from '../core/rl/grpo/state-sampler';
import { tinyVlaAnchorDecisions, tinyVlaTokenPolicy } from '../core/rl/policies/tiny-vla';
import { PolicyRunner } from '../core/rl/policy-runner';
import { paramsFromCheckpoint } from '../core/rl/policy-spec';
import { analyzeEpisodes } from '../core/rl/pushcut';
import { DatasetRolloutRecorder } from '../core/rl/recorder';
import { bestCheckpoint, runRlJob } from '../core/rl/rl-job';
import type { SftSample } from '../core/rl/sft';
import { trainSft } from '../core/rl/sft';
import { expertDemoSamples } from '../core/rl/sft/sim-demos';
import { type EnvPool, playGroups } from '../core/rl/sim-rollouts';
import { listTasks } from '../core/sim/env';
import { BASE_TASKS, getTask } from '../core/sim/tasks/suite';
import { VectorEnv } from '../core/sim/vector/vector-env';
import { INSTRUCTION_ENCODERS, type TinyVlaConfig } from '../models/tiny-vla/config';
import { tinyVla } from '../models/tiny-vla/model';
import { buildVocab } from '../models/tiny-vla/tokenizer';

const { values: args } = parseArgs({
  options: {
    tasks: { type: 'string' },
    image: { type: 'string', default: '32' },
    // 1,500 steps memorise the one demo (400 left the policy failing even on the demo's own layout)
    'sft-steps': { type: 'string', default: '1500' },
    updates: { type: 'string', default: '40' },
    'budget-min': { type: 'string', default: '30' },
    'eval-seeds': { type: 'string', default: '20' },
    envs: { type: 'string', default: '8' },
    groups: { type: 'string', default: '4' },
    lr: { type: 'string', default: '1e-4' },
    // passes over each batch (SimpleVLA-RL: 1); the update is ~15% of an RL step's time here
    epochs: { type: 'string', default: '1' },
    // batches in a row with no informative group before giving up (the time budget stops it anyway)
    'max-stalled': { type: 'string', default: '1000' },
    temperature: { type: 'string', default: '1.6' },
    // SFT label smoothing in bins; one demo trains sharper policies with one-hot targets
    sigma: { type: 'string', default: '0' },
    states: { type: 'string' },
    spread: { type: 'string' },
    'sft-lr': { type: 'string', default: '1e-3' },
    'state-sampling': { type: 'string', default: 'uniform' },
    // seed of RL's random streams (initial states, token sampling, mini-batches), for replicates
    'rl-seed': { type: 'string', default: '1' },
    'base-demos': { type: 'string', default: '0' },
    'base-steps': { type: 'string', default: '8000' },
    'base-cache': { type: 'string' },
    // comma-separated ids out of BASE_TASKS (default: all of them)
    'base-tasks': { type: 'string' },
    // the base's instruction encoder (TinyVlaConfig.text): mean of word embeddings, or positional
    text: { type: 'string', default: 'mean' },
    // feed the episode clock to the policy (TinyVlaConfig.clockInput)
    clock: { type: 'boolean', default: false },
    'demo-starts': { type: 'string', default: '0' },
    'demo-stride': { type: 'string', default: '8' },
    'demo-anchor': { type: 'string', default: '0' },
    'rl-steps-per-demo': { type: 'string', default: '0' },
    'loss-agg': { type: 'string', default: 'rollout-mean' },
    overlap: { type: 'boolean', default: false },
    'greedy-rollouts': { type: 'string', default: '0' },
    'eval-every': { type: 'string', default: '0' },
    'weight-average': { type: 'string' },
  },
});
// refuse a bad choice before minutes of base pretraining, not after
const lossAggregation = oneOf('--loss-agg', args['loss-agg'], LOSS_AGGREGATIONS);
const textEncoder = oneOf('--text', args.text, INSTRUCTION_ENCODERS);
function oneOf<T extends string>(flag: string, value: string | undefined, choices: readonly T[]): T {
  if (!choices.includes(value as T))
    throw new Error(`${flag} must be one of ${choices.join(', ')}, got ${value}`);
  return value as T;
}
const tasks = args.tasks ? args.tasks.split(',') : listTasks().map((t) => t.id);
const side = Number(args.image);
const cameras = { width: side, height: side };
const layoutSpread = args.spread === undefined ? undefined : Number(args.spread);
const unseenSeeds = Array.from({ length: Number(args['eval-seeds']) }, (_, i) => 10_000 + i);
const bank = args.states ? Number(args.states) : 0;
const bankSeeds = Array.from({ length: bank }, (_, i) => i);
if (Number(args['eval-every']) > 0 && !bank)
  throw new Error('--eval-every evaluates on the bank of training states: give --states K too');
const t0 = performance.now();
const secs = (ms: number) => (ms / 1000).toFixed(0);

// 0. optional base policy pretrained on tasks outside the suite
const baseDemos = Number(args['base-demos']);
const baseTasks = args['base-tasks'] ? args['base-tasks'].split(',').map(getTask) : BASE_TASKS;
const base = baseDemos > 0 ? await pretrainBase() : undefined;
const tBase = performance.now();

async function pretrainBase(): Promise<{ config: TinyVlaConfig; params: Map<string, Float32Array> }> {
  const dir = args['base-cache'] ?? mkdtempSync(join(tmpdir(), 'pushcut-rl-headline-base-'));
  const configPath = join(dir, 'config.json');
  // What the cached base was trained on: a cache built for other tasks or sizes is rebuilt, not reused.
  const recipePath = join(dir, 'recipe.json');
  const recipe = JSON.stringify({
    tasks: baseTasks.map((t) => t.id),
    demos: baseDemos,
    steps: Number(args['base-steps']),
    image: side,
    text: textEncoder,
    ...(args.clock ? { clock: true } : {}),
  });
  if (existsSync(configPath) && existsSync(recipePath) && readFileSync(recipePath, 'utf8') === recipe) {
    const config = JSON.parse(readFileSync(configPath, 'utf8')) as TinyVlaConfig;
    console.error(`base policy from ${dir}`);
    return { config, params: paramsFromCheckpoint(tinyVla(config), join(dir, 'latest.ckpt')) };
  }
  if (existsSync(configPath)) console.error(`the base in ${dir} was trained otherwise; pretraining anew`);
  const baseSamples: SftSample[] = [];
  const seeds = Array.from({ length: baseDemos }, (_, i) => 20_000 + i);
  for (const task of baseTasks) {
    baseSamples.push(
      ...(await expertDemoSamples(task.id, seeds, { imageSize: side, actionNoise: 2 })).samples,
    );
  }
  // The vocabulary covers the suite's instructions too, so fine-tuning keeps the same embeddings.
  const words = [...baseTasks.map((t) => t.instruction), ...listTasks().map((t) => t.instruction)];
  let last = 0;
  const res = await trainSft({
    samples: baseSamples,
    steps: Number(args['base-steps']),
    batchSize: 48,
    lr: 2e-3,
    valFraction: 0,
    policyConfig: { vocab: buildVocab(words), text: textEncoder, clockInput: args.clock },
    checkpointDir: dir,
    onProgress: (p) => {
      if (performance.now() - last > 60_000) {
        last = performance.now();
        console.error(
          `base step ${p.step}/${p.totalSteps} loss ${p.loss.toFixed(3)} eta ${p.etaSec.toFixed(0)} s`,
        );
      }
    },
  });
  writeFileSync(configPath, JSON.stringify(res.config));
  writeFileSync(recipePath, recipe);
  return { config: res.config, params: res.params };
}

// 1. one scripted demo per task (seed 0), as SFT samples: observation + the next 8 actions
const samples: SftSample[] = [];
const demos: Record<string, Demo> = {};
for (const task of tasks) {
  const demo = await expertDemoSamples(task, [0], { imageSize: side, layoutSpread });
  if (demo.failed.length) throw new Error(`expert failed on ${task}`);
  samples.push(...demo.samples);
  demos[task] = { seed: 0, actions: demo.samples.map((x) => x.actionChunk[0] as number[]) };
}
const tDemos = performance.now();

function rolloutLimits(perDemo: number): Record<string, number> {
  const limits: Record<string, number> = {};
  for (const t of listTasks().filter((x) => tasks.includes(x.id)))
    limits[t.id] = Math.min(t.maxSteps, Math.ceil(perDemo * (demos[t.id]?.actions.length ?? t.maxSteps)));
  console.error(`training rollout step limits: ${JSON.stringify(limits)}`);
  return limits;
}

// 2. SFT
const sft = await trainSft({
  samples,
  steps: Number(args['sft-steps']),
  batchSize: 32,
  lr: Number(args['sft-lr']),
  valFraction: 0,
  labelSigma: Number(args.sigma),
  ...(base
    ? { policyConfig: base.config, initialParams: base.params }
    : { policyConfig: { clockInput: args.clock } }),
});
const tSft = performance.now();
const policy = tinyVlaTokenPolicy(sft.config);
const pool = await VectorEnv.create({
  envs: { task: tasks[0]!, count: Number(args.envs) },
  cameras,
  layoutSpread,
});

async function evaluate(
  params: Map<string, Float32Array>,
  p: EnvPool,
  seeds: number[],
  greedy: GreedyDecoding,
): Promise<Record<string, number>> {
  const runner = new PolicyRunner(policy, undefined, greedy);
  const out: Record<string, number> = {};
  for (const task of tasks) {
    const res = await playGroups({
      pool: p,
      runner,
      state: { policy, params, version: 0 },
      groups: seeds.map((seed) => ({ task, seed })),
      groupSize: 1,
      temperature: 0,
    });
    const all = res.played.flat();
    out[task] = all.filter((x) => x.success).length / all.length;
  }
  await runner.release();
  return out;
}

/** Greedy success with each decoding: on unseen layouts, and on the bank when there is one. */
type Scores = Record<GreedyDecoding, { unseen: Record<string, number>; bank: Record<string, number> | null }>;
async function score(params: Map<string, Float32Array>): Promise<Scores> {
  const out = {} as Scores;
  for (const greedy of GREEDY_DECODINGS) {
    out[greedy] = {
      unseen: await evaluate(params, pool, unseenSeeds, greedy),
      bank: bank ? await evaluate(params, pool, bankSeeds, greedy) : null,
    };
  }
  return out;
}
const before = await score(sft.params);
console.error(`SFT greedy success: ${JSON.stringify(before)}`);
const tEval0 = performance.now();

// 3. RL, stopped by the update count or the time budget
const budget = AbortSignal.timeout(Number(args['budget-min']) * 60_000);
let updates = 0;
// Every rollout is recorded, so the pushcut tracker can look at what RL did (joints + actions).
const work = mkdtempSync(join(tmpdir(), 'pushcut-rl-headline-data-'));
const rolloutSession = await RecordingSession.open({
  root: join(work, 'rollouts'),
  fps: 30,
  robot: { joints: [...SO101_JOINTS], cameras: [], robotType: 'so101_sim' },
});
const rlDir = mkdtempSync(join(tmpdir(), 'pushcut-rl-headline-'));
const evalEvery = Number(args['eval-every']);
const rl = await runRlJob({
  recorder: new DatasetRolloutRecorder(rolloutSession, []),
  runDir: rlDir,
  ...(evalEvery > 0 ? { evalSeeds: bankSeeds, evalEvery } : {}),
  ...(args['weight-average'] !== undefined ? { weightAverage: Number(args['weight-average']) } : {}),
  tasks,
  policy,
  initialParams: sft.params,
  pool,
  updates: Number(args.updates),
  groupSize: 8,
  groupsPerBatch: Number(args.groups),
  temperature: Number(args.temperature),
  greedyPerGroup: Number(args['greedy-rollouts']),
  ...(bank ? { seedRange: bank } : {}),
  stateSampling: args['state-sampling'] as StateSampling,
  ...(Number(args['demo-starts']) > 0
    ? { demoStarts: { demos, share: Number(args['demo-starts']), stride: Number(args['demo-stride']) } }
    : {}),
  ...(Number(args['demo-anchor']) > 0
    ? {
        demoAnchor: {
          decisions: tinyVlaAnchorDecisions(sft.config, samples),
          weight: Number(args['demo-anchor']),
        },
      }
    : {}),
  ...(Number(args['rl-steps-per-demo']) > 0
    ? { maxStepsByTask: rolloutLimits(Number(args['rl-steps-per-demo'])) }
    : {}),
  seed: Number(args['rl-seed']),
  overlap: args.overlap,
  maxStalledBatches: Number(args['max-stalled']),
  update: { lr: Number(args.lr), rowsPerStep: 64, epochs: Number(args.epochs), lossAggregation },
  signal: budget,
  onEvent: (e) => {
    if (e.type === 'update') {
      updates = e.update;
      const percents = (r: Record<string, number>) =>
        Object.entries(r)
          .map(([k, v]) => `${k}=${(v * 100).toFixed(0)}%`)
          .join(' ');
      const s = `${percents(e.successByTask)}${e.greedySuccessByTask ? ` greedy ${percents(e.greedySuccessByTask)}` : ''}`;
      console.error(
        `update ${e.update} ${secs(performance.now() - t0)}s kept ${e.groupsKept} dropped ${e.groupsDropped} ${s} clip ${e.metrics?.clipFrac.toFixed(3)} ent ${e.metrics?.entropy.toFixed(2)} |logr| ${e.metrics?.absLogRatio.toFixed(3)} |g| ${e.metrics?.gradNorm.toFixed(2)}${e.demoStarts ? ` starts ${JSON.stringify(e.demoStarts)}` : ''}`,
      );
    } else if (e.type === 'eval') {
      console.error(
        `eval after ${e.policyVersion} updates: bank ${(e.average * 100).toFixed(1)}%${e.best ? ' (best so far)' : ''}`,
      );
    } else if (e.type === 'stalled') console.error(e.message);
  },
});
const tRl = performance.now();
await rolloutSession.close();
const after = await score(rl.params);
const averaged = rl.averageParams ? await score(rl.averageParams) : null;
// the best periodic evaluation's weights, when it was not the last update
const best =
  rl.best && rl.best.policyVersion !== rl.policyVersion
    ? { ...rl.best, scores: await score(paramsFromCheckpoint(tinyVla(sft.config), bestCheckpoint(rlDir))) }
    : null;
const tEnd = performance.now();
await pool.close();

const avg = (r: Record<string, number>) =>
  Object.values(r).reduce((a, b) => a + b, 0) / Object.values(r).length;
function table(title: string, b: Record<string, number>, a: Record<string, number>) {
  console.log(`\n${title} (image ${side}px)\n`);
  console.log('| task | SFT (1 demo) | + RL | change (points) |');
  console.log('|---|---|---|---|');
  const signed = (x: number, d: number) => (x >= 0 ? '+' : '') + x.toFixed(d);
  for (const t of tasks) {
    const x = b[t]! * 100;
    const y = a[t]! * 100;
    console.log(`| ${t} | ${x.toFixed(0)}% | ${y.toFixed(0)}% | ${signed(y - x, 0)} |`);
  }
  const x = avg(b) * 100;
  const y = avg(a) * 100;
  console.log(`| **average** | ${x.toFixed(1)}% | ${y.toFixed(1)}% | ${signed(y - x, 1)} |`);
}
function tables(a: Scores, which: string) {
  for (const greedy of GREEDY_DECODINGS) {
    const decoding =
      greedy === 'median' ? 'median-bin decoding, the default' : 'argmax decoding, as SimpleVLA-RL';
    const [b, x] = [before[greedy], a[greedy]];
    if (b.bank && x.bank)
      table(
        `${which}: greedy success (${decoding}) on the ${bank} training initial states per task (LIBERO protocol)`,
        b.bank,
        x.bank,
      );
    table(
      `${which}: greedy success (${decoding}) over ${unseenSeeds.length} unseen initial states per task`,
      b.unseen,
      x.unseen,
    );
  }
}
tables(after, 'Last update');
if (averaged) tables(averaged, `Weight average (decay ${args['weight-average']}) after the last update`);
if (best)
  tables(
    best.scores,
    `Best checkpoint (update ${best.policyVersion}; ${(best.average * 100).toFixed(1)}% on the bank when the run evaluated it)`,
  );
console.log(
  `\nRL updates: ${updates} (${rl.reason}). Wall clock: ${base ? `base pretraining ${secs(tBase - t0)}s, ` : ''}demos ${secs(tDemos - tBase)}s, SFT ${secs(tSft - tDemos)}s (${sft.steps} steps), eval ${secs(tEval0 - tSft)}s, RL ${secs(tRl - tEval0)}s, final eval ${secs(tEnd - tRl)}s, total ${secs(tEnd - t0)}s`,
);

/** A pushcut's share of successes, averaged over each quarter of the RL steps that had successes. */
function byQuarter(shares: { rlStep: number; share: number }[]): string {
  const q = Math.ceil(shares.length / 4);
  return [0, 1, 2, 3]
    .map((i) => shares.slice(i * q, (i + 1) * q))
    .filter((part) => part.length > 0)
    .map((part) => `${((100 * part.reduce((a, p) => a + p.share, 0)) / part.length).toFixed(0)}%`)
    .join(' → ');
}

// 4. Pushcuts: each task's successful rollouts against 8 scripted grasping-expert episodes of it
// (the one SFT demo per task is too few to calibrate a novelty threshold).
await recordExpertDemos({
  root: join(work, 'reference'),
  tasks,
  episodesPerTask: 8,
  firstSeed: 500,
  cameraSize: 16,
});
const reference = await episodesOf('reference', await openDataset(join(work, 'reference')), true);
const rollouts = await episodesOf('rollouts', await openDataset(join(work, 'rollouts')), false);
console.log('\nPushcut tracker on the RL rollouts (reference: 8 scripted-expert episodes per task)\n');
console.log(
  '| task | rollouts | successes | unlike the reference | strategies (successes, first RL step) | pushcuts (share of successes, by quarter of the run) |',
);
console.log('|---|---|---|---|---|---|');
for (const t of tasks) {
  const instruction = listTasks().find((x) => x.id === t)?.instruction;
  const eps = [...reference, ...rollouts].filter((e) => e.task === instruction);
  const r = analyzeEpisodes(eps);
  const strategies =
    r.strategies.map((x) => `${x.name} (${x.successes}, step ${x.firstSeenStep})`).join('; ') || 'none';
  const shares = r.pushcuts.map((x) => `${x.name}: ${byQuarter(x.sharesByStep)}`).join('; ');
  console.log(
    `| ${t} | ${r.observed} | ${r.successes} | ${r.novelSuccesses} | ${strategies} | ${shares || 'none'} |`,
  );
}
