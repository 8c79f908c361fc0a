import type { Calibration } from '../../arms/calibration';
import { SO101_JOINTS } from '../../robot';
import { IdealMotorBackend, type MotorBackend } from './motor-backend';
import { SimMotorBackend } from './sim-backend';
import { VirtualServoBus } from './virtual-servo-bus';

/**
 * The virtual SO-101's calibration (LeRobot file shape): homing offset 0, each arm joint's range
 * +-120 deg around tick 2047, gripper 1500..2600. Give it to SO101Follower (`calibration`) to see
 * the simulator's own degrees; a calibration done with the wizard works too.
 */
export function virtualSo101Calibration(): Calibration {
  const half = Math.round((120 * 4095) / 360);
  return Object.fromEntries(
    SO101_JOINTS.map((j, i) => [
      j,
      j === 'gripper'
        ? { id: i + 1, drive_mode: 0, homing_offset: 0, range_min: 1500, range_max: 2600 }
        : { id: i + 1, drive_mode: 0, homing_offset: 0, range_min: 2047 - half, range_max: 2047 + half },
    ]),
  );
}

export interface VirtualSo101Options {
  /** A connected SimRobot to mirror; without it the motors are ideal first-order motors. */
  sim?: import('../../robot').Robot;
  calibration?: Calibration;
  /** Default 'feetech' (SO-101). */
  protocol?: 'feetech' | 'dynamixel';
}

/** Start a virtual SO-101 on a pty: `const v = await startVirtualSo101({ sim }); new SO101Follower({ port: v.devicePath, calibration: virtualSo101Calibration() })`. */
export async function startVirtualSo101(opts: VirtualSo101Options = {}): Promise<VirtualServoBus> {
  const calibration = opts.calibration ?? virtualSo101Calibration();
  const protocol = opts.protocol ?? 'feetech';
  const backend: MotorBackend = opts.sim
    ? await SimMotorBackend.create({ robot: opts.sim, calibration, protocol })
    : new IdealMotorBackend({ ids: [1, 2, 3, 4, 5, 6], initial: 2047 });
  return VirtualServoBus.start({ protocol, backend });
}
