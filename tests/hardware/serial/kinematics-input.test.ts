import { describe, expect, it } from 'vitest';
import { So101Kinematics } from '../../../core/hardware/arms/so101-kinematics';
import type { Observation, Robot, RobotFeatures } from '../../../core/hardware/robot';
import { SO101_JOINTS } from '../../../core/hardware/robot';
import { inputEventSchema } from '../../../core/hardware/teleop/input-events';
import { InputTeleop } from '../../../core/hardware/teleop/input-teleop';

describe('SO-101 kinematics', () => {
  const kin = new So101Kinematics();
  it('zero pose by hand: arm up then forward', () => {
    const p = kin.forward([0, 0, 0, 0, 0]);
    expect(p.x).toBeCloseTo(0.0304 + 0.028 + 0.1349 + 0.0611 + 0.0981, 9);
    expect(p.y).toBeCloseTo(0, 9);
    expect(p.z).toBeCloseTo(0.0949 + 0.0542 + 0.1126, 9);
    expect(p.pitch).toBeCloseTo(0, 9);
    // pan 90 deg swings the same reach onto +y
    const q = kin.forward([90, 0, 0, 0, 0]);
    expect(q.y).toBeCloseTo(p.x, 9);
    // wrist_flex 90 deg points the tool straight down
    const d = kin.forward([0, 0, 0, 90, 0]);
    expect(d.pitch).toBeCloseTo(Math.PI / 2, 9);
    expect(d.z).toBeCloseTo(p.z - 0.0611 - 0.0981, 9);
  });
  it('inverse kinematics reproduces 2000 random poses of the arm', () => {
    let seed = 7;
    const rnd = () => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed / 2 ** 31;
    };
    let solved = 0;
    for (let k = 0; k < 2000; k++) {
      const q = [0, 1, 2, 3, 4].map((i) => (rnd() * 2 - 1) * [100, 95, 90, 90, 150][i]!);
      const pose = kin.forward(q);
      const sol = kin.inverse(pose);
      if (!sol) continue; // the elbow-up solution may be outside the joint limits
      solved++;
      const back = kin.forward(sol);
      expect(back.x).toBeCloseTo(pose.x, 9);
      expect(back.y).toBeCloseTo(pose.y, 9);
      expect(back.z).toBeCloseTo(pose.z, 9);
      expect(back.pitch).toBeCloseTo(pose.pitch, 9);
    }
    expect(solved).toBeGreaterThan(600);
    expect(kin.inverse({ x: 1, y: 0, z: 0.2, pitch: 0, roll: 0 })).toBeNull();
  });
});

/** A robot stub recording what it is sent (unit test of the input mapping only). */
class RecordingRobot implements Robot {
  readonly backend = 'stub';
  readonly features: RobotFeatures = {
    joints: [...SO101_JOINTS],
    limits: SO101_JOINTS.map((j) => (j === 'gripper' ? { min: 0, max: 100 } : { min: -110, max: 110 })),
    cameras: [],
    robotType: 'stub',
  };
  state = [0, 30, -20, 60, 0, 50];
  estops = 0;
  async connect() {}
  async observe(): Promise<Observation> {
    return { state: [...this.state], images: {}, t: 0 };
  }
  async act(t: number[]) {
    this.state = [...t];
  }
  async torque() {}
  async estop() {
    this.estops++;
  }
  async close() {}
}

describe('keyboard and gamepad teleop mapping', () => {
  it('joint space: held keys move one joint at the set speed; Space e-stops', async () => {
    const robot = new RecordingRobot();
    const t = new InputTeleop({ robot, jointSpeed: 40 });
    await t.start();
    await t.stop();
    await t.handle({ type: 'key', code: 'KeyQ', down: true });
    await t.handle({ type: 'key', code: 'KeyH', down: true });
    const q = t.step(0.5)!;
    expect(q[0]).toBeCloseTo(20, 9);
    expect(q[5]).toBeCloseTo(50 - 40, 9); // gripper closes at 80 %/s
    expect(q.slice(1, 5)).toEqual([30, -20, 60, 0]);
    await t.handle({ type: 'key', code: 'KeyQ', down: false });
    expect(t.step(0.5)![0]).toBeCloseTo(20, 9);
    await t.handle({ type: 'key', code: 'Space', down: true });
    expect(robot.estops).toBe(1);
    expect(t.loop.safety.estopped).toBe(true);
  });

  it('end-effector space: W moves the tool forward in a straight line, gamepad the same', async () => {
    const robot = new RecordingRobot();
    const kin = new So101Kinematics();
    const t = new InputTeleop({ robot, space: 'ee', linearSpeed: 0.05, kinematics: kin });
    await t.start();
    await t.stop();
    const before = kin.forward(robot.state);
    await t.handle({ type: 'key', code: 'KeyW', down: true });
    const q = t.step(0.4)!;
    const after = kin.forward(q);
    expect(after.x - before.x).toBeCloseTo(0.02, 6);
    expect(after.y).toBeCloseTo(before.y, 6);
    expect(after.z).toBeCloseTo(before.z, 6);
    expect(after.pitch).toBeCloseTo(before.pitch, 6);
    await t.handle({ type: 'clear' });
    await t.handle({ type: 'gamepad', axes: [0, 0, 0, -1], buttons: [] }); // right stick up: z up
    const up = kin.forward(t.step(0.2)!);
    expect(up.z - after.z).toBeCloseTo(0.01, 6);
    await t.handle({ type: 'gamepad', axes: [0, 0, 0, 0], buttons: [0, 0, 0, 0, 0, 0, 0, 0, 1] });
    expect(robot.estops).toBe(1);
  });
});

describe('input event schema', () => {
  it('accepts what a renderer sends and rejects malformed events', () => {
    expect(inputEventSchema.safeParse({ type: 'key', code: 'Space', down: true }).success).toBe(true);
    expect(
      inputEventSchema.safeParse({ type: 'gamepad', axes: [0.5, -1], buttons: [true, 0.3] }).success,
    ).toBe(true);
    expect(inputEventSchema.safeParse({ type: 'gamepad', axes: [Number.NaN], buttons: [] }).success).toBe(
      false,
    );
    expect(inputEventSchema.safeParse({ type: 'key', code: 'KeyW' }).success).toBe(false);
    expect(inputEventSchema.safeParse({ type: 'mode', mode: 'cartesian' }).success).toBe(false);
  });
});
