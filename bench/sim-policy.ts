/**
 * Policy steps/s: one control step = the action held for 1/controlHz s of physics (8 substeps at
 * 30 Hz) plus both cameras ('front', 'wrist') rendered. Baseline: one env in the calling thread.
 * Against it: VectorEnv with N envs on 2 worker threads (batched step calls).
 *
 * Each configuration is timed REPS times after a warm-up and the best run is reported (the machine
 * is shared with other jobs, so slower runs measure them, not us).
 *
 *   npx tsx bench/sim-policy.ts [--steps 60] [--reps 2] [--size 64] [--envs 2,4,8] [--task lift_red_cube]
 */
import { cpus, loadavg } from 'node:os';
import { createTaskEnv, HOME_STATE } from '../core/sim/env';
import { VectorEnv } from '../core/sim/vector/vector-env';

const args = process.argv.slice(2);
const opt = (name: string, def: string) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? (args[i + 1] ?? def) : def;
};
const STEPS = Number(opt('steps', '60'));
const REPS = Number(opt('reps', '2'));
const SIZE = Number(opt('size', '64'));
const ENVS = opt('envs', '2,4,8').split(',').map(Number);
const TASK = opt('task', 'lift_red_cube');
const WORKERS = 2;
/** Untimed steps first, so the JIT has compiled the hot paths (the first steps run ~4x slower). */
const WARMUP = 20;
const cameras = { width: SIZE, height: SIZE };

/** A deterministic reaching motion around the home pose, different per env. */
const action = (env: number, t: number): number[] =>
  HOME_STATE.map((q, j) => (j < 5 ? q + 15 * Math.sin(0.1 * t + env + j) : t % 40 < 20 ? 100 : 20));

async function inProcess(withCameras: boolean): Promise<number> {
  const env = await createTaskEnv({ task: TASK, cameras: withCameras ? cameras : false });
  env.reset(1);
  for (let t = 0; t < WARMUP; t++) env.step(action(0, t));
  let best = 0;
  for (let r = 0; r < REPS; r++) {
    env.reset(1);
    const t0 = performance.now();
    for (let t = 0; t < STEPS; t++) env.step(action(0, t));
    best = Math.max(best, STEPS / ((performance.now() - t0) / 1000));
  }
  env.close();
  return best;
}

async function vector(n: number): Promise<number> {
  const v = await VectorEnv.create({ envs: { task: TASK, count: n }, workers: WORKERS, cameras });
  try {
    const seeds = Array.from({ length: n }, (_, i) => i + 1);
    await v.reset(seeds);
    for (let t = 0; t < WARMUP; t++) await v.step(seeds.map((_, i) => action(i, t)));
    let best = 0;
    for (let r = 0; r < REPS; r++) {
      await v.reset(seeds);
      const t0 = performance.now();
      for (let t = 0; t < STEPS; t++) await v.step(seeds.map((_, i) => action(i, t)));
      best = Math.max(best, (n * STEPS) / ((performance.now() - t0) / 1000));
    }
    return best;
  } finally {
    await v.close();
  }
}

const base = await inProcess(true);
const rows: string[][] = [['1 env, in-process (baseline)', '1', '-', fmt(base), fmt(base), '1.00']];
const noCam = await inProcess(false);
rows.push([
  '1 env, in-process, no cameras (physics only)',
  '1',
  '-',
  fmt(noCam),
  fmt(noCam),
  (noCam / base).toFixed(2),
]);
for (const n of ENVS) {
  const rate = await vector(n);
  rows.push([
    `VectorEnv, ${n} envs`,
    String(n),
    String(Math.min(WORKERS, n)),
    fmt(rate),
    fmt(rate / n),
    (rate / base).toFixed(2),
  ]);
}

console.log(
  `\nPolicy steps/s (best of ${REPS}), task ${TASK}, ${STEPS} control steps per env (30 Hz: 8 physics substeps) + cameras front & wrist at ${SIZE}x${SIZE}`,
);
console.log(
  `Node ${process.version}, ${cpus().length} cores (${cpus()[0]?.model}), load average ${loadavg()[0]?.toFixed(1)} at the end (other jobs share this machine)\n`,
);
const head = [
  'configuration',
  'envs',
  'workers',
  'policy steps/s (all envs)',
  'per env',
  'ratio vs baseline',
];
const widths = head.map((h, c) => Math.max(h.length, ...rows.map((r) => (r[c] ?? '').length)));
const line = (cells: string[]) => `| ${cells.map((x, c) => x.padEnd(widths[c] ?? 0)).join(' | ')} |`;
console.log(line(head));
console.log(`| ${widths.map((w) => '-'.repeat(w)).join(' | ')} |`);
for (const r of rows) console.log(line(r));

function fmt(x: number): string {
  return x.toFixed(1);
}
