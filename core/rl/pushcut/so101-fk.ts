/**
 * Forward kinematics of the SO-101 follower arm, from the joint origins of TheRobotStudio's
 * `Simulation/SO101/so101_new_calib.urdf`. Input is LeRobot's calibrated state in degrees; the
 * "new calib" URDF puts each joint's zero at the calibrated mid-range, so degrees map to URDF
 * radians directly. Output is the `gripperframe` point (between the finger tips) in the URDF
 * `base` frame, metres. In that frame the arm's zero pose reaches towards -y.
 */
import type { Vec3 } from './types';

type Mat4 = number[]; // row-major 4x4

interface UrdfJoint {
  name: string;
  xyz: Vec3;
  rpy: Vec3;
}

/** Revolute joints in chain order; every axis is the child frame's z. */
export const SO101_CHAIN: readonly UrdfJoint[] = [
  // biome-ignore lint/suspicious/noApproximativeNumericConstant: URDF numbers copied verbatim
  { name: 'shoulder_pan', xyz: [0.0207909, -0.0230745, 0.0948817], rpy: [-3.14159, 6.03684e-16, 1.5708] },
  { name: 'shoulder_lift', xyz: [-0.0303992, -0.0182778, -0.0542], rpy: [-1.5708, -1.5708, 0] },
  { name: 'elbow_flex', xyz: [-0.11257, -0.028, 2.46331e-16], rpy: [-1.22818e-15, 5.75928e-16, 1.5708] },
  { name: 'wrist_flex', xyz: [-0.1349, 0.0052, 1.65232e-16], rpy: [3.2474e-15, 2.86219e-15, -1.5708] },
  // biome-ignore lint/suspicious/noApproximativeNumericConstant: URDF numbers copied verbatim
  { name: 'wrist_roll', xyz: [0, -0.0611, 0.0181], rpy: [1.5708, -9.38083e-8, 3.14159] },
];

/** Fixed `gripperframe` joint: the tool point relative to the gripper link. */
export const SO101_TOOL: UrdfJoint = {
  name: 'gripperframe',
  xyz: [-0.0079, -0.000218121, -0.0981274],
  rpy: [1.5708, 1.22465e-16, 1.5708],
};

function mul(a: Mat4, b: Mat4): Mat4 {
  const out = new Array<number>(16).fill(0);
  for (let r = 0; r < 4; r++) {
    for (let c = 0; c < 4; c++) {
      let s = 0;
      for (let k = 0; k < 4; k++) s += (a[r * 4 + k] ?? 0) * (b[k * 4 + c] ?? 0);
      out[r * 4 + c] = s;
    }
  }
  return out;
}

/** URDF origin: translation, then rotation R = Rz(yaw) Ry(pitch) Rx(roll). */
function origin(xyz: Vec3, rpy: Vec3): Mat4 {
  const [r, p, y] = rpy;
  const cr = Math.cos(r);
  const sr = Math.sin(r);
  const cp = Math.cos(p);
  const sp = Math.sin(p);
  const cy = Math.cos(y);
  const sy = Math.sin(y);
  return [
    cy * cp,
    cy * sp * sr - sy * cr,
    cy * sp * cr + sy * sr,
    xyz[0],
    sy * cp,
    sy * sp * sr + cy * cr,
    sy * sp * cr - cy * sr,
    xyz[1],
    -sp,
    cp * sr,
    cp * cr,
    xyz[2],
    0,
    0,
    0,
    1,
  ];
}

function rotZ(q: number): Mat4 {
  const c = Math.cos(q);
  const s = Math.sin(q);
  return [c, -s, 0, 0, s, c, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1];
}

const JOINT_ORIGINS = SO101_CHAIN.map((j) => origin(j.xyz, j.rpy));
const TOOL_ORIGIN = origin(SO101_TOOL.xyz, SO101_TOOL.rpy);

/**
 * End-effector position for joint angles in degrees (shoulder_pan, shoulder_lift, elbow_flex,
 * wrist_flex, wrist_roll; a 6th gripper entry is ignored).
 */
export function so101EndEffector(jointDeg: readonly number[]): Vec3 {
  let m: Mat4 = [1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1];
  for (let i = 0; i < JOINT_ORIGINS.length; i++) {
    const q = ((jointDeg[i] ?? 0) * Math.PI) / 180;
    m = mul(mul(m, JOINT_ORIGINS[i] as Mat4), rotZ(q));
  }
  m = mul(m, TOOL_ORIGIN);
  return [m[3] ?? 0, m[7] ?? 0, m[11] ?? 0];
}
