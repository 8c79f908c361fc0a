import { afterAll, describe, expect, it } from 'vitest';
import { sceneMjcf } from '../../core/sim/arm-mjcf';
import {
  createTaskEnv,
  listTasks,
  type MujocoTaskEnv,
  SIM_JOINT_LIMITS,
  type TaskEnv,
} from '../../core/sim/env';
import { expertFor, runExpertEpisode } from '../../core/sim/experts/index';
import { forwardKinematics, solveTopDownIk } from '../../core/sim/kinematics';
import { getMujoco, loadMjcf, MjcfError } from '../../core/sim/mujoco';
import { getTask } from '../../core/sim/tasks/suite';

const envs: TaskEnv[] = [];
async function env(
  task: string,
  cameras: { width: number; height: number } | false = false,
): Promise<TaskEnv> {
  const e = await createTaskEnv({ task, cameras });
  envs.push(e);
  return e;
}
afterAll(() => {
  for (const e of envs) e.close();
});

describe('task suite', () => {
  it('lists at least 6 tasks with instructions and step limits', () => {
    const tasks = listTasks();
    expect(tasks.length).toBeGreaterThanOrEqual(6);
    for (const t of tasks) {
      expect(t.id).toMatch(/^[a-z_]+$/);
      expect(t.instruction.length).toBeGreaterThan(5);
      expect(t.maxSteps).toBeGreaterThan(0);
    }
  });

  it('an unknown task id names the valid ones', async () => {
    expect(() => getTask('fold_laundry')).toThrow(/Unknown simulator task "fold_laundry".*lift_red_cube/);
    await expect(createTaskEnv({ task: 'fold_laundry' })).rejects.toThrow(/Valid tasks: .*press_button/);
  });
});

describe('TaskEnv', () => {
  it('observes 6 joint values and 64x64 front and wrist images by default', async () => {
    const e = await createTaskEnv({ task: 'lift_red_cube' });
    envs.push(e);
    const obs = e.reset(1);
    expect(obs.state).toHaveLength(6);
    expect(Object.keys(obs.images).sort()).toEqual(['front', 'wrist']);
    for (const img of Object.values(obs.images)) {
      expect([img.width, img.height, img.data.length]).toEqual([64, 64, 64 * 64 * 3]);
    }
    expect(e.jointLimits).toEqual(SIM_JOINT_LIMITS);
    expect(e.instruction).toBe('pick up the red cube');
  });

  it('the same seed gives the same states and images; another seed another layout', async () => {
    const e = await env('red_cube_in_bowl', { width: 24, height: 24 });
    const run = (seed: number) => {
      const frames = runExpertEpisode(e, seed, expertFor(e.taskId), { maxSteps: 40 }).frames;
      return {
        states: frames.map((f) => f.obs.state),
        objects: frames.map((f) => f.info.objects),
        images: frames.map((f) => Buffer.from(f.obs.images.front!.data).toString('base64')),
      };
    };
    const a = run(7);
    const b = run(7);
    expect(b.states).toEqual(a.states);
    expect(b.objects).toEqual(a.objects);
    expect(b.images).toEqual(a.images);
    const c = run(8);
    expect(c.objects[0]).not.toEqual(a.objects[0]);
  });

  it('layoutSpread keeps every object within that distance of one nominal scene, LIBERO-style', async () => {
    const spread = 0.02;
    const objectsAt = async (layoutSpread: number | undefined, seeds: number[]) => {
      const e = await createTaskEnv({ task: 'red_cube_in_bowl', cameras: false, layoutSpread });
      envs.push(e);
      return seeds.map((s) => {
        e.reset(s);
        return e.info().objects;
      });
    };
    const seeds = Array.from({ length: 30 }, (_, i) => i);
    const regional = await objectsAt(spread, seeds);
    const nominal = (await objectsAt(0, [0]))[0]!;
    const random = await objectsAt(undefined, seeds);
    const maxOffset = (layouts: typeof regional) =>
      Math.max(
        ...layouts.flatMap((o) =>
          Object.keys(nominal).map((k) =>
            Math.max(Math.abs(o[k]![0] - nominal[k]![0]), Math.abs(o[k]![1] - nominal[k]![1])),
          ),
        ),
      );
    expect(maxOffset(regional)).toBeLessThanOrEqual(spread + 1e-9);
    expect(maxOffset(regional)).toBeGreaterThan(spread / 2); // the seeds do move the objects
    expect(maxOffset(random)).toBeGreaterThan(0.05); // the default spans the workspace
    await expect(createTaskEnv({ task: 'lift_red_cube', layoutSpread: -1 })).rejects.toThrow(/layoutSpread/);
  });

  it('rejects NaN, infinite and wrong-length actions with a clear error', async () => {
    const e = await env('lift_red_cube');
    e.reset(0);
    expect(() => e.step([0, 0, Number.NaN, 0, 0, 50])).toThrow(/Action value 2 is NaN/);
    expect(() => e.step([0, 0, 0, Number.POSITIVE_INFINITY, 0, 50])).toThrow(/finite number/);
    expect(() => e.step([0, 0, 0])).toThrow(/Action must be 6 joint targets.*got 3 values/);
  });

  it('clamps out-of-range targets and keeps every joint inside its limits', async () => {
    const e = await env('press_button');
    e.reset(0);
    const extremes = [
      [500, 500, 500, 500, 500, 500],
      [-500, -500, -500, -500, -500, -500],
      [400, -400, 400, -400, 400, 400],
    ];
    let seen = 0;
    let panMax = Number.NEGATIVE_INFINITY;
    for (const target of extremes) {
      for (let t = 0; t < 45; t++) {
        const { obs } = e.step(target);
        obs.state.forEach((v, i) => {
          const l = SIM_JOINT_LIMITS[i]!;
          expect(v).toBeGreaterThanOrEqual(l.min - 1.5);
          expect(v).toBeLessThanOrEqual(l.max + 1.5);
        });
        panMax = Math.max(panMax, obs.state[0]!);
        seen++;
      }
    }
    expect(seen).toBe(135);
    // The arm did travel to a limit (the clamp is to the limit, not a refusal).
    expect(panMax).toBeGreaterThan(SIM_JOINT_LIMITS[0]!.max - 3);
  });

  it('a grasped cube stays in the gripper while the arm moves', async () => {
    const e = await env('lift_red_cube');
    const ep = runExpertEpisode(e, 3, expertFor('lift_red_cube'), { extraSteps: 30 });
    expect(ep.success).toBe(true);
    expect(ep.frames.at(-1)!.info.objects.red_cube![2]).toBeGreaterThan(0.1);
    let state = ep.frames.at(-1)!.obs.state;
    const start = [...state];
    for (let t = 0; t < 90; t++) {
      const phase = (t / 90) * 2 * Math.PI;
      const target = [
        start[0]! + 35 * Math.sin(phase),
        start[1]! - 10 * Math.sin(phase / 2),
        start[2]!,
        start[3]!,
        start[4]!,
        0,
      ];
      const step = e.step(target);
      state = step.obs.state;
      const cube = step.info.objects.red_cube!;
      const ee = step.info.eePos;
      expect(Math.hypot(cube[0] - ee[0], cube[1] - ee[1], cube[2] - ee[2])).toBeLessThan(0.025);
      expect(step.info.graspContact).toBe(true);
      expect(cube[2]).toBeGreaterThan(0.05);
    }
    expect(Math.abs(state[0]! - start[0]!)).toBeLessThan(10); // came back after the sweep
  });

  it('closing the gripper next to the cube does not lift it (no attachment shortcut)', async () => {
    const e = await env('lift_red_cube');
    e.reset(4);
    const cube = e.info().objects.red_cube!;
    const beside: [number, number, number] = [cube[0] - 0.06, cube[1], 0.02];
    const toDeg = (q: number[]) => q.map((v) => (v * 180) / Math.PI);
    const go = (p: [number, number, number], gripper: number, steps: number) => {
      const q = solveTopDownIk(p);
      expect(q).not.toBeNull();
      for (let t = 0; t < steps; t++) e.step([...toDeg(q!), gripper]);
    };
    go([beside[0], beside[1], 0.08], 65, 30);
    go(beside, 65, 30);
    go(beside, 0, 15);
    go([beside[0], beside[1], 0.14], 0, 40);
    expect(e.info().graspContact).toBe(false);
    expect(e.info().objects.red_cube![2]).toBeLessThan(0.02);
    expect(e.success()).toBe(false);
  });

  it('reports gripper contacts and success from physics', async () => {
    const e = await env('press_button');
    e.reset(5);
    expect(e.success()).toBe(false);
    expect(e.info().objectContacts).toEqual([]);
    const ep = runExpertEpisode(e, 5);
    expect(ep.success).toBe(true);
    expect(e.success()).toBe(true);
    expect(ep.frames.at(-1)!.info.objectContacts).toContain('button');
  });

  it('stepping with contacts does not grow the WASM heap (the contact list copy is freed)', async () => {
    const e = await env('both_cubes_in_bowl');
    const mujoco = await getMujoco();
    const heapBytes = () => {
      const b = new mujoco.DoubleBuffer(1);
      const n = (b.GetView() as Float64Array).buffer.byteLength;
      b.delete();
      return n;
    };
    const hold = e.reset(3).state;
    for (let i = 0; i < 200; i++) e.step(hold, { images: false });
    const before = heapBytes();
    // Leaking a copy of ~8 contacts per step grew the heap by ~5 KB a step (20 MB here).
    for (let i = 0; i < 4000; i++) e.step(hold, { images: false });
    expect((e as MujocoTaskEnv).scene.data.ncon).toBeGreaterThan(4); // cubes and bowl on the table
    expect(heapBytes() - before).toBeLessThan(1 << 20);
  });

  it('other control rates keep the time budget and the experts still work', async () => {
    for (const controlHz of [15, 60]) {
      const e = await createTaskEnv({ task: 'stack_red_on_blue', cameras: false, controlHz });
      envs.push(e);
      expect(e.maxSteps).toBe(Math.round((getTask('stack_red_on_blue').maxSteps * controlHz) / 30));
      for (const seed of [11, 12])
        expect(runExpertEpisode(e, seed).success, `${controlHz} Hz seed ${seed}`).toBe(true);
    }
    await expect(createTaskEnv({ task: 'lift_red_cube', controlHz: 0 })).rejects.toThrow(/controlHz must be/);
    await expect(createTaskEnv({ task: 'lift_red_cube', cameras: { width: 0, height: 8 } })).rejects.toThrow(
      /width and height must be positive integers/,
    );
  });

  it('is unusable after close, with a message saying what to do', async () => {
    const e = await createTaskEnv({ task: 'lift_red_cube', cameras: false });
    e.close();
    e.close(); // idempotent
    expect(() => e.reset(0)).toThrow(/closed; create a new one/);
  });

  it('torque off lets the arm sag under gravity; torque on holds it again', async () => {
    const e = (await env('lift_red_cube')) as MujocoTaskEnv;
    const s0 = e.reset(0).state;
    const hold = [...s0];
    for (let t = 0; t < 20; t++) e.step(hold);
    const held = e.state();
    e.setTorque(false);
    for (let t = 0; t < 30; t++) e.step(hold);
    const sagged = e.state();
    e.setTorque(true);
    const drift = (a: number[], b: number[]) => Math.max(...a.slice(0, 4).map((v, i) => Math.abs(v - b[i]!)));
    expect(drift(held, s0)).toBeLessThan(2);
    expect(drift(sagged, held)).toBeGreaterThan(5);
  });
});

describe('MJCF loading and kinematics', () => {
  it('a malformed MJCF fails with MuJoCo’s own message', async () => {
    const mujoco = await getMujoco();
    const bad = sceneMjcf({ name: 'bad', worldBodies: '<bodyy name="x"/>' });
    expect(() => loadMjcf(mujoco, bad, 'bad')).toThrow(MjcfError);
    expect(() => loadMjcf(mujoco, bad, 'bad')).toThrow(/unrecognized element[\s\S]*bodyy/);
    expect(() => loadMjcf(mujoco, '<mujoco><worldbody><body>', 'truncated')).toThrow(
      /XML parse error|mismatched|XML_ERROR/i,
    );
    expect(() =>
      loadMjcf(mujoco, '<mujoco><worldbody><geom type="box" size="-1"/></worldbody></mujoco>', 'neg'),
    ).toThrow(/MuJoCo could not load the MJCF model "neg": .*size/);
  });

  it('closed-form IK agrees with MuJoCo’s forward kinematics', async () => {
    const mujoco = await getMujoco();
    const { model, data } = loadMjcf(mujoco, sceneMjcf({ name: 'ik', worldBodies: '' }), 'ik');
    const tcp = mujoco.mj_name2id(model, mujoco.mjtObj.mjOBJ_SITE.value, 'tcp');
    let worst = 0;
    for (let i = 0; i < 50; i++) {
      const a = -0.8 + (1.6 * i) / 49;
      const r = 0.13 + (0.13 * ((i * 7) % 11)) / 10;
      const target: [number, number, number] = [r * Math.cos(a), r * Math.sin(a), 0.02 + 0.012 * (i % 10)];
      const q = solveTopDownIk(target);
      expect(q, `reachable ${target}`).not.toBeNull();
      for (let j = 0; j < 5; j++) (data.qpos as Float64Array)[j] = q![j]!;
      mujoco.mj_kinematics(model, data);
      const p = (data.site_xpos as Float64Array).slice(3 * tcp, 3 * tcp + 3);
      const fk = forwardKinematics(q!).pos;
      worst = Math.max(worst, Math.hypot(p[0]! - target[0], p[1]! - target[1], p[2]! - target[2]));
      worst = Math.max(worst, Math.hypot(p[0]! - fk[0], p[1]! - fk[1], p[2]! - fk[2]));
    }
    data.delete();
    model.delete();
    expect(worst).toBeLessThan(1e-9);
  });
});
