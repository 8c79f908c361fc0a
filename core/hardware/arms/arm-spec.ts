import type { ServoBus } from '../serial/servo-bus';
import type { NormMode } from './calibration';

export interface ArmMotor {
  id: number;
  model: number;
  norm: NormMode;
}

/** Everything that differs between arms: motors, protocol, calibration rules, setup writes. */
export interface ArmSpec {
  /** LeRobot type, e.g. `so101_follower`. */
  robotType: string;
  /** Folder under `calibration/robots|teleoperators/`, e.g. `so_follower`. */
  calibrationType: string;
  role: 'follower' | 'leader';
  protocol: 'feetech' | 'dynamixel';
  /** Motors in state/action order. */
  motors: Record<string, ArmMotor>;
  /** Motors that turn all the way round: range 0..4095, not recorded. */
  fullTurnMotors: readonly string[];
  /** Drive_Mode per motor written during calibration (Dynamixel); default 0. */
  driveModes?: Readonly<Record<string, number>>;
  /** Writes done with torque off before calibrating (operating mode, drive mode). */
  prepareCalibration(bus: ServoBus): Promise<void>;
  /**
   * Leader only: hold the gripper with torque at this opening (units) so it springs back like a
   * trigger (Koch leaders, LeRobot's gripper_open_pos). Undefined: the gripper stays limp.
   */
  leaderGripperTrigger?: number;
  /** Writes done with torque off on every connect (return delay, PID, limits, modes). */
  configure(bus: ServoBus): Promise<void>;
}
