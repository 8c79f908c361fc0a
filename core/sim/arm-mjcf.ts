/**
 * The simulated SO-101 follower arm, written as MJCF by this project.
 *
 * Kinematics follow the SO-101 URDF (TheRobotStudio so101_new_calib): link offsets and joint limits
 * in metres/radians, simplified to a planar chain after the pan joint. Zero pose: upper arm up, fore
 * arm and gripper pointing forward (+x). Positive lift/elbow/wrist_flex tilt the chain forward/down.
 * The jaw is modelled as a parallel two-finger gripper (0 closed .. 100 open, 8 cm wide) so that
 * cubes can be grasped robustly; links other than the gripper do not collide (cheaper, and the real
 * arm's links never touch the table in the workspace).
 */

export const ARM_JOINTS = [
  'shoulder_pan',
  'shoulder_lift',
  'elbow_flex',
  'wrist_flex',
  'wrist_roll',
] as const;

/** Joint limits in radians (from the URDF). */
export const ARM_LIMITS_RAD: readonly [number, number][] = [
  [-1.92, 1.92],
  [-1.745, 1.745],
  [-1.69, 1.69],
  [-1.658, 1.658],
  [-2.793, 2.793],
];

/** Link geometry (metres). */
export const ARM_GEOMETRY = {
  panHeight: 0.0624,
  liftOffset: [0.0304, 0.0542] as const, // x forward, z up, from the pan frame
  upperArm: [0.028, 0.1126] as const, // elbow position in the upper-arm frame (x, z)
  foreArm: 0.1349,
  wristToRoll: 0.0611,
  /** TCP (between the finger pads, 15 mm above their tips) from the wrist_roll frame. */
  rollToTcp: 0.083,
  fingerTip: 0.0981,
} as const;

/** Finger travel per side (m) at gripper = 100. */
export const FINGER_TRAVEL = 0.04;

/** Physics timestep (s). Small enough for stable grasps with elliptic cones, large enough for speed. */
export const TIMESTEP = 0.004;

const G = ARM_GEOMETRY;
const lim = (i: number) => `${ARM_LIMITS_RAD[i]![0]} ${ARM_LIMITS_RAD[i]![1]}`;
/** Actuator targets stop 0.5 deg inside the joint range, so a target at a limit never rams it. */
const ctrlLim = (i: number) => `${ARM_LIMITS_RAD[i]![0] + 0.009} ${ARM_LIMITS_RAD[i]![1] - 0.009}`;

const ARM_BODY = `
    <body name="base" pos="0 0 0">
      <geom type="cylinder" size="0.045 ${G.panHeight / 2}" pos="0 0 ${G.panHeight / 2}" rgba="0.95 0.95 0.95 1"/>
      <body name="shoulder" pos="0 0 ${G.panHeight}" gravcomp="1">
        <joint name="shoulder_pan" axis="0 0 1" range="${lim(0)}"/>
        <geom type="box" size="0.03 0.03 0.03" pos="0.015 0 0.025" rgba="0.95 0.6 0.1 1" mass="0.1"/>
        <body name="upper_arm" pos="${G.liftOffset[0]} 0 ${G.liftOffset[1]}" gravcomp="1">
          <joint name="shoulder_lift" axis="0 1 0" range="${lim(1)}"/>
          <geom type="capsule" fromto="0 0 0 ${G.upperArm[0]} 0 ${G.upperArm[1]}" size="0.018" rgba="0.95 0.6 0.1 1" mass="0.1"/>
          <body name="lower_arm" pos="${G.upperArm[0]} 0 ${G.upperArm[1]}" gravcomp="1">
            <joint name="elbow_flex" axis="0 1 0" range="${lim(2)}"/>
            <geom type="capsule" fromto="0 0 0 ${G.foreArm} 0 0" size="0.016" rgba="0.95 0.6 0.1 1" mass="0.1"/>
            <body name="wrist" pos="${G.foreArm} 0 0" gravcomp="1">
              <joint name="wrist_flex" axis="0 1 0" range="${lim(3)}"/>
              <geom type="capsule" fromto="0 0 0 ${G.wristToRoll - 0.01} 0 0" size="0.015" rgba="0.2 0.2 0.2 1" mass="0.05"/>
              <body name="gripper" pos="${G.wristToRoll} 0 0" gravcomp="1">
                <joint name="wrist_roll" axis="1 0 0" range="${lim(4)}" damping="0.1"/>
                <geom name="palm" class="grip" type="box" pos="0.05 0 0" size="0.012 0.05 0.02" rgba="0.95 0.6 0.1 1" mass="0.05"/>
                <geom type="box" pos="0.02 0 0" size="0.02 0.02 0.02" rgba="0.2 0.2 0.2 1" mass="0.03"/>
                <site name="tcp" pos="${G.rollToTcp} 0 0" size="0.004" rgba="1 0 1 1" group="4"/>
                <camera name="wrist" pos="0.035 0 0.04" xyaxes="0 -1 0 0.5 0 1" fovy="75"/>
                <body name="finger_left" pos="0 0 0" gravcomp="1">
                  <joint name="finger_left" type="slide" axis="0 1 0" range="0 ${FINGER_TRAVEL}" damping="2" armature="0.01"/>
                  <geom name="finger_left" class="pad" pos="${(G.fingerTip + 0.062) / 2} 0.005 0" size="${(G.fingerTip - 0.062) / 2} 0.005 0.012"/>
                </body>
                <body name="finger_right" pos="0 0 0" gravcomp="1">
                  <joint name="finger_right" type="slide" axis="0 -1 0" range="0 ${FINGER_TRAVEL}" damping="2" armature="0.01"/>
                  <geom name="finger_right" class="pad" pos="${(G.fingerTip + 0.062) / 2} -0.005 0" size="${(G.fingerTip - 0.062) / 2} 0.005 0.012"/>
                </body>
              </body>
            </body>
          </body>
        </body>
      </body>
    </body>`;

const ARM_ACTUATORS = `
    <position name="shoulder_pan" joint="shoulder_pan" kp="40" dampratio="1" forcerange="-3 3" ctrlrange="${ctrlLim(0)}"/>
    <position name="shoulder_lift" joint="shoulder_lift" kp="40" dampratio="1" forcerange="-3 3" ctrlrange="${ctrlLim(1)}"/>
    <position name="elbow_flex" joint="elbow_flex" kp="40" dampratio="1" forcerange="-3 3" ctrlrange="${ctrlLim(2)}"/>
    <position name="wrist_flex" joint="wrist_flex" kp="20" dampratio="1" forcerange="-2 2" ctrlrange="${ctrlLim(3)}"/>
    <position name="wrist_roll" joint="wrist_roll" kp="10" dampratio="1" forcerange="-2 2" ctrlrange="${ctrlLim(4)}"/>
    <position name="finger_left" joint="finger_left" kp="300" dampratio="1" forcerange="-6 6" ctrlrange="0 ${FINGER_TRAVEL}"/>
    <position name="finger_right" joint="finger_right" kp="300" dampratio="1" forcerange="-6 6" ctrlrange="0 ${FINGER_TRAVEL}"/>`;

/** Table top is z = 0; the arm base sits at the origin, facing +x. */
export function sceneMjcf(opts: { name: string; worldBodies: string; extraActuators?: string }): string {
  return `<mujoco model="${opts.name}">
  <compiler angle="radian" autolimits="true"/>
  <option timestep="${TIMESTEP}" integrator="implicitfast" cone="elliptic" impratio="10"/>
  <visual><global offwidth="640" offheight="480"/></visual>
  <default>
    <joint damping="0.3" armature="0.005" solreflimit="0.01 1"/>
    <geom contype="0" conaffinity="0" density="500"/>
    <default class="grip"><geom contype="1" conaffinity="1" condim="4" friction="1.2 0.02 0.001" solref="0.004 1"/></default>
    <default class="pad"><geom type="box" contype="1" conaffinity="1" condim="4" friction="1.5 0.02 0.001" solref="0.004 1" rgba="0.15 0.15 0.15 1" mass="0.02"/></default>
    <default class="object"><geom contype="1" conaffinity="1" condim="4" friction="1 0.01 0.001" solref="0.004 1"/></default>
    <default class="fixture"><geom contype="1" conaffinity="1" condim="3" friction="0.8 0.01 0.001" rgba="0.85 0.85 0.9 1"/></default>
    <default class="visual"><geom contype="0" conaffinity="0"/></default>
  </default>
  <worldbody>
    <light pos="0.2 0 1" dir="0 0 -1" directional="true"/>
    <geom name="table" class="fixture" type="box" pos="0.15 0 -0.01" size="0.45 0.45 0.01" rgba="0.55 0.45 0.35 1"/>
    <camera name="front" pos="0.62 0 0.38" xyaxes="0 1 0 -0.42 0 0.44" fovy="50"/>
${ARM_BODY}
${opts.worldBodies}
  </worldbody>
  <contact><exclude body1="finger_left" body2="finger_right"/></contact>
  <actuator>${ARM_ACTUATORS}${opts.extraActuators ?? ''}
  </actuator>
</mujoco>`;
}
