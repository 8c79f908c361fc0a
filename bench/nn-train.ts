/**
 * One training step (forward, backward, grad-norm clip, AdamW) of tiny-vla and of a 2-layer MLP
 * (batch 256, 512 -> 1024 -> 256) in core/nn on ONNX Runtime vs TensorFlow.js (wasm and cpu
 * backends) with identical shapes, loss and optimizer; plus the MLP step's achieved GFLOP/s
 * against a single 1024^3 MatMul in ORT (the ceiling: the best of the ORT settings below).
 *
 * ORT runs in three settings, interleaved round by round so machine load hits them alike:
 * core/nn's default (all cores, pool threads do not spin), ORT's own default (spinning: what
 * core/nn used before), and one thread (like tfjs-wasm, which has no threads in Node).
 *
 *   npx tsx bench/nn-train.ts [--reps 10] [--tf-reps 3] [--vla-batch 32] [--tf-cpu-vla]
 *                             [--sweep 256,1024,4096]
 *
 * The sweep times the same MLP step (core/nn default setting) at larger batches: the Gemm work
 * grows with the batch while AdamW's memory-bound elementwise passes over the 0.79M parameters do
 * not, so it shows how much of the step at batch 256 is optimizer rather than engine overhead.
 *
 * tfjs-cpu's tiny-vla step takes minutes (pure-JS convolutions), so it only runs with --tf-cpu-vla.
 */
import { availableParallelism, cpus, loadavg } from 'node:os';
import { Graph } from '../core/nn/graph';
import { crossEntropy } from '../core/nn/losses';
import { type ModelDef, rng } from '../core/nn/model';
import { linear, matmul, relu } from '../core/nn/ops';
import {
  createSession,
  type HostTensor,
  hostTensor,
  runSession,
  type SessionOptions,
} from '../core/nn/runtime';
import type { Tensor } from '../core/nn/tensor';
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
const SWEEP = (args.includes('--sweep') ? String(args[args.indexOf('--sweep') + 1]) : '256,1024,4096')
  .split(',')
  .map(Number);

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)] as number;
}

/** Median time of each function, run in interleaved rounds after one warm-up each. */
async function timeMany(reps: number, fs: (() => unknown)[]): Promise<number[]> {
  for (const f of fs) await f();
  const times = fs.map(() => [] as number[]);
  for (let i = 0; i < reps; i++) {
    for (const [k, f] of fs.entries()) {
      // Let the previous setting's spinning pool (if any) go idle before timing the next one.
      await new Promise((r) => setTimeout(r, 20));
      const t0 = performance.now();
      await f();
      times[k]?.push(performance.now() - t0);
    }
  }
  return times.map(median);
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
const SETTINGS: { label: string; opts: SessionOptions }[] = [
  { label: `${availableParallelism()} threads, no spin (core/nn default)`, opts: {} },
  { label: `${availableParallelism()} threads, spinning (ORT default, before)`, opts: { spinning: true } },
  { label: '1 thread', opts: { threads: 1 } },
];
const mlpSpec = {
  model: mlp,
  batch: B,
  extraInputs: [{ name: 'y', shape: [], dtype: 'int64' as const }],
  loss: ({ logits }: Record<string, Tensor>, { y }: Record<string, Tensor>) => crossEntropy(logits!, y!),
};
const mlpTrainers = await Promise.all(SETTINGS.map((s) => Trainer.create({ ...mlpSpec, ...s.opts })));
const mlpBatchOf = (b: number) => ({
  x: hostTensor('float32', [b, 512], randn(b * 512)),
  y: hostTensor(
    'int64',
    [b],
    randn(b).map((v) => Math.floor((v + 1) * 127)),
  ),
});
const mlpBatch = mlpBatchOf(B);
// MatMul FLOP (2 per multiply-add) of the five Gemms in the step: forward x*W1, h*W2; backward
// dW2 = h^T g, dh = g W2^T, dW1 = x^T dh (no dx: the input gradient is pruned), i.e.
// 2*B*(512*1024*2 + 1024*256*3). Elementwise, softmax and AdamW work is not counted.
const mlpFlopAt = (b: number) => 2 * b * (512 * 1024 * 2 + 1024 * 256 * 3);
const mlpFlop = mlpFlopAt(B);

// --- MatMul ceiling
const mg = new Graph('matmul');
const ma = mg.input('a', [1024, 1024]);
const mb = mg.input('b', [1024, 1024]);
mg.output(matmul(ma, mb), 'c');
const mms = await Promise.all(SETTINGS.map((s) => createSession(mg.toBytes(), s.opts)));
const mmFeeds: Record<string, HostTensor> = {
  a: hostTensor('float32', [1024, 1024], randn(1024 * 1024)),
  b: hostTensor('float32', [1024, 1024], randn(1024 * 1024)),
};
const mmFlop = 2 * 1024 ** 3;
const ortMlp = await timeMany(
  REPS,
  mlpTrainers.map((t) => () => t.step(mlpBatch, 1e-3)),
);
const ortMatmul = await timeMany(
  REPS,
  mms.map((m) => () => runSession(m, mmFeeds)),
);
const sweep: { batch: number; ms: number; matmulMs: number }[] = [];
for (const b of SWEEP) {
  const t = await Trainer.create({ ...mlpSpec, batch: b });
  const feeds = mlpBatchOf(b);
  // each row is timed against a MatMul interleaved with it, so load changes hit both alike
  const [ms, matmulMs] = (await timeMany(REPS, [
    () => t.step(feeds, 1e-3),
    () => runSession(mms[0]!, mmFeeds),
  ])) as [number, number];
  sweep.push({ batch: b, ms, matmulMs });
  await t.release();
}

// --- tiny-vla
// The flat-encoder architecture with joint-state input, layer for layer what bench/nn-tfjs.ts builds.
const cfg = defaultTinyVlaConfig({
  vocab: buildVocab(['pick up the red cube', 'put the red cube in the bowl']),
  encoder: 'flat',
  stateInput: true,
});
const vla = tinyVla(cfg);
const vlaTrainers = await Promise.all(
  SETTINGS.slice(0, 2).map((s) =>
    Trainer.create({
      model: vla,
      batch: VLA_BATCH,
      extraInputs: [{ name: 'actions', shape: [48], dtype: 'int64' }],
      loss: (o, e) => crossEntropy(o.logits!, e.actions!),
      ...s.opts,
    }),
  ),
);
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
const ortVla = await timeMany(
  REPS,
  vlaTrainers.map((t) => () => t.step(vlaBatch, 1e-3)),
);

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
const [mlpDef, mlpSpin, mlp1] = ortMlp as [number, number, number];
const [vlaDef, vlaSpin] = ortVla as [number, number];
const gflops = (flop: number, ms: number) => flop / 1e6 / ms;
const ceiling = Math.max(...ortMatmul.map((ms) => gflops(mmFlop, ms)));
const vlaK = (vla.params.reduce((a, p) => a + p.shape.reduce((x, y) => x * y, 1), 0) / 1000).toFixed(0);
const lines = [
  `${cpus()[0]?.model ?? 'cpu'}, load average ${loadavg()
    .map((l) => l.toFixed(1))
    .join(
      ' / ',
    )} (1/5/15 min) at the end; median of ${REPS} (ORT, interleaved) / ${TF_REPS} (tfjs) steps after one warm-up`,
  'tfjs-wasm: SIMD build, 1 thread (tfjs-backend-wasm 4.22 has no threads under Node); tfjs-cpu: plain JS',
  '',
  '| training step | ORT default (ms) | ORT spinning (ms) | ORT 1 thread (ms) | tfjs-wasm (ms) | tfjs-cpu (ms) | default vs wasm | default vs cpu | 1 thread vs wasm |',
  '|---|---:|---:|---:|---:|---:|---:|---:|---:|',
  `| MLP 512-1024-256, batch ${B}, CE + AdamW | ${f1(mlpDef)} | ${f1(mlpSpin)} | ${f1(mlp1)} | ${cell(tfRes.wasm!.mlp)} | ${cell(tfRes.cpu!.mlp)} | ${ratio(tfRes.wasm!.mlp, mlpDef)} | ${ratio(tfRes.cpu!.mlp, mlpDef)} | ${ratio(tfRes.wasm!.mlp, mlp1)} |`,
  `| tiny-vla (${vlaK}k params), batch ${VLA_BATCH}, token CE + AdamW | ${f1(vlaDef)} | ${f1(vlaSpin)} | - | ${cell(tfRes.wasm!.vla)} | ${cell(tfRes.cpu!.vla)} | ${ratio(tfRes.wasm!.vla, vlaDef)} | ${ratio(tfRes.cpu!.vla, vlaDef)} | - |`,
  '',
  `Spinning off vs on (same run): MLP step ${f1(mlpSpin / mlpDef)}x faster, tiny-vla step ${f1(vlaSpin / vlaDef)}x faster.`,
  '',
  '| throughput (ORT) | 1024^3 MatMul (ms) | MatMul GFLOP/s | MLP step (ms) | MLP step GFLOP/s | share of same-setting MatMul | share of best MatMul |',
  '|---|---:|---:|---:|---:|---:|---:|',
  ...SETTINGS.map((s, k) => {
    const mm = ortMatmul[k] as number;
    const st = ortMlp[k] as number;
    const share = (x: number) => `${((gflops(mlpFlop, st) / x) * 100).toFixed(0)}%`;
    return `| ${s.label} | ${f1(mm)} | ${f1(gflops(mmFlop, mm))} | ${f1(st)} | ${f1(gflops(mlpFlop, st))} | ${share(gflops(mmFlop, mm))} | ${share(ceiling)} |`;
  }),
  '',
  `MatMul ${(mmFlop / 1e9).toFixed(2)} GFLOP; MLP step ${(mlpFlop / 1e9).toFixed(2)} GFLOP counted (the five Gemms only; see the comment in bench/nn-train.ts).`,
  '',
  '| MLP step by batch (core/nn default) | step (ms) | step GFLOP/s | interleaved 1024^3 MatMul GFLOP/s | share |',
  '|---|---:|---:|---:|---:|',
  ...sweep.map(({ batch, ms, matmulMs }) => {
    const [step, mm] = [gflops(mlpFlopAt(batch), ms), gflops(mmFlop, matmulMs)];
    return `| batch ${batch} | ${f1(ms)} | ${f1(step)} | ${f1(mm)} | ${((step / mm) * 100).toFixed(0)}% |`;
  }),
];
if (notes.length) lines.push('', ...notes.map((n) => `- ${n}`));
console.log(lines.join('\n'));
await Promise.all([...mlpTrainers, ...vlaTrainers, ...mms].map((x) => x.release()));
