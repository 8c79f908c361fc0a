import { X_BAUD_CODES } from '../dynamixel/control-table';
import { STS_BAUD_CODES } from '../feetech/control-table';
import { RobotError } from '../robot';
import type { ServoBus } from '../serial/servo-bus';
import type { ArmSpec } from './arm-spec';

export interface MotorSetupResult {
  motor: string;
  previousId: number;
  previousBaud: number;
  id: number;
  baudRate: number;
}

const baudCode = (spec: ArmSpec, baud: number): number => {
  const table = spec.protocol === 'feetech' ? STS_BAUD_CODES : X_BAUD_CODES;
  const code = Object.entries(table).find(([, b]) => b === baud)?.[0];
  if (code === undefined)
    throw new RobotError(`${baud} baud is not a ${spec.protocol} baud rate`, 'bad-baud');
  return Number(code);
};

/**
 * Give a new motor its ID and baud rate, one motor on the bus at a time (LeRobot's setup_motors):
 * find the single motor by broadcast ping at every baud rate, check its model, write the ID, then
 * the baud rate. Suggested order for the wizard: `setupOrder(spec)` (gripper first).
 */
export async function setupMotor(
  bus: ServoBus,
  spec: ArmSpec,
  motor: string,
  opts: { baudRate?: number; bauds?: readonly number[] } = {},
): Promise<MotorSetupResult> {
  const target = spec.motors[motor];
  if (!target) throw new RobotError(`${spec.robotType} has no motor "${motor}"`, 'bad-motor');
  const baudRate = opts.baudRate ?? 1_000_000;
  const found = await bus.scan(opts.bauds ? { bauds: opts.bauds } : {});
  const first = found[0];
  if (!first || first.motors.length === 0) {
    throw new RobotError(
      `No motor answered at any baud rate on ${bus.path}`,
      'motors-missing',
      `connect the ${motor} motor alone to the controller board and power it`,
    );
  }
  if (first.motors.length > 1) {
    throw new RobotError(
      `${first.motors.length} motors answered (ids ${first.motors.map((m) => m.id).join(', ')}) at ${first.baudRate} baud`,
      'several-motors',
      `connect only the ${motor} motor while setting it up`,
    );
  }
  const m = first.motors[0]!;
  if (m.model !== null && m.model !== target.model) {
    throw new RobotError(
      `The connected motor is model ${m.model}, but ${motor} needs model ${target.model}`,
      'wrong-model',
      `connect the ${motor} motor (check the label), not another one`,
    );
  }
  await bus.writeById(m.id, 'Torque_Enable', 0);
  if (spec.protocol === 'feetech') await bus.writeById(m.id, 'Lock', 0);
  if (m.id !== target.id) {
    await bus.writeById(m.id, 'ID', target.id, { acceptSilence: true });
    if (!(await bus.ping(target.id))) {
      throw new RobotError(
        `${motor} did not answer as id ${target.id} after the ID change`,
        'setup-failed',
        'power-cycle it and retry',
      );
    }
  }
  if (first.baudRate !== baudRate) {
    await bus.writeById(target.id, 'Baud_Rate', baudCode(spec, baudRate), { acceptSilence: true });
    await bus.setBaudRate(baudRate);
    if (!(await bus.ping(target.id))) {
      throw new RobotError(
        `${motor} did not answer at ${baudRate} baud after the change`,
        'setup-failed',
        'power-cycle it and retry',
      );
    }
  }
  return { motor, previousId: m.id, previousBaud: first.baudRate, id: target.id, baudRate };
}

/** LeRobot's order: from the gripper back to the base, each motor connected alone. */
export const setupOrder = (spec: ArmSpec): string[] => Object.keys(spec.motors).reverse();
