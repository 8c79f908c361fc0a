/**
 * tiny-vla inference latency (p50 / p99) at batch 1 and 16: the exported ONNX model in ONNX
 * Runtime vs the same network in TensorFlow.js (wasm backend), identical shapes. ORT runs with the
 * policy's default session (1 thread, no spinning) and, taking turns in blocks in the same run,
 * with the settings used before (all cores, ORT's spinning thread pool).
 *
 *   npx tsx bench/nn-infer.ts [--reps 200]
 */
import { availableParallelism, cpus, loadavg } from 'node:os';
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

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Per-call latencies of each function after 3 warm-up calls each. The functions take turns in
 * blocks of `block` calls with a pause between blocks, so load drift hits them alike and one
 * session's spinning pool cannot steal the CPU from the next session's call. `paceMs` > 0 sleeps
 * that long before every call, like a control loop (a 50 Hz loop sleeps ~20 ms between decisions).
 */
async function latencies(
  reps: number,
  fs: (() => unknown)[],
  { block = 25, paceMs = 0 } = {},
): Promise<number[][]> {
  for (const f of fs) for (let k = 0; k < 3; k++) await f();
  const out = fs.map(() => [] as number[]);
  for (let done = 0; done < reps; done += block) {
    for (const [j, f] of fs.entries()) {
      await sleep(30);
      for (let k = done; k < Math.min(reps, done + block); k++) {
        if (paceMs > 0) await sleep(paceMs);
        const t0 = performance.now();
        await f();
        out[j]?.push(performance.now() - t0);
      }
    }
  }
  return out;
}

// The flat-encoder architecture with joint-state input, layer for layer what bench/nn-tfjs.ts builds.
const cfg = defaultTinyVlaConfig({
  vocab: buildVocab(['pick up the red cube', 'put the red cube in the bowl']),
  encoder: 'flat',
  stateInput: true,
});
const params = initParams(tinyVla(cfg), 0);
const policy = await TinyVlaPolicy.fromParams(cfg, params);
const before = await TinyVlaPolicy.fromParams(cfg, params, {
  threads: availableParallelism(),
  spinning: true,
});
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
const f = (x: number) => x.toFixed(2);
const row = (label: string, batch: number, ort: number[], old: number[], tfl?: number[]) =>
  `| ${batch} | ${label} | ${f(pct(ort, 0.5))} | ${f(pct(ort, 0.99))} | ${f(pct(old, 0.5))} | ${f(pct(old, 0.99))} | ${tfl ? f(pct(tfl, 0.5)) : '-'} | ${tfl ? f(pct(tfl, 0.99)) : '-'} | ${tfl ? `${(pct(tfl, 0.5) / pct(ort, 0.5)).toFixed(1)}x` : '-'} | ${((batch * 1000) / pct(ort, 0.5)).toFixed(0)} |`;
for (const batch of [1, 16]) {
  const reps = batch === 1 ? REPS : Math.max(20, Math.floor(REPS / 4));
  const o = obs(batch);
  const acts = [() => policy.act(o, { temperature: 1.6 }), () => before.act(o, { temperature: 1.6 })];
  const [ort, old] = (await latencies(reps, acts)) as [number[], number[]];
  const tfm = tfTinyVla(cfg, batch);
  const [tfl] = (await latencies(Math.max(10, Math.floor(reps / 4)), [() => tfm.infer()])) as [number[]];
  rows.push(row('back-to-back', batch, ort, old, tfl));
  if (batch === 1) {
    const [pOrt, pOld] = (await latencies(reps, acts, { paceMs: 20 })) as [number[], number[]];
    rows.push(row('paced 50 Hz', batch, pOrt, pOld));
  }
}
console.log(
  [
    `${cpus()[0]?.model ?? 'cpu'}, load average ${loadavg()
      .map((l) => l.toFixed(1))
      .join(
        ' / ',
      )} (1/5/15 min) at the end. ORT time includes input packing, the forward pass and sampling all 48 tokens at T=1.6; tfjs time is the forward pass only (wasm SIMD, 1 thread)`,
    `ORT default: the policy's session (1 thread, no spinning); ORT before: ${availableParallelism()} threads, spinning pool; taking turns in blocks of 25 calls; paced: a 20 ms sleep before each call, like a 50 Hz control loop`,
    '',
    '| batch | calls | ORT default p50 (ms) | ORT default p99 (ms) | ORT before p50 (ms) | ORT before p99 (ms) | tfjs-wasm p50 (ms) | tfjs-wasm p99 (ms) | p50 speed-up vs tfjs | ORT decisions/s |',
    '|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|',
    ...rows,
  ].join('\n'),
);
await Promise.all([policy.release(), before.release()]);
