/**
 * tiny-vla inference latency (p50 / p99) at batch 1 and 16: the exported ONNX model in ONNX
 * Runtime vs the same network in TensorFlow.js (wasm backend), identical shapes.
 *
 *   npx tsx bench/nn-infer.ts [--reps 200]
 */
import { availableParallelism, cpus } from 'node:os';
import { initParams, rng } from '../core/nn/model';
import { buildVocab, defaultTinyVlaConfig, TinyVlaPolicy, tinyVla } from '../models/tiny-vla';
import { selectTfBackend, tfTinyVla } from './nn-tfjs';

const args = process.argv.slice(2);
const i = args.indexOf('--reps');
const REPS = i >= 0 ? Number(args[i + 1]) : 200;

function pct(xs: number[], q: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(q * s.length))] as number;
}

async function latencies(reps: number, f: () => unknown): Promise<number[]> {
  for (let k = 0; k < 3; k++) await f();
  const out: number[] = [];
  for (let k = 0; k < reps; k++) {
    const t0 = performance.now();
    await f();
    out.push(performance.now() - t0);
  }
  return out;
}

const cfg = defaultTinyVlaConfig({
  vocab: buildVocab(['pick up the red cube', 'put the red cube in the bowl']),
});
const policy = await TinyVlaPolicy.fromParams(cfg, initParams(tinyVla(cfg), 0));
const rand = rng(1);
const px = cfg.imageSize * cfg.imageSize * 3;
const obs = (n: number) =>
  Array.from({ length: n }, () => ({
    front: Uint8Array.from({ length: px }, () => Math.floor(rand() * 256)),
    wrist: Uint8Array.from({ length: px }, () => Math.floor(rand() * 256)),
    state: [0, 10, 20, 0, 0, 50],
    instruction: 'pick up the red cube',
  }));

await selectTfBackend('wasm');
const rows: string[] = [];
for (const batch of [1, 16]) {
  const reps = batch === 1 ? REPS : Math.max(20, Math.floor(REPS / 4));
  const o = obs(batch);
  const ort = await latencies(reps, () => policy.act(o, { temperature: 1.6 }));
  const tfm = tfTinyVla(cfg, batch);
  const tfl = await latencies(Math.max(10, Math.floor(reps / 4)), () => tfm.infer());
  const f = (x: number) => x.toFixed(2);
  rows.push(
    `| ${batch} | ${f(pct(ort, 0.5))} | ${f(pct(ort, 0.99))} | ${f(pct(tfl, 0.5))} | ${f(pct(tfl, 0.99))} | ${(pct(tfl, 0.5) / pct(ort, 0.5)).toFixed(1)}x | ${((batch * 1000) / pct(ort, 0.5)).toFixed(0)} |`,
  );
}
console.log(
  [
    `${cpus()[0]?.model ?? 'cpu'}, ${availableParallelism()} ORT threads; ORT time includes input packing, the forward pass and sampling all 48 tokens at T=1.6; tfjs time is the forward pass only`,
    '',
    '| batch | ORT p50 (ms) | ORT p99 (ms) | tfjs-wasm p50 (ms) | tfjs-wasm p99 (ms) | p50 speed-up | ORT decisions/s |',
    '|---:|---:|---:|---:|---:|---:|---:|',
    ...rows,
  ].join('\n'),
);
await policy.release();
