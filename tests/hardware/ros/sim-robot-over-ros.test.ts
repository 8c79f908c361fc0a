import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rosPresets } from '../../../core/hardware/ros/config';
import { RosRobot } from '../../../core/hardware/ros/ros-robot';
import { SimRobot } from '../../../core/hardware/sim/sim-robot';
import { type RobotRosServer, serveRobotOverRos } from '../../../core/hardware/virtual/rosbridge/serve-robot';
import { until } from './helpers';

// The embedded MuJoCo arm served as a ROS robot, driven by roslib through RosRobot.
describe('SimRobot over rosbridge', () => {
  let sim: SimRobot;
  let served: RobotRosServer;
  let robot: RosRobot;

  beforeAll(async () => {
    sim = new SimRobot({ cameras: { width: 32, height: 32 } });
    await sim.connect();
    served = await serveRobotOverRos(sim, { port: 0 });
    robot = new RosRobot({
      ...rosPresets.pushcutSim(served.url),
      cameras: [
        { name: 'front', topic: '/camera/front/image/compressed', type: 'compressed' },
        { name: 'wrist', topic: '/camera/wrist/image_raw', type: 'raw' },
      ],
    });
    await robot.connect();
  }, 60_000);

  afterAll(async () => {
    await robot?.close();
    await served?.close();
    await sim?.close();
  });

  it('observes the simulated joints and both cameras', async () => {
    const obs = await robot.observe();
    const direct = await sim.observe();
    for (const [i, v] of obs.state.entries()) expect(Math.abs(v - direct.state[i]!)).toBeLessThan(2);
    expect(obs.images.front).toMatchObject({ width: 32, height: 32 });
    expect(obs.images.wrist!.data).toHaveLength(32 * 32 * 3);
    expect(obs.images.front!.data.some((b) => b !== obs.images.front!.data[0])).toBe(true);
  });

  it('moves the simulated arm with a FollowJointTrajectory goal and resets it', async () => {
    const start = (await robot.observe()).state;
    const goal = [...start];
    goal[0] = start[0]! + 25;
    const res = await robot.followTrajectory([{ positions: goal, timeFromStartS: 0.8 }], {
      goalToleranceRad: 0.05,
    });
    expect(res.status).toBe('succeeded');
    expect(Math.abs((await sim.observe()).state[0]! - goal[0]!)).toBeLessThan(3);
    await robot.reset();
    await until(
      async () => Math.abs((await robot.observe()).state[0]! - start[0]!) < 3,
      'the arm back home',
      10_000,
    );
  }, 30_000);
});
