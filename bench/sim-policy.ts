/**
 * Policy steps/s: one control step = the action held for 1/controlHz s of physics (8 substeps at
 * 30 Hz) plus both cameras ('front', 'wrist') rendered. Baseline: one env in the calling thread.
 * Against it: VectorEnv with N envs on 2 worker threads (batched step calls), and the same envs
 * playing open-loop action chunks in one call each, cameras rendered only at each chunk's last step
 * (what RL rollouts do: the policy looks only then).
 *
 * Each configuration is timed REPS times after a warm-up and the best run is reported (the machine
 * is shared with other jobs, so slower runs measure them, not us). The last column, CPU time of the
 * whole process (all threads) per env step, does not depend on how busy the machine is: it shows
 * what the worker threads and messaging cost on top of the simulation itself.
 *
 *   npx tsx bench/sim-policy.ts [--steps 64] [--reps 2] [--size 64] [--envs 2,4,8] [--chunk 8] [--task lift_red_cube]
 */
import { cpus, loadavg } from 'node:os';
import { createTaskEnv, HOME_STATE } from '../core/sim/env';
import { VectorEnv } from '../core/sim/vector/vector-env';

const args = process.argv.slice(2);
const opt = (name: string, def: string) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? (args[i + 1] ?? def) : def;
};
const STEPS = Number(opt('steps', '64'));
const CHUNK = Number(opt('chunk', '8'));
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

interface Measure {
  /** Env steps per wall-clock second (all envs together), best run. */
  rate: number;
  /** CPU time of the whole process (all threads) per env step, ms, in that run. */
  cpuMs: number;
}

const cpuNow = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
};

/** Time `REPS` runs of `run` (which performs `envSteps` env steps) and keep the fastest. */
async function best(envSteps: number, prepare: () => unknown, run: () => unknown): Promise<Measure> {
  let out: Measure = { rate: 0, cpuMs: 0 };
  for (let r = 0; r < REPS; r++) {
    await prepare();
    const c0 = cpuNow();
    const t0 = performance.now();
    await run();
    const rate = envSteps / ((performance.now() - t0) / 1000);
    if (rate > out.rate) out = { rate, cpuMs: (cpuNow() - c0) / envSteps };
  }
  return out;
}

async function inProcess(withCameras: boolean): Promise<Measure> {
  const env = await createTaskEnv({ task: TASK, cameras: withCameras ? cameras : false });
  env.reset(1);
  for (let t = 0; t < WARMUP; t++) env.step(action(0, t));
  const m = await best(
    STEPS,
    () => env.reset(1),
    () => {
      for (let t = 0; t < STEPS; t++) env.step(action(0, t));
    },
  );
  env.close();
  return m;
}

async function vector(n: number): Promise<Measure> {
  const v = await VectorEnv.create({ envs: { task: TASK, count: n }, workers: WORKERS, cameras });
  try {
    const seeds = Array.from({ length: n }, (_, i) => i + 1);
    await v.reset(seeds);
    for (let t = 0; t < WARMUP; t++) await v.step(seeds.map((_, i) => action(i, t)));
    return await best(
      n * STEPS,
      () => v.reset(seeds),
      async () => {
        for (let t = 0; t < STEPS; t++) await v.step(seeds.map((_, i) => action(i, t)));
      },
    );
  } finally {
    await v.close();
  }
}

async function vectorChunks(n: number): Promise<Measure> {
  const v = await VectorEnv.create({ envs: { task: TASK, count: n }, workers: WORKERS, cameras });
  try {
    const seeds = Array.from({ length: n }, (_, i) => i + 1);
    const indices = seeds.map((_, i) => i);
    const limits = seeds.map(() => CHUNK);
    const play = async () => {
      for (let t = 0; t < STEPS; t += CHUNK) {
        const chunks = seeds.map((_, i) => Array.from({ length: CHUNK }, (_, c) => action(i, t + c)));
        await v.stepChunk(chunks, indices, limits, 'last');
      }
    };
    await v.reset(seeds);
    await play();
    return await best(n * STEPS, () => v.reset(seeds), play);
  } finally {
    await v.close();
  }
}

const row = (name: string, envs: string, workers: string, m: Measure, base: Measure, n = 1): string[] => [
  name,
  envs,
  workers,
  fmt(m.rate),
  fmt(m.rate / n),
  (m.rate / base.rate).toFixed(2),
  m.cpuMs.toFixed(2),
];

const base = await inProcess(true);
const rows: string[][] = [row('1 env, in-process (baseline)', '1', '-', base, base)];
rows.push(row('1 env, in-process, no cameras (physics only)', '1', '-', await inProcess(false), base));
for (const n of ENVS) {
  rows.push(row(`VectorEnv, ${n} envs`, String(n), String(Math.min(WORKERS, n)), await vector(n), base, n));
  rows.push(
    row(
      `VectorEnv, ${n} envs, chunks of ${CHUNK}, cameras at chunk end`,
      String(n),
      String(Math.min(WORKERS, n)),
      await vectorChunks(n),
      base,
      n,
    ),
  );
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
  'CPU ms per env step (all threads)',
];
const widths = head.map((h, c) => Math.max(h.length, ...rows.map((r) => (r[c] ?? '').length)));
const line = (cells: string[]) => `| ${cells.map((x, c) => x.padEnd(widths[c] ?? 0)).join(' | ')} |`;
console.log(line(head));
console.log(`| ${widths.map((w) => '-'.repeat(w)).join(' | ')} |`);
for (const r of rows) console.log(line(r));

function fmt(x: number): string {
  return x.toFixed(1);
}
