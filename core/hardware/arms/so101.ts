import { STS3215_MODEL } from '../feetech/control-table';
import { SO101_JOINTS } from '../robot';
import type { ServoBus } from '../serial/servo-bus';
import type { ArmMotor, ArmSpec } from './arm-spec';

const motors = (): Record<string, ArmMotor> =>
  Object.fromEntries(
    SO101_JOINTS.map((name, i) => [
      name,
      {
        id: i + 1,
        model: STS3215_MODEL,
        norm: name === 'gripper' ? 'range_0_100' : 'degrees',
      } satisfies ArmMotor,
    ]),
  );

async function positionMode(bus: ServoBus): Promise<void> {
  await bus.writeAll('Operating_Mode', 0);
}

/** LeRobot `configure_motors`: answer at once, fast acceleration; keep readings in 0..4095 (Phase bit 4 clear). */
async function commonSetup(bus: ServoBus): Promise<void> {
  for (const m of Object.keys(bus.motors)) {
    await bus.write('Return_Delay_Time', m, 0);
    await bus.write('Maximum_Acceleration', m, 254);
    await bus.write('Acceleration', m, 254);
    const phase = await bus.read('Phase', m);
    if (phase & 0x10) await bus.write('Phase', m, phase & ~0x10);
  }
}

/** SO-101 (and SO-100) follower: six STS3215 at 1 Mbaud. */
export const SO101_FOLLOWER: ArmSpec = {
  robotType: 'so101_follower',
  calibrationType: 'so_follower',
  role: 'follower',
  protocol: 'feetech',
  motors: motors(),
  fullTurnMotors: ['wrist_roll'],
  prepareCalibration: positionMode,
  configure: async (bus) => {
    await commonSetup(bus);
    for (const m of Object.keys(bus.motors)) {
      await bus.write('Operating_Mode', m, 0);
      await bus.write('P_Coefficient', m, 16);
      await bus.write('I_Coefficient', m, 0);
      await bus.write('D_Coefficient', m, 32);
    }
    await bus.write('Max_Torque_Limit', 'gripper', 500);
    await bus.write('Protection_Current', 'gripper', 250);
    await bus.write('Overload_Torque', 'gripper', 25);
  },
};

/** SO-101 leader: the same motors (other gear ratios), torque off, read by hand. */
export const SO101_LEADER: ArmSpec = {
  ...SO101_FOLLOWER,
  robotType: 'so101_leader',
  calibrationType: 'so_leader',
  role: 'leader',
  configure: async (bus) => {
    await commonSetup(bus);
    await positionMode(bus);
  },
};
