import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  IdealMotorBackend,
  startVirtualSo101,
  VirtualServoBus,
  virtualSo101Calibration,
} from '../../core/hardware/serial';
import { SimRobot } from '../../core/hardware/sim/sim-robot';
import { type RobotRosServer, serveRobotOverRos } from '../../core/hardware/virtual/rosbridge/serve-robot';

/** Extra per-packet wait for the virtual buses: the test machine is busy. */
export const BUS_TIMEOUT = ['--bus-timeout', '40'];

/** Rig cameras for the CLI: two generated pictures (the policy needs front and wrist). */
export const LAVFI_CAMERAS = [
  '--camera',
  'front=lavfi:testsrc=size=64x64:rate=30',
  '--camera',
  'wrist=lavfi:testsrc2=size=64x64:rate=30',
];

export interface SerialRig {
  /** The simulated arm the virtual follower's motors move. */
  sim: SimRobot;
  followerPort: string;
  /** LeRobot calibration file of the virtual follower and of the leader. */
  calibration: string;
  leaderPort: string;
  /** The leader's motors: the test moves them as a person's hand would. */
  leader: IdealMotorBackend;
  stop(): Promise<void>;
}

/** A virtual SO-101 follower (backed by the simulator) and a virtual leader arm, each on a pty. */
export async function startSerialRig(dir: string): Promise<SerialRig> {
  const sim = new SimRobot({ cameras: false, task: 'press_button' });
  await sim.connect();
  const follower = await startVirtualSo101({ sim });
  const leader = new IdealMotorBackend({ ids: [1, 2, 3, 4, 5, 6], initial: 2047 });
  const leaderBus = await VirtualServoBus.start({ protocol: 'feetech', backend: leader });
  const calibration = join(dir, 'virtual-so101.json');
  writeFileSync(calibration, JSON.stringify(virtualSo101Calibration(), null, 2));
  return {
    sim,
    followerPort: follower.devicePath,
    calibration,
    leaderPort: leaderBus.devicePath,
    leader,
    async stop() {
      await leaderBus.stop();
      await follower.stop();
      await sim.close();
    },
  };
}

/** The simulator served as a ROS robot over rosbridge on 127.0.0.1. */
export async function startRosRig(): Promise<{ sim: SimRobot; url: string; stop(): Promise<void> }> {
  const sim = new SimRobot({ task: 'press_button', cameras: { width: 32, height: 32 } });
  await sim.connect();
  const server: RobotRosServer = await serveRobotOverRos(sim, { port: 0 });
  return {
    sim,
    url: server.url,
    async stop() {
      await server.close();
      await sim.close();
    },
  };
}
