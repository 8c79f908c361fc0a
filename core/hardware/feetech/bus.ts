import { ServoBus, type ServoBusOptions } from '../serial/servo-bus';
import { feetechProtocol } from './protocol';

/** A Feetech STS/SMS bus (SO-100/SO-101). */
export class FeetechBus extends ServoBus {
  constructor(opts: Omit<ServoBusOptions, 'protocol'>) {
    super({ ...opts, protocol: feetechProtocol });
  }

  /** Torque off, then unlock EEPROM (LeRobot's order). */
  override async disableTorque(motors: readonly string[] = Object.keys(this.motors)): Promise<void> {
    for (const m of motors) {
      await this.write('Torque_Enable', m, 0);
      await this.write('Lock', m, 0);
    }
  }

  /** Torque on, then lock EEPROM. */
  override async enableTorque(motors: readonly string[] = Object.keys(this.motors)): Promise<void> {
    for (const m of motors) {
      await this.write('Torque_Enable', m, 1);
      await this.write('Lock', m, 1);
    }
  }
}
