import { createServer, type Server, type Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocketServer } from 'ws';
import type { RobotError } from '../../../core/hardware/robot';
import { rosPresets } from '../../../core/hardware/ros/config';
import { RosRobot } from '../../../core/hardware/ros/ros-robot';
import { KinematicRobot } from '../../../core/hardware/virtual/rosbridge/kinematic-robot';
import { type RobotRosServer, serveRobotOverRos } from '../../../core/hardware/virtual/rosbridge/serve-robot';
import { until } from './helpers';

describe('RosRobot command modes', () => {
  let arm: KinematicRobot;
  let served: RobotRosServer;

  beforeAll(async () => {
    arm = new KinematicRobot({ cameras: [] });
    await arm.connect();
    served = await serveRobotOverRos(arm, { port: 0, publishHz: 50 });
  });

  afterAll(async () => {
    await served?.close();
    await arm?.close();
  });

  it('commands through FollowJointTrajectory goals (command.kind "action")', async () => {
    const r = new RosRobot({
      ...rosPresets.pushcutSim(served.url),
      cameras: [],
      command: { kind: 'action', action: '/arm_controller/follow_joint_trajectory', horizonMs: 50 },
    });
    await r.connect();
    const target = [-35, 20, 10, -10, 30, 90];
    await until(async () => {
      await r.act(target);
      return (await arm.observe()).state.every((v, i) => Math.abs(v - target[i]!) < 0.5);
    }, 'the arm to follow action commands');
    await r.close();
  });

  it('sends the gripper on its own topic with the ros2_control trajectory preset', async () => {
    const r = new RosRobot(rosPresets.ros2ControlTrajectory(served.url));
    await r.connect();
    const target = [5, 5, 5, 5, 5, 10];
    await until(async () => {
      await r.act(target);
      return (await r.observe()).state.every((v, i) => Math.abs(v - target[i]!) < 0.5);
    }, 'arm and gripper to arrive');
    expect(r.topicStats().map((s) => s.topic)).toEqual(['/joint_states']);
    await r.close();
  });
});

describe('RosRobot stale data and timeouts', () => {
  let wss: WebSocketServer;
  let url: string;
  const received: {
    op: string;
    topic?: string;
    msg?: { joint_names?: string[]; points?: { positions: number[] }[] };
  }[] = [];
  let publishing = true;
  let timer: NodeJS.Timeout;

  beforeAll(async () => {
    // A hand-written rosbridge endpoint that publishes joint states until told to stop.
    wss = new WebSocketServer({ host: '127.0.0.1', port: 0 });
    await new Promise((res) => wss.once('listening', res));
    url = `ws://127.0.0.1:${(wss.address() as { port: number }).port}`;
    wss.on('connection', (ws) => {
      ws.on('message', (d) => received.push(JSON.parse(String(d))));
    });
    timer = setInterval(() => {
      if (!publishing) return;
      const msg = {
        op: 'publish',
        topic: '/joint_states',
        msg: {
          header: { stamp: { sec: 0, nanosec: 0 }, frame_id: '' },
          name: ['shoulder_pan', 'shoulder_lift', 'elbow_flex', 'wrist_flex', 'wrist_roll', 'gripper'],
          position: [0.1, 0.2, 0.3, 0.4, 0.5, 0.6],
          velocity: [],
          effort: [],
        },
      };
      for (const c of wss.clients) c.send(JSON.stringify(msg));
    }, 20);
  });

  afterAll(async () => {
    clearInterval(timer);
    for (const c of wss.clients) c.terminate();
    await new Promise((res) => wss.close(res));
  });

  it('goes stale when joint states stop: emits stale, holds the arm at the last position, observe() throws', async () => {
    const r = new RosRobot({ ...rosPresets.pushcutSim(url), cameras: [], staleAfterMs: 200 });
    await r.connect();
    expect((await r.observe()).state[0]).toBeCloseTo((0.1 * 180) / Math.PI, 9);
    let stale = 0;
    let fresh = 0;
    r.on('stale', () => stale++);
    r.on('fresh', () => fresh++);
    received.length = 0;
    publishing = false;
    await until(() => stale === 1, 'the stale event');
    const hold = await until(
      () => received.find((m) => m.op === 'publish' && m.topic === '/arm_controller/joint_trajectory'),
      'the hold command',
    );
    expect(hold.msg!.points![0]!.positions.map((v) => Number(v.toFixed(9)))).toEqual([
      0.1, 0.2, 0.3, 0.4, 0.5, 0.6,
    ]);
    const err = (await r.observe().catch((e: RobotError) => e)) as RobotError;
    expect(err.code).toBe('ros_stale');
    expect(err.message).toMatch(/joint states on \/joint_states are stale .*limit 200 ms/);
    await expect(r.act([0, 0, 0, 0, 0, 0])).rejects.toMatchObject({ code: 'ros_stale' });
    publishing = true;
    await until(() => fresh === 1, 'the fresh event');
    expect((await r.observe()).state).toHaveLength(6);
    await r.close();
  });

  it('gives up with ros_unreachable when the host accepts TCP but never answers the handshake', async () => {
    const sockets: Socket[] = [];
    const silent: Server = createServer((s) => sockets.push(s));
    await new Promise<void>((res) => silent.listen(0, '127.0.0.1', () => res()));
    const port = (silent.address() as { port: number }).port;
    const r = new RosRobot({ ...rosPresets.pushcutSim(`ws://127.0.0.1:${port}`), connectTimeoutMs: 400 });
    const err = (await r.connect().catch((e: RobotError) => e)) as RobotError;
    expect(err.code).toBe('ros_unreachable');
    expect(err.message).toMatch(
      /cannot reach rosbridge at ws:\/\/127\.0\.0\.1:\d+: .*(timeout|timed out|400 ms)/i,
    );
    expect(err.message).toMatch(/rosbridge is running/);
    for (const s of sockets) s.destroy();
    await new Promise((res) => silent.close(res));
  });
});
