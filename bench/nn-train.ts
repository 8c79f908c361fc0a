/**
 * One training step (forward, backward, grad-norm clip, AdamW) of tiny-vla and of a 2-layer MLP
 * (batch 256, 512 -> 1024 -> 256) in core/nn on ONNX Runtime vs TensorFlow.js (wasm and cpu
 * backends) with identical shapes, loss and optimizer; plus the MLP step's achieved GFLOP/s
 * against a single 1024^3 MatMul in ORT (the ceiling).
 *
 *   npx tsx bench/nn-train.ts [--reps 10] [--tf-reps 3] [--vla-batch 32] [--tf-cpu-vla]
 *
 * tfjs-cpu's tiny-vla step takes minutes (pure-JS convolutions), so it only runs with --tf-cpu-vla.
 */
import { availableParallelism, cpus } from 'node:os';
import { Graph } from '../core/nn/graph';
import { crossEntropy } from '../core/nn/losses';
import { type ModelDef, rng } from '../core/nn/model';
import { linear, matmul, relu } from '../core/nn/ops';
import { createSession, type HostTensor, hostTensor, runSession } from '../core/nn/runtime';
import { Trainer } from '../core/nn/trainer';
import { buildVocab, defaultTinyVlaConfig, encodeObservations, tinyVla } from '../models/tiny-vla';
import { selectTfBackend, tfMlp, tfTinyVla } from './nn-tfjs';

const args = process.argv.slice(2);
const opt = (name: string, def: number) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? Number(args[i + 1]) : def;
};
const REPS = opt('reps', 10);
const TF_REPS = opt('tf-reps', 3);
const VLA_BATCH = opt('vla-batch', 32);

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)] as number;
}

async function timeIt(reps: number, f: () => unknown | Promise<unknown>): Promise<number> {
  await f(); // warm-up
  const times: number[] = [];
  for (let i = 0; i < reps; i++) {
    const t0 = performance.now();
    await f();
    times.push(performance.now() - t0);
  }
  return median(times);
}

const rand = rng(1);
const randn = (n: number) => Array.from({ length: n }, () => rand() * 2 - 1);

// --- MLP
const B = 256;
const mlp: ModelDef = {
  name: 'mlp',
  inputs: [{ name: 'x', shape: [512], dtype: 'float32' }],
  params: [
    { name: 'w1', shape: [512, 1024], init: { kind: 'normal', std: 0.04 } },
    { name: 'b1', shape: [1024], init: { kind: 'zeros' } },
    { name: 'w2', shape: [1024, 256], init: { kind: 'normal', std: 0.03 } },
    { name: 'b2', shape: [256], init: { kind: 'zeros' } },
  ],
  outputs: ['logits'],
  forward: ({ x }, p) => ({ logits: linear(relu(linear(x!, p.w1!, p.b1)), p.w2!, p.b2) }),
};
const mlpTrainer = await Trainer.create({
  model: mlp,
  batch: B,
  extraInputs: [{ name: 'y', shape: [], dtype: 'int64' }],
  loss: ({ logits }, { y }) => crossEntropy(logits!, y!),
});
const mlpBatch = {
  x: hostTensor('float32', [B, 512], randn(B * 512)),
  y: hostTensor(
    'int64',
    [B],
    randn(B).map((v) => Math.floor((v + 1) * 127)),
  ),
};
const ortMlp = await timeIt(REPS, () => mlpTrainer.step(mlpBatch, 1e-3));
// MatMul FLOP: forward 2, backward dW2, dH, dW1 (the input gradient is pruned): 2*B*(512*1024*2 + 1024*256*3).
const mlpFlop = 2 * B * (512 * 1024 * 2 + 1024 * 256 * 3);

// --- MatMul ceiling
const mg = new Graph('matmul');
const ma = mg.input('a', [1024, 1024]);
const mb = mg.input('b', [1024, 1024]);
mg.output(matmul(ma, mb), 'c');
const mm = await createSession(mg.toBytes());
const mmFeeds: Record<string, HostTensor> = {
  a: hostTensor('float32', [1024, 1024], randn(1024 * 1024)),
  b: hostTensor('float32', [1024, 1024], randn(1024 * 1024)),
};
const ortMatmul = await timeIt(REPS, () => runSession(mm, mmFeeds));
const mmFlop = 2 * 1024 ** 3;

// --- tiny-vla
const cfg = defaultTinyVlaConfig({
  vocab: buildVocab(['pick up the red cube', 'put the red cube in the bowl']),
});
const vla = tinyVla(cfg);
const vlaTrainer = await Trainer.create({
  model: vla,
  batch: VLA_BATCH,
  extraInputs: [{ name: 'actions', shape: [48], dtype: 'int64' }],
  loss: (o, e) => crossEntropy(o.logits!, e.actions!),
});
const px = cfg.imageSize * cfg.imageSize * 3;
const obs = Array.from({ length: VLA_BATCH }, () => ({
  front: Uint8Array.from({ length: px }, () => Math.floor(rand() * 256)),
  wrist: Uint8Array.from({ length: px }, () => Math.floor(rand() * 256)),
  state: randn(6),
  instruction: 'pick up the red cube',
}));
const vlaBatch = {
  ...encodeObservations(cfg, obs),
  actions: hostTensor(
    'int64',
    [VLA_BATCH, 48],
    randn(VLA_BATCH * 48).map((v) => Math.floor((v + 1) * 127)),
  ),
};
const ortVla = await timeIt(REPS, () => vlaTrainer.step(vlaBatch, 1e-3));

// --- TensorFlow.js baselines
const tfRes: Record<string, { mlp: number | string; vla: number | string }> = {};
const notes: string[] = [];
/** Time a tfjs step, or say why it cannot run on this backend. */
async function tryTime(what: string, f: () => unknown): Promise<number | string> {
  try {
    return await timeIt(TF_REPS, f);
  } catch (e) {
    notes.push(`${what}: ${(e as Error).message}`);
    return 'n/a';
  }
}
for (const backend of ['wasm', 'cpu'] as const) {
  await selectTfBackend(backend);
  const m = tfMlp(B);
  const v = tfTinyVla(cfg, VLA_BATCH);
  const skipVla = backend === 'cpu' && !args.includes('--tf-cpu-vla');
  tfRes[backend] = {
    mlp: await tryTime(`tfjs-${backend} MLP`, () => m.step()),
    vla: skipVla ? 'skipped' : await tryTime(`tfjs-${backend} tiny-vla`, () => v.step()),
  };
  if (skipVla) notes.push('tfjs-cpu tiny-vla: skipped (minutes per step); run with --tf-cpu-vla');
}

const f1 = (x: number) => x.toFixed(1);
const cell = (x: number | string) => (typeof x === 'number' ? f1(x) : x);
const ratio = (x: number | string, base: number) => (typeof x === 'number' ? `${f1(x / base)}x` : 'n/a');
const lines = [
  `${cpus()[0]?.model ?? 'cpu'}, ${availableParallelism()} threads for ORT; median of ${REPS} (ORT) / ${TF_REPS} (tfjs) steps after one warm-up`,
  '',
  '| training step | core/nn + ORT (ms) | tfjs-wasm (ms) | tfjs-cpu (ms) | vs wasm | vs cpu |',
  '|---|---:|---:|---:|---:|---:|',
  `| MLP 512-1024-256, batch ${B}, CE + AdamW | ${f1(ortMlp)} | ${cell(tfRes.wasm!.mlp)} | ${cell(tfRes.cpu!.mlp)} | ${ratio(tfRes.wasm!.mlp, ortMlp)} | ${ratio(tfRes.cpu!.mlp, ortMlp)} |`,
  `| tiny-vla (${(vla.params.reduce((a, p) => a + p.shape.reduce((x, y) => x * y, 1), 0) / 1000).toFixed(0)}k params), batch ${VLA_BATCH}, token CE + AdamW | ${f1(ortVla)} | ${cell(tfRes.wasm!.vla)} | ${cell(tfRes.cpu!.vla)} | ${ratio(tfRes.wasm!.vla, ortVla)} | ${ratio(tfRes.cpu!.vla, ortVla)} |`,
  '',
  '| throughput (ORT) | GFLOP | ms | GFLOP/s | share of ceiling |',
  '|---|---:|---:|---:|---:|',
  `| 1024^3 MatMul (ceiling) | ${(mmFlop / 1e9).toFixed(2)} | ${f1(ortMatmul)} | ${f1(mmFlop / 1e6 / ortMatmul)} | 100% |`,
  `| MLP training step | ${(mlpFlop / 1e9).toFixed(2)} | ${f1(ortMlp)} | ${f1(mlpFlop / 1e6 / ortMlp)} | ${((mlpFlop / ortMlp / (mmFlop / ortMatmul)) * 100).toFixed(0)}% |`,
];
if (notes.length) lines.push('', ...notes.map((n) => `- ${n}`));
console.log(lines.join('\n'));
await Promise.all([mlpTrainer.release(), vlaTrainer.release(), mm.release()]);
