import { RosRobot, type RosRobotConfig, rosPresets } from '../hardware/ros';
import { SimRobot } from '../hardware/sim/sim-robot';
import { listTasks } from '../sim/env';
import type { RobotProvider } from './providers';
import { SerialControl } from './serial-control';

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
      layoutSpread: o.layoutSpread,
    });
  },
  tasks: async () => listTasks(),
};

export const ROS_PRESETS = [
  { id: 'ros2ControlTrajectory', label: 'ros2_control joint trajectory controller' },
  { id: 'ros2ControlForward', label: 'ros2_control forward position controller' },
  { id: 'pushcutSim', label: "Pushcut's simulator served over ROS" },
] as const;

export function rosConfig(
  url: string,
  preset: (typeof ROS_PRESETS)[number]['id'],
  overrides: Record<string, unknown>,
) {
  return { ...rosPresets[preset](url), ...overrides } as RosRobotConfig;
}

const rosProvider: RobotProvider = {
  id: 'ros',
  label: 'ROS robot (rosbridge)',
  probe: async () => ({
    available: true,
    detail: 'Any arm with a ROS 2 driver, through rosbridge_server (ws://host:9090)',
  }),
  create: async (args) => {
    if (args.backend !== 'ros') throw new Error('ros provider got a non-ros connect request');
    return new RosRobot(rosConfig(args.options.url, args.options.preset, args.options.overrides));
  },
};

const servoProvider = (id: 'feetech' | 'dynamixel', label: string, detail: string): RobotProvider => ({
  id,
  label,
  probe: async () => ({ available: true, detail }),
  create: async (args) => {
    if (args.backend !== id) throw new Error(`${id} provider got a ${args.backend} connect request`);
    return SerialControl.createFollower({ backend: id, ...args.options });
  },
});

/** The robot backends this build offers. */
export function defaultProviders(): RobotProvider[] {
  return [
    simProvider,
    servoProvider(
      'feetech',
      'SO-101 / SO-100 (Feetech bus)',
      'USB serial servo bus; LeRobot calibration files',
    ),
    servoProvider('dynamixel', 'Koch (Dynamixel bus)', 'Dynamixel protocol 2.0 over USB serial'),
    rosProvider,
  ];
}
