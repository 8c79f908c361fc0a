import { describe, expect, it } from 'vitest';
import { SO101_CHAIN, SO101_TOOL, so101EndEffector } from '../../../core/rl/pushcut/so101-fk';

// Pan axis: the shoulder_pan joint origin's xy in the base frame (its z axis points straight down).
const PAN_XY = [SO101_CHAIN[0]?.xyz[0] ?? 0, SO101_CHAIN[0]?.xyz[1] ?? 0];

describe('SO-101 forward kinematics', () => {
  it('puts the zero pose where the URDF chain does', () => {
    // Reference computed independently with numpy by chaining the so101_new_calib.urdf joint
    // origins (T(xyz) * Rz(yaw) Ry(pitch) Rx(roll), then Rz(q)) and the gripperframe joint.
    const p = so101EndEffector([0, 0, 0, 0, 0]);
    expect(p[0]).toBeCloseTo(0.020398, 5);
    expect(p[1]).toBeCloseTo(-0.375601, 5);
    expect(p[2]).toBeCloseTo(0.258953, 5);
  });

  it('at zero pose is straight out: reach = sum of link lengths along the arm', () => {
    // lift->elbow 0.11257, elbow->wrist 0.1349, wrist->roll 0.0611, roll->tool 0.0981 (plus small
    // side offsets): the tool is ~0.35 m from the pan axis horizontally.
    const p = so101EndEffector([0, 0, 0, 0, 0]);
    const r = Math.hypot(p[0] - (PAN_XY[0] ?? 0), p[1] - (PAN_XY[1] ?? 0));
    expect(r).toBeGreaterThan(0.34);
    expect(r).toBeLessThan(0.37);
    expect(SO101_TOOL.xyz[2]).toBeCloseTo(-0.0981274, 7);
  });

  it('turns about a vertical pan axis: height and radius kept, bearing rotated by the pan angle', () => {
    const a = so101EndEffector([0, -30, 40, 20, 0]);
    const b = so101EndEffector([90, -30, 40, 20, 0]);
    expect(b[2]).toBeCloseTo(a[2], 4);
    const va = [a[0] - (PAN_XY[0] ?? 0), a[1] - (PAN_XY[1] ?? 0)] as const;
    const vb = [b[0] - (PAN_XY[0] ?? 0), b[1] - (PAN_XY[1] ?? 0)] as const;
    expect(Math.hypot(...vb)).toBeCloseTo(Math.hypot(...va), 4);
    const turn = Math.atan2(vb[1], vb[0]) - Math.atan2(va[1], va[0]);
    const wrapped = Math.atan2(Math.sin(turn), Math.cos(turn));
    expect(Math.abs(wrapped)).toBeCloseTo(Math.PI / 2, 3); // the axis points down: +90 deg turns clockwise
  });

  it('bending the elbow 90 deg brings the hand closer and lower than the straight arm', () => {
    const straight = so101EndEffector([0, 0, 0, 0, 0]);
    const bent = so101EndEffector([0, 0, 90, 0, 0]);
    // numpy reference for (0, 0, 90, 0, 0): (0.020395, -0.078774, -0.032476)
    expect(bent[1]).toBeCloseTo(-0.078774, 5);
    expect(bent[2]).toBeCloseTo(-0.032476, 5);
    expect(Math.abs(bent[1])).toBeLessThan(Math.abs(straight[1]));
  });

  it('ignores the gripper value', () => {
    expect(so101EndEffector([10, 20, 30, 40, 50, 0])).toEqual(so101EndEffector([10, 20, 30, 40, 50, 100]));
  });
});
