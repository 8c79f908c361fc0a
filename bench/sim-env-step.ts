/**
 * Cost of the TaskEnv layer over raw MuJoCo: physics steps/s of a bare mj_step loop on a task's
 * model (baseline) against TaskEnv.step (joint targets in, state + StepInfo out), with and without
 * 64x64 front+wrist cameras, and whole scripted-expert episodes.
 *
 *   npx tsx bench/sim-env-step.ts [--task lift_red_cube] [--steps 600] [--reps 3]
 */
import { cpus } from 'node:os';
import { createTaskEnv, HOME_STATE, type MujocoTaskEnv } from '../core/sim/env';
import { expertFor, runExpertEpisode } from '../core/sim/experts/index';

const args = process.argv.slice(2);
const opt = (name: string, def: string) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? (args[i + 1] ?? def) : def;
};
const TASK = opt('task', 'lift_red_cube');
const CONTROL_STEPS = Number(opt('steps', '600'));

const REPS = Number(opt('reps', '3'));
const raw = (await createTaskEnv({ task: TASK, cameras: false })) as MujocoTaskEnv;
const cam = await createTaskEnv({ task: TASK, cameras: { width: 64, height: 64 } });
const sub = raw.substeps;
const wiggle = (t: number) =>
  HOME_STATE.map((v, i) => (i < 5 ? v + 20 * Math.sin(t / 15 + i) : 50 + 40 * Math.sin(t / 20)));

/** Each returns control steps done and seconds taken. */
const runs: { name: string; run: () => { steps: number; s: number } }[] = [
  {
    name: 'raw mj_step loop (baseline)',
    run: () => {
      const { mujoco, model, data } = raw.scene;
      raw.reset(0);
      const n = CONTROL_STEPS * sub;
      const t0 = performance.now();
      for (let i = 0; i < n; i++) mujoco.mj_step(model, data);
      return { steps: CONTROL_STEPS, s: (performance.now() - t0) / 1000 };
    },
  },
  ...[raw, cam].map((env) => ({
    name: `TaskEnv.step, ${env === cam ? '64x64 front+wrist' : 'no cameras'}`,
    run: () => {
      env.reset(0);
      const t0 = performance.now();
      for (let t = 0; t < CONTROL_STEPS; t++) env.step(wiggle(t));
      return { steps: CONTROL_STEPS, s: (performance.now() - t0) / 1000 };
    },
  })),
  {
    name: 'expert episodes, no cameras',
    run: () => {
      let steps = 0;
      const t0 = performance.now();
      for (let seed = 0; steps < CONTROL_STEPS; seed++)
        steps += runExpertEpisode(raw, seed, expertFor(TASK)).frames.length;
      return { steps, s: (performance.now() - t0) / 1000 };
    },
  },
];

// Interleaved repetitions, best of each (the machine is shared; the best run is the least disturbed).
const best = runs.map(() => 0);
for (let rep = 0; rep < REPS + 1; rep++) {
  runs.forEach((r, i) => {
    const { steps, s } = r.run();
    if (rep > 0) best[i] = Math.max(best[i]!, steps / s); // rep 0 warms the JIT
  });
}
raw.close();
cam.close();
const rows = runs.map((r, i) => ({ name: r.name, controlPerS: best[i]!, physicsPerS: best[i]! * sub }));

const base = rows[0]!.physicsPerS;
console.log(
  `task ${TASK}, ${sub} physics substeps per control step, ${cpus().length} CPUs, ${cpus()[0]?.model ?? ''}`,
);
console.log('| run | physics steps/s | control steps/s | vs baseline |');
console.log('|---|---:|---:|---:|');
for (const r of rows) {
  console.log(
    `| ${r.name} | ${r.physicsPerS.toFixed(0)} | ${r.controlPerS.toFixed(0)} | ${(r.physicsPerS / base).toFixed(2)}x |`,
  );
}
