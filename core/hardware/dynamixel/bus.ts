import { ServoBus, type ServoBusOptions } from '../serial/servo-bus';
import { dynamixelProtocol } from './protocol';

/** A Dynamixel protocol 2.0 bus (Koch arms: X-series motors). */
export class DynamixelBus extends ServoBus {
  constructor(opts: Omit<ServoBusOptions, 'protocol'>) {
    super({ ...opts, protocol: dynamixelProtocol });
  }

  async disableTorque(motors: readonly string[] = Object.keys(this.motors)): Promise<void> {
    for (const m of motors) await this.write('Torque_Enable', m, 0);
  }

  async enableTorque(motors: readonly string[] = Object.keys(this.motors)): Promise<void> {
    for (const m of motors) await this.write('Torque_Enable', m, 1);
  }
}
