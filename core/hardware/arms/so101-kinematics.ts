/**
 * SO-101 kinematics from the URDF (TheRobotStudio so101_new_calib): shoulder_pan 0.0949 m above
 * the base; shoulder_lift 0.0304 m forward and 0.0542 m up from the pan frame; elbow 0.1126 m along
 * the upper arm with a 0.028 m offset; wrist_flex 0.1349 m further; wrist_roll 0.0611 m; the
 * gripper frame 0.0981 m beyond. After the pan joint the chain is planar (lift, elbow and wrist_flex
 * turn about parallel axes), so a position plus a pitch fixes all joints in closed form.
 *
 * Zero pose (all joints 0 deg, the middle of each calibrated range): upper arm up, forearm and
 * gripper pointing forward (+x). Positive lift, elbow and wrist_flex tilt the chain forward/down;
 * positive pan turns toward +y. (If a real arm turns the other way, flip its sign in `signs`.)
 */

export interface So101Geometry {
  panHeight: number;
  /** Lift axis from the pan axis: [forward, up]. */
  liftOffset: readonly [number, number];
  /** Elbow in the upper-arm frame at zero: [forward, up]. */
  upperArm: readonly [number, number];
  foreArm: number;
  wristToRoll: number;
  rollToTool: number;
}

export const SO101_URDF_GEOMETRY: So101Geometry = {
  panHeight: 0.0949,
  liftOffset: [0.0304, 0.0542],
  upperArm: [0.028, 0.1126],
  foreArm: 0.1349,
  wristToRoll: 0.0611,
  rollToTool: 0.0981,
};

/** URDF joint limits, degrees (pan, lift, elbow, wrist_flex, wrist_roll). */
export const SO101_ARM_LIMITS_DEG: readonly [number, number][] = [1.92, 1.745, 1.69, 1.658, 2.793].map(
  (r) => {
    const d = (r * 180) / Math.PI;
    return [-d, d] as [number, number];
  },
);

/** Tool pose: position (m, base frame), pitch (rad below horizontal), roll (rad). */
export interface ToolPose {
  x: number;
  y: number;
  z: number;
  pitch: number;
  roll: number;
}

const RAD = Math.PI / 180;

export class So101Kinematics {
  private readonly l1: number;
  private readonly upperAngle: number;
  private readonly tool: number;

  constructor(
    readonly geometry: So101Geometry = SO101_URDF_GEOMETRY,
    /** Per-joint sign between the kinematic model and the robot's degrees (5 values). */
    readonly signs: readonly number[] = [1, 1, 1, 1, 1],
    readonly limitsDeg: readonly [number, number][] = SO101_ARM_LIMITS_DEG,
  ) {
    this.l1 = Math.hypot(geometry.upperArm[0], geometry.upperArm[1]);
    this.upperAngle = Math.atan2(geometry.upperArm[1], geometry.upperArm[0]);
    this.tool = geometry.wristToRoll + geometry.rollToTool;
  }

  /** Tool pose of five arm joints in degrees (pan, lift, elbow, wrist_flex, wrist_roll). */
  forward(jointsDeg: readonly number[]): ToolPose {
    const q = [0, 1, 2, 3, 4].map((i) => (jointsDeg[i] ?? 0) * RAD * this.signs[i]!);
    const [pan, lift, elbow, flex, roll] = q as [number, number, number, number, number];
    const g = this.geometry;
    const b1 = this.upperAngle - lift;
    const b2 = -(lift + elbow);
    const b3 = -(lift + elbow + flex);
    const r = g.liftOffset[0] + this.l1 * Math.cos(b1) + g.foreArm * Math.cos(b2) + this.tool * Math.cos(b3);
    const z =
      g.panHeight +
      g.liftOffset[1] +
      this.l1 * Math.sin(b1) +
      g.foreArm * Math.sin(b2) +
      this.tool * Math.sin(b3);
    return { x: r * Math.cos(pan), y: r * Math.sin(pan), z, pitch: -b3, roll };
  }

  /** Joint degrees (5) reaching `pose` with the elbow up, or null when out of reach or limits. */
  inverse(pose: ToolPose): number[] | null {
    const g = this.geometry;
    const pan = Math.atan2(pose.y, pose.x);
    const r = Math.hypot(pose.x, pose.y);
    const wr = r - this.tool * Math.cos(pose.pitch) - g.liftOffset[0];
    const wz = pose.z + this.tool * Math.sin(pose.pitch) - g.panHeight - g.liftOffset[1];
    const d = Math.hypot(wr, wz);
    const l2 = g.foreArm;
    if (d > this.l1 + l2 - 1e-9 || d < Math.abs(this.l1 - l2) + 1e-9) return null;
    const psi = Math.acos((this.l1 * this.l1 + d * d - l2 * l2) / (2 * this.l1 * d));
    const b1 = Math.atan2(wz, wr) + psi;
    const b2 = Math.atan2(wz - this.l1 * Math.sin(b1), wr - this.l1 * Math.cos(b1));
    const lift = this.upperAngle - b1;
    const elbow = -b2 - lift;
    const flex = pose.pitch - lift - elbow;
    const deg = [pan, lift, elbow, flex, pose.roll].map((v, i) => (v / RAD) * this.signs[i]!);
    const ok = deg.every((v, i) => v >= this.limitsDeg[i]![0] - 1e-6 && v <= this.limitsDeg[i]![1] + 1e-6);
    return ok ? deg : null;
  }
}
