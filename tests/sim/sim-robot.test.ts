import { afterEach, describe, expect, it } from 'vitest';
import { type Robot, RobotError, SO101_JOINTS } from '../../core/hardware/robot';
import { SafetyLayer } from '../../core/hardware/safety';
import { SimRobot } from '../../core/hardware/sim/sim-robot';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const robots: SimRobot[] = [];
function make(opts: ConstructorParameters<typeof SimRobot>[0] = {}): SimRobot {
  const r = new SimRobot({ cameras: false, ...opts });
  robots.push(r);
  return r;
}
afterEach(async () => {
  for (const r of robots.splice(0)) await r.close();
});

/** Poll until `pred` holds (physics runs in real time on a timer), or give up after `ms`. */
async function waitFor(pred: () => Promise<boolean>, ms = 8000): Promise<boolean> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (await pred()) return true;
    await sleep(50);
  }
  return false;
}

describe('SimRobot', () => {
  it('implements Robot with SO-101 features, front and wrist cameras', async () => {
    const robot: Robot = new SimRobot({ cameras: { width: 16, height: 12 } });
    robots.push(robot as SimRobot);
    expect(robot.backend).toBe('sim');
    expect(robot.features.joints).toEqual([...SO101_JOINTS]);
    expect(robot.features.robotType).toBe('so101_sim');
    expect(robot.features.cameras).toEqual([
      { name: 'front', width: 16, height: 12 },
      { name: 'wrist', width: 16, height: 12 },
    ]);
    expect(robot.features.limits).toHaveLength(6);
    await robot.connect();
    const obs = await robot.observe();
    expect(obs.state).toHaveLength(6);
    expect(obs.images.front!.data.length).toBe(16 * 12 * 3);
    expect(obs.t).toBeGreaterThanOrEqual(0);
  });

  it('refuses to work before connect, with what to do', async () => {
    const robot = make();
    await expect(robot.observe()).rejects.toThrow(/not connected.*connect\(\)/);
  });

  it('moves toward commanded targets in real time', async () => {
    const robot = make();
    await robot.connect();
    const start = (await robot.observe()).state;
    const target = [...start];
    target[0] = start[0]! + 25;
    target[5] = 20;
    await robot.act(target);
    const reached = await waitFor(async () => {
      const s = (await robot.observe()).state;
      return Math.abs(s[0]! - target[0]!) < 2 && Math.abs(s[5]! - 20) < 3;
    });
    expect(reached).toBe(true);
  });

  it('rejects NaN and wrong-length targets itself, and the SafetyLayer in front rejects NaN too', async () => {
    const robot = make();
    await robot.connect();
    const state = (await robot.observe()).state;
    await expect(robot.act([0, 0, Number.NaN, 0, 0, 50])).rejects.toThrow(RobotError);
    await expect(robot.act([0, 0, Number.NaN, 0, 0, 50])).rejects.toThrow(/elbow_flex target is NaN/);
    await expect(robot.act([1, 2])).rejects.toThrow(/needs 6 joint targets/);

    const safety = new SafetyLayer({ limits: robot.features.limits, maxStepChange: [5, 5, 5, 5, 5, 10] });
    safety.reset(state);
    const verdict = safety.filter([state[0]!, Number.NaN, 0, 0, 0, 50]);
    expect(verdict.ok).toBe(false);
    // A valid command passes through the safety layer (bounded step) and moves the sim arm.
    const goal = [...state];
    goal[0] = state[0]! + 30;
    for (let i = 0; i < 10; i++) {
      const v = safety.filter(goal);
      expect(v.ok).toBe(true);
      if (v.ok) await robot.act(v.target);
    }
    const moved = await waitFor(async () => Math.abs((await robot.observe()).state[0]! - goal[0]!) < 2);
    expect(moved).toBe(true);
  });

  it('clamps out-of-range targets to the joint limits', async () => {
    const robot = make();
    await robot.connect();
    await robot.act([1000, 0, 0, 0, 0, 50]);
    const atLimit = await waitFor(
      async () => (await robot.observe()).state[0]! > robot.features.limits[0]!.max - 3,
    );
    expect(atLimit).toBe(true);
    expect((await robot.observe()).state[0]!).toBeLessThanOrEqual(robot.features.limits[0]!.max + 1.5);
  });

  it('e-stop holds the current position; torque off makes the arm sag', async () => {
    const robot = make();
    await robot.connect();
    const start = (await robot.observe()).state;
    await robot.act([start[0]! + 60, ...start.slice(1)]);
    await waitFor(async () => (await robot.observe()).state[0]! > start[0]! + 15);
    await robot.estop();
    const stopped = (await robot.observe()).state[0]!;
    await sleep(500);
    const later = (await robot.observe()).state[0]!;
    expect(Math.abs(later - stopped)).toBeLessThan(6);
    expect(later).toBeLessThan(start[0]! + 55);

    const before = (await robot.observe()).state;
    await robot.torque('off');
    const sagged = await waitFor(async () => Math.abs((await robot.observe()).state[1]! - before[1]!) > 5);
    expect(sagged).toBe(true);
    await robot.torque('on');
    const held = (await robot.observe()).state;
    await sleep(400);
    const after = (await robot.observe()).state;
    expect(Math.abs(after[1]! - held[1]!)).toBeLessThan(8);
  });

  it('reset(seed) re-places objects and setTask loads another scene; unknown tasks are named', async () => {
    const robot = make({ task: 'red_cube_in_bowl', seed: 1 });
    await robot.connect();
    expect(robot.task.instruction).toBe('put the red cube in the bowl');
    const a = robot.info!.objects.red_cube;
    await robot.reset(2);
    const b = robot.info!.objects.red_cube;
    expect(b).not.toEqual(a);
    await robot.setTask('press_button', 3);
    expect(robot.task.id).toBe('press_button');
    expect(robot.info!.objects.button).toBeDefined();
    await expect(robot.setTask('juggle')).rejects.toThrow(/Valid tasks:/);
    expect(robot.task.id).toBe('press_button');
  });

  it('with a layout region, every seed places objects within it (LIBERO-style demos in the app)', async () => {
    const robot = make({ task: 'red_cube_in_bowl', seed: 1, layoutSpread: 0.01 });
    await robot.connect();
    const first = robot.info!.objects.red_cube!;
    for (const seed of [2, 3, 4]) {
      await robot.reset(seed);
      const p = robot.info!.objects.red_cube!;
      expect(p).not.toEqual(first);
      // two jittered placements of the same nominal spot: at most 2 × 1 cm apart on each axis
      expect(Math.abs(p[0] - first[0])).toBeLessThanOrEqual(0.0201);
      expect(Math.abs(p[1] - first[1])).toBeLessThanOrEqual(0.0201);
    }
  });

  it('close stops the loop and frees the simulation', async () => {
    const robot = make();
    await robot.connect();
    await robot.close();
    expect(robot.connected).toBe(false);
    await expect(robot.observe()).rejects.toThrow(/not connected/);
  });
});
