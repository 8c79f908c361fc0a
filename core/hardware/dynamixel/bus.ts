import { ServoBus, type ServoBusOptions } from '../serial/servo-bus';
import { dynamixelProtocol } from './protocol';

/** A Dynamixel protocol 2.0 bus (Koch arms: X-series motors). */
export class DynamixelBus extends ServoBus {
  constructor(opts: Omit<ServoBusOptions, 'protocol'>) {
    super({ ...opts, protocol: dynamixelProtocol });
  }
}
