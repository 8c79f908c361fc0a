import { ARM_GEOMETRY, ARM_LIMITS_RAD } from './arm-mjcf';

/**
 * Closed-form kinematics of the simulated SO-101 (see arm-mjcf.ts for the frames).
 * After the pan joint the chain is planar: lift, elbow and wrist_flex all turn about the pan
 * frame's y axis, so a TCP position plus a pitch (angle of the gripper below horizontal) fixes them.
 */

const G = ARM_GEOMETRY;
const SHOULDER_R = G.liftOffset[0];
const SHOULDER_Z = G.panHeight + G.liftOffset[1];
const L1 = Math.hypot(G.upperArm[0], G.upperArm[1]);
const UPPER_ANGLE = Math.atan2(G.upperArm[1], G.upperArm[0]);
const L2 = G.foreArm;
const LW = G.wristToRoll + G.rollToTcp;

export type Vec3 = [number, number, number];

/** TCP position and gripper pitch (rad below horizontal) of arm joints (rad, 5 values). */
export function forwardKinematics(q: readonly number[]): { pos: Vec3; pitch: number } {
  const [pan = 0, lift = 0, elbow = 0, flex = 0] = q;
  const b1 = UPPER_ANGLE - lift;
  const b2 = -(lift + elbow);
  const b3 = -(lift + elbow + flex);
  const r = SHOULDER_R + L1 * Math.cos(b1) + L2 * Math.cos(b2) + LW * Math.cos(b3);
  const z = SHOULDER_Z + L1 * Math.sin(b1) + L2 * Math.sin(b2) + LW * Math.sin(b3);
  return { pos: [r * Math.cos(pan), r * Math.sin(pan), z], pitch: -b3 };
}

/** Wrap an angle into [-period/2, period/2). */
export const wrapAngle = (a: number, period: number): number => a - period * Math.floor(a / period + 0.5);

const withinLimits = (q: number[]): boolean =>
  q.every((v, i) => v >= ARM_LIMITS_RAD[i]![0] - 1e-9 && v <= ARM_LIMITS_RAD[i]![1] + 1e-9);

/** Joint angles (rad) reaching `pos` with the gripper at `pitch`, or null when out of reach/limits. */
export function solveIkAtPitch(pos: Vec3, pitch: number, roll = 0): number[] | null {
  const pan = Math.atan2(pos[1], pos[0]);
  const r = Math.hypot(pos[0], pos[1]);
  const wr = r - LW * Math.cos(pitch) - SHOULDER_R;
  const wz = pos[2] + LW * Math.sin(pitch) - SHOULDER_Z;
  const d = Math.hypot(wr, wz);
  if (d > L1 + L2 - 1e-6 || d < Math.abs(L1 - L2) + 1e-6) return null;
  const gamma = Math.atan2(wz, wr);
  const psi = Math.acos((L1 * L1 + d * d - L2 * L2) / (2 * L1 * d));
  const b1 = gamma + psi; // elbow up
  const er = L1 * Math.cos(b1);
  const ez = L1 * Math.sin(b1);
  const b2 = Math.atan2(wz - ez, wr - er);
  const lift = UPPER_ANGLE - b1;
  const elbow = -b2 - lift;
  const flex = pitch - lift - elbow;
  const q = [pan, lift, elbow, flex, roll];
  return withinLimits(q) ? q : null;
}

export interface TopDownOptions {
  /** Wanted world yaw (rad) of the fingers' closing axis. */
  yaw?: number;
  /** Object symmetry: the yaw only matters modulo this (PI/2 for a cube, PI for a paddle). */
  symmetry?: number;
  /** Fixed wrist roll (rad), used when no yaw is given. Default 0. */
  roll?: number;
  /** Smallest acceptable pitch (rad below horizontal) when the target is too far for vertical. */
  minPitch?: number;
}

/** Wrist roll that turns the closing axis to `yaw` (mod `symmetry`) for a vertical gripper at `pan`. */
export const rollForYaw = (pan: number, yaw: number, symmetry = Math.PI / 2): number =>
  wrapAngle(pan + Math.PI / 2 - yaw, symmetry);

/**
 * IK for a gripper that points as close to straight down as the arm allows (pitch from 90 deg
 * down to `minPitch`). With `yaw`, the roll turns the fingers' closing axis to it modulo
 * `symmetry`, so for a cube the wrist never turns more than 45 deg.
 */
export function solveTopDownIk(pos: Vec3, opts: TopDownOptions = {}): number[] | null {
  const pan = Math.atan2(pos[1], pos[0]);
  const roll = opts.yaw === undefined ? (opts.roll ?? 0) : rollForYaw(pan, opts.yaw, opts.symmetry);
  for (let pitch = Math.PI / 2; pitch >= (opts.minPitch ?? 0.35); pitch -= 0.02) {
    const q = solveIkAtPitch(pos, pitch, roll);
    if (q) return q;
  }
  return null;
}
