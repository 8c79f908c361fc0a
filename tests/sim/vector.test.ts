import { afterAll, describe, expect, it } from 'vitest';
import { createTaskEnv as createArmEnv, HOME_STATE } from '../../core/sim/env';
import { runExpertEpisode } from '../../core/sim/experts';
import type { EnvObservation, EnvStep, TaskEnv } from '../../core/sim/vector/contract';
import { createTaskEnv, PROBE_ENV_MODULE } from '../../core/sim/vector/probe-env';
import { VectorEnv } from '../../core/sim/vector/vector-env';

const cameras = { width: 16, height: 12 };
const open: VectorEnv[] = [];
const local: TaskEnv[] = [];

async function vector(
  opts: Omit<Parameters<typeof VectorEnv.create>[0], 'factoryModule'>,
): Promise<VectorEnv> {
  const v = await VectorEnv.create({ ...opts, factoryModule: PROBE_ENV_MODULE });
  open.push(v);
  return v;
}

async function inProcess(task = 'probe'): Promise<TaskEnv> {
  const env = await createTaskEnv({ task, cameras });
  local.push(env);
  return env;
}

function plain(obs: EnvObservation) {
  return {
    state: obs.state,
    images: Object.fromEntries(
      Object.entries(obs.images).map(([k, f]) => [k, [f.width, f.height, Buffer.from(f.data)]]),
    ),
  };
}

afterAll(async () => {
  await Promise.all(open.map((v) => v.close()));
  for (const e of local) e.close();
});

describe('VectorEnv', () => {
  it('resets and steps N envs over 2 workers exactly like single in-process envs, in env order', async () => {
    const v = await vector({ envs: { task: 'probe', count: 5 }, workers: 2, cameras });
    expect(v.size).toBe(5);
    expect(v.workerCount).toBe(2);
    expect(v.envs.map((e) => e.taskId)).toEqual(['probe', 'probe', 'probe', 'probe', 'probe']);
    const seeds = [11, 22, 33, 44, 55];
    const refs = await Promise.all(seeds.map(() => inProcess()));
    const got = await v.reset(seeds);
    const want = refs.map((e, i) => e.reset(seeds[i] as number));
    expect(got.map(plain)).toEqual(want.map(plain));
    expect(Object.keys(got[0]?.images ?? {}).sort()).toEqual(['front', 'wrist']);
    // Each frame arrives in its own (transferred) buffer, not a view into a shared slab.
    expect(got[0]?.images.front?.data.buffer.byteLength).toBe(16 * 12 * 3);
    // Different seeds really give different starts, so a mix-up of envs would show.
    expect(got[0]?.state).not.toEqual(got[1]?.state);

    for (let t = 0; t < 3; t++) {
      const actions = seeds.map((_, i) => [10 * i - 20 + 5 * t, 15 - 7 * i]);
      const steps = await v.step(actions);
      const expected = refs.map((e, i) => e.step(actions[i] as number[]));
      expect(steps.map((s) => plain(s.obs))).toEqual(expected.map((s) => plain(s.obs)));
      expect(steps.map((s) => [s.success, s.info])).toEqual(expected.map((s) => [s.success, s.info]));
    }
    expect(v.liveWorkers()).toBe(2);
    await v.close();
    expect(v.liveWorkers()).toBe(0);
  });

  it('resets and steps a subset of envs by index, results in the order asked', async () => {
    const v = await vector({ envs: { task: 'probe', count: 4 }, workers: 2, cameras: false });
    const all = await v.reset([1, 2, 3, 4]);
    const [a, b] = await v.reset([4, 1], [3, 0]);
    expect(a?.state).toEqual(all[3]?.state);
    expect(b?.state).toEqual(all[0]?.state);
    expect(a?.images).toEqual({});
    const ref = await inProcess();
    ref.reset(2);
    const [s1] = await v.step([[30, -30]], [1]);
    expect(s1?.obs.state).toEqual(ref.step([30, -30]).obs.state);
  });

  it('plays action chunks in one call exactly like stepping, up to each step limit, images as asked', async () => {
    const v = await vector({ envs: { task: 'probe', count: 3 }, workers: 2, cameras });
    const seeds = [7, 8, 9];
    const refs = await Promise.all(seeds.map(() => inProcess()));
    await v.reset(seeds);
    for (const [i, e] of refs.entries()) e.reset(seeds[i] as number);
    const chunk = (i: number, t: number) =>
      Array.from({ length: 4 }, (_, c) => [20 * i - 20 + 4 * c + t, 10 - 6 * c - t]);
    for (const [t, images] of [
      [0, 'last'],
      [1, 'all'],
    ] as const) {
      const limits = [4, 2, 3];
      const got = await v.stepChunk(
        seeds.map((_, i) => chunk(i, t)),
        [0, 1, 2],
        limits,
        images,
      );
      refs.forEach((e, i) => {
        const want = chunk(i, t)
          .slice(0, limits[i])
          .map((a) => e.step(a));
        const steps = got[i] ?? [];
        expect(steps.map((s) => [s.obs.state, s.success])).toEqual(want.map((s) => [s.obs.state, s.success]));
        steps.forEach((s, c) => {
          const last = c === steps.length - 1;
          if (images === 'all' || last) expect(plain(s.obs)).toEqual(plain((want[c] as EnvStep).obs));
          else expect(s.obs.images).toEqual({});
        });
      });
    }
    await expect(v.stepChunk([[[0, 0]]], [0], [1, 1], 'last')).rejects.toThrow(/1 chunks but 2 step limits/);
  });

  it('rejects a bad batch with a clear message; the other envs still advance and stay usable', async () => {
    // One worker hosts both envs, so the failing env sits in the same batch as the good one.
    const v = await vector({ envs: [{ task: 'probe' }, { task: 'probe' }], workers: 1 });
    await v.reset([1, 2]);
    await expect(v.step([[0, 0]])).rejects.toThrow(/got 1 actions for 2 envs/);
    await expect(v.step([[0, 0]], [7])).rejects.toThrow(/out of range/);
    const bad = [
      [5, 5],
      [Number.NaN, 0],
    ];
    await expect(v.step(bad)).rejects.toThrow(
      /Env 1 \(probe\).*2 finite joint targets.*every other env in this call completed it/,
    );
    const [s0] = await v.step([[5, 5]], [0]);
    const ref = await inProcess();
    ref.reset(1);
    ref.step([5, 5]);
    expect(s0?.obs.state).toEqual(ref.step([5, 5]).obs.state);
    expect(
      await v.step([
        [0, 0],
        [1, 1],
      ]),
    ).toHaveLength(2);
  });

  it('close() during a pending call returns, and the call settles', async () => {
    const v = await VectorEnv.create({
      envs: { task: 'probe', count: 2 },
      workers: 1,
      factoryModule: PROBE_ENV_MODULE,
    });
    await v.reset([1, 2]);
    const pending = v.step([
      [1, 1],
      [2, 2],
    ]);
    const settled = pending.then(
      () => 'resolved',
      (err: Error) => err.message,
    );
    await v.close();
    expect(await settled).toMatch(/resolved|closed/);
    expect(v.liveWorkers()).toBe(0);
  });

  it('refuses bad sizes before starting any worker', async () => {
    await expect(vector({ envs: { task: 'probe', count: 0 } })).rejects.toThrow(
      /count must be a positive whole number/,
    );
    await expect(vector({ envs: [] })).rejects.toThrow(/at least one env/);
    await expect(vector({ envs: { task: 'probe', count: 2 }, workers: 1.5 })).rejects.toThrow(
      /workers must be/,
    );
  });

  it('replaces an env with setTask', async () => {
    const v = await vector({ envs: { task: 'probe', count: 2 }, workers: 1 });
    const meta = await v.setTask(1, 'probe-crash');
    expect(meta.taskId).toBe('probe-crash');
    expect(v.envs[1]?.taskId).toBe('probe-crash');
    await expect(v.setTask(0, 'no-such-task')).rejects.toThrow(/Unknown probe task "no-such-task"/);
    expect(v.envs[0]?.taskId).toBe('probe');
  });

  it('fails creation with the env error, naming the worker and env', async () => {
    await expect(vector({ envs: [{ task: 'probe' }, { task: 'nope' }], workers: 2 })).rejects.toThrow(
      /worker 1 \(envs 1\) could not create its envs: Unknown probe task "nope"/,
    );
  });

  it('rejects the pending call when a worker crashes, then refuses calls, and close() returns', async () => {
    const v = await VectorEnv.create({
      envs: [{ task: 'probe' }, { task: 'probe-crash' }, { task: 'probe' }],
      workers: 2,
      factoryModule: PROBE_ENV_MODULE,
    });
    await v.reset([1, 2, 3]);
    const crash = v.step([
      [0, 0],
      [0, 0],
      [0, 0],
    ]);
    await expect(crash).rejects.toThrow(
      /Simulation worker 1 \(envs 1\) exited unexpectedly with code 3.*create a new one/,
    );
    await expect(v.reset([1, 2, 3])).rejects.toThrow(/worker 1/);
    await v.close();
    await v.close();
    await expect(v.reset([1, 2, 3])).rejects.toThrow(/closed/);
  });

  it('hosts the real arm task envs (default env module) with results identical to in-process envs', async () => {
    const tasks = ['lift_red_cube', 'press_button', 'red_cube_in_bowl'];
    const v = await VectorEnv.create({ envs: tasks.map((task) => ({ task })), workers: 2, cameras });
    open.push(v);
    expect(v.envs.map((e) => e.taskId)).toEqual(tasks);
    expect(v.envs[0]?.jointLimits).toHaveLength(6);
    const refs = await Promise.all(tasks.map((task) => createArmEnv({ task, cameras })));
    local.push(...refs);
    const seeds = [5, 6, 7];
    const got = await v.reset(seeds);
    expect(got.map(plain)).toEqual(refs.map((e, i) => plain(e.reset(seeds[i] as number))));
    expect(got[0]?.images.front?.data.length).toBe(16 * 12 * 3);
    for (let t = 0; t < 2; t++) {
      const actions = tasks.map((_, i) => HOME_STATE.map((q, j) => (j === 0 ? q + 10 * (i - 1) : q)));
      const steps = await v.step(actions);
      const expected = refs.map((e, i) => e.step(actions[i] as number[]));
      expect(steps.map((s) => [plain(s.obs), s.success, s.info])).toEqual(
        expected.map((s) => [plain(s.obs), s.success, s.info]),
      );
    }
  });

  it('resets along a replayed prefix: the env starts where a demo left the scene', async () => {
    const task = 'lift_red_cube';
    const ref = await createArmEnv({ task, cameras: false });
    local.push(ref);
    const demo = runExpertEpisode(ref, 4);
    expect(demo.success).toBe(true);
    const actions = demo.frames.map((f) => f.action);
    const k = actions.length - 5; // the cube is already in the hand here
    const v = await VectorEnv.create({ envs: [{ task }, { task }], workers: 1, cameras });
    open.push(v);
    const [mid, fresh] = await v.reset([4, 4], [0, 1], [actions.slice(0, k), undefined]);
    expect(mid?.state).toEqual(demo.frames[k]?.obs.state);
    expect(mid?.images.front?.data.length).toBe(16 * 12 * 3);
    expect(fresh?.state).toEqual(demo.frames[0]?.obs.state);
    // the rest of the demo finishes the task from there; the fresh env is nowhere near
    const [rest, other] = await v.stepChunk([actions.slice(k), actions.slice(k)], [0, 1], [99, 99], 'last');
    expect(rest?.at(-1)?.success).toBe(true);
    expect(other?.some((s) => s.success)).toBe(false);
  });
});
