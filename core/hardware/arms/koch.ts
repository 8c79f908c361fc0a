import { DYNAMIXEL_MODELS } from '../dynamixel/control-table';
import type { ArmMotor, ArmSpec } from './arm-spec';

const EXTENDED_POSITION = 4;
const CURRENT_POSITION = 5;

const motor = (id: number, model: number, norm: ArmMotor['norm'] = 'degrees'): ArmMotor => ({
  id,
  model,
  norm,
});

async function prepare(bus: Parameters<ArmSpec['prepareCalibration']>[0]): Promise<void> {
  await bus.writeAll('Operating_Mode', EXTENDED_POSITION);
  await bus.write('Drive_Mode', 'elbow_flex', 1);
}

/** Koch v1.1 follower: XL430-W250 at the shoulder, XL330-M288 elsewhere (LeRobot `koch_follower`). */
export const KOCH_FOLLOWER: ArmSpec = {
  robotType: 'koch_follower',
  calibrationType: 'koch_follower',
  role: 'follower',
  protocol: 'dynamixel',
  motors: {
    shoulder_pan: motor(1, DYNAMIXEL_MODELS['xl430-w250']),
    shoulder_lift: motor(2, DYNAMIXEL_MODELS['xl430-w250']),
    elbow_flex: motor(3, DYNAMIXEL_MODELS['xl330-m288']),
    wrist_flex: motor(4, DYNAMIXEL_MODELS['xl330-m288']),
    wrist_roll: motor(5, DYNAMIXEL_MODELS['xl330-m288']),
    gripper: motor(6, DYNAMIXEL_MODELS['xl330-m288'], 'range_0_100'),
  },
  fullTurnMotors: ['shoulder_pan', 'wrist_roll'],
  driveModes: { elbow_flex: 1 },
  prepareCalibration: prepare,
  configure: async (bus) => {
    await bus.writeAll('Return_Delay_Time', 0);
    for (const m of Object.keys(bus.motors)) {
      await bus.write('Operating_Mode', m, m === 'gripper' ? CURRENT_POSITION : EXTENDED_POSITION);
    }
    await bus.write('Position_P_Gain', 'elbow_flex', 1500);
    await bus.write('Position_I_Gain', 'elbow_flex', 0);
    await bus.write('Position_D_Gain', 'elbow_flex', 600);
  },
};

/** Koch v1.1 leader: six XL330-M077, torque off. */
export const KOCH_LEADER: ArmSpec = {
  ...KOCH_FOLLOWER,
  robotType: 'koch_leader',
  calibrationType: 'koch_leader',
  role: 'leader',
  leaderGripperTrigger: 50,
  motors: Object.fromEntries(
    Object.entries(KOCH_FOLLOWER.motors).map(([n, m]) => [
      n,
      { ...m, model: DYNAMIXEL_MODELS['xl330-m077'] },
    ]),
  ),
  configure: async (bus) => {
    await bus.writeAll('Return_Delay_Time', 0);
    for (const m of Object.keys(bus.motors)) {
      await bus.write('Operating_Mode', m, m === 'gripper' ? CURRENT_POSITION : EXTENDED_POSITION);
    }
  },
};
