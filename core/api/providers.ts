import type { z } from 'zod';
import type { Robot } from '../hardware/robot';
import type { ConnectArgs, SimTask } from './schemas';

/** One robot backend the Studio can connect to: how to tell if it is usable and how to make it. */
export interface RobotProvider {
  id: z.infer<typeof ConnectArgs>['backend'];
  label: string;
  probe(): Promise<{ available: boolean; detail: string }>;
  create(args: z.infer<typeof ConnectArgs>): Promise<Robot>;
  /** Tasks the backend offers (the simulator's suite); empty for hardware. */
  tasks?(): Promise<z.infer<typeof SimTask>[]>;
}
