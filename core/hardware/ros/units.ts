/**
 * Unit conversion between a Robot (LeRobot SO-101 convention: degrees for arm joints, 0..100 for
 * the gripper) and ROS (radians for every revolute joint, the gripper included).
 *
 * The gripper's 0..100 maps linearly onto its joint range in radians. For the SO-101 that is the
 * URDF range of the `gripper` joint: 0 (closed) = -0.1745 rad, 100 (open) = 1.7453 rad, because
 * LeRobot's 0..100 is the calibrated min..max of the same joint.
 */

export interface GripperRange {
  /** Radians at gripper 0 (closed). */
  closedRad: number;
  /** Radians at gripper 100 (open). */
  openRad: number;
}

export const SO101_GRIPPER_RANGE: GripperRange = { closedRad: -0.174533, openRad: 1.745329 };

const RAD_PER_DEG = Math.PI / 180;

export class JointUnits {
  /**
   * @param joints robot joint names in state order
   * @param gripperJoint the joint whose unit is 0..100 (null: none)
   */
  constructor(
    readonly joints: readonly string[],
    readonly gripperJoint: string | null = 'gripper',
    readonly gripper: GripperRange = SO101_GRIPPER_RANGE,
  ) {}

  isGripper(joint: string): boolean {
    return joint === this.gripperJoint;
  }

  /** One robot-unit value (degrees or 0..100) to radians. */
  toRad(joint: string, value: number): number {
    if (this.isGripper(joint)) {
      return this.gripper.closedRad + (value / 100) * (this.gripper.openRad - this.gripper.closedRad);
    }
    return value * RAD_PER_DEG;
  }

  /** One radian value to robot units (degrees or 0..100). */
  fromRad(joint: string, rad: number): number {
    if (this.isGripper(joint)) {
      return ((rad - this.gripper.closedRad) / (this.gripper.openRad - this.gripper.closedRad)) * 100;
    }
    return rad / RAD_PER_DEG;
  }

  /** Per-unit scale (robot units per radian), for velocities and tolerances. */
  perRad(joint: string): number {
    if (this.isGripper(joint)) return 100 / (this.gripper.openRad - this.gripper.closedRad);
    return 1 / RAD_PER_DEG;
  }

  /** Radians to robot units for the joint at `index`. */
  toRobot(index: number, rad: number): number {
    return this.fromRad(this.joints[index]!, rad);
  }

  toRosVector(values: readonly number[]): number[] {
    return values.map((v, i) => this.toRad(this.joints[i]!, v));
  }

  fromRosVector(rads: readonly number[]): number[] {
    return rads.map((r, i) => this.fromRad(this.joints[i]!, r));
  }
}
