import { SimRobot } from '../hardware/sim/sim-robot';
import { listTasks } from '../sim/env';
import type { RobotProvider } from './providers';

const simProvider: RobotProvider = {
  id: 'sim',
  label: 'Simulator (MuJoCo SO-101)',
  probe: async () => ({
    available: true,
    detail: 'Embedded MuJoCo arm with front and wrist cameras; no hardware needed',
  }),
  create: async (args) => {
    if (args.backend !== 'sim') throw new Error('sim provider got a non-sim connect request');
    const o = args.options;
    return new SimRobot({
      task: o.task,
      seed: o.seed,
      controlHz: o.controlHz,
      cameras: { width: o.cameraSize, height: o.cameraSize },
    });
  },
  tasks: async () => listTasks(),
};

/** The robot backends this build offers. */
export function defaultProviders(): RobotProvider[] {
  return [simProvider];
}
