import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RobotError } from '../../../core/hardware/robot';
import { rosPresets } from '../../../core/hardware/ros/config';
import { RosRobot } from '../../../core/hardware/ros/ros-robot';
import { KinematicRobot } from '../../../core/hardware/virtual/rosbridge/kinematic-robot';
import { type RobotRosServer, serveRobotOverRos } from '../../../core/hardware/virtual/rosbridge/serve-robot';
import { sleep, until } from './helpers';

// The real roslib client (inside RosRobot) against the rosbridge server over a real WebSocket.
describe('RosRobot <-> rosbridge server serving a KinematicRobot', () => {
  let arm: KinematicRobot;
  let served: RobotRosServer;
  let robot: RosRobot;
  const others: RosRobot[] = [];

  beforeAll(async () => {
    arm = new KinematicRobot({ cameras: [{ name: 'front', width: 32, height: 24 }] });
    await arm.connect();
    served = await serveRobotOverRos(arm, {
      port: 0,
      publishHz: 50,
      maxStepChange: [10, 10, 10, 10, 10, 10],
    });
    robot = new RosRobot({
      ...rosPresets.pushcutSim(served.url),
      cameras: [
        { name: 'front', topic: '/camera/front/image/compressed', type: 'compressed' },
        { name: 'raw', topic: '/camera/front/image_raw', type: 'raw' },
      ],
    });
    await robot.connect();
  });

  afterAll(async () => {
    for (const r of others) await r.close();
    await robot?.close();
    await served?.close();
    await arm?.close();
  });

  it('connects and observes joint states in robot units and decoded images', async () => {
    expect(robot.presence).toBe('connected');
    const obs = await robot.observe();
    expect(obs.state).toHaveLength(6);
    // Kinematic home: all zeros, gripper 50 (the radians went through the gripper mapping both ways).
    for (const v of obs.state.slice(0, 5)) expect(v).toBeCloseTo(0, 6);
    expect(obs.state[5]).toBeCloseTo(50, 4);
    expect(robot.features.cameras.find((c) => c.name === 'front')).toMatchObject({ width: 32, height: 24 });
    const front = obs.images.front!;
    const raw = obs.images.raw!;
    expect(front.data).toHaveLength(32 * 24 * 3);
    // The PNG-compressed and raw rgb8 topics carry the same picture.
    const direct = (await arm.observe()).images.front!;
    expect(Buffer.from(front.data).equals(Buffer.from(direct.data))).toBe(true);
    expect(Buffer.from(raw.data).equals(Buffer.from(direct.data))).toBe(true);
  });

  it('commands a trajectory and sees the joints arrive', async () => {
    const target = [30, -20, 15, 10, -45, 80];
    await until(async () => {
      await robot.act(target);
      const s = (await robot.observe()).state;
      return s.every((v, i) => Math.abs(v - target[i]!) < 0.5);
    }, 'joints to reach the commanded target');
    const direct = (await arm.observe()).state;
    for (const [i, v] of direct.entries()) expect(v).toBeCloseTo(target[i]!, 0);
  });

  it('reset puts the arm home', async () => {
    const res = await robot.reset();
    expect(res.success).toBe(true);
    await until(
      async () =>
        (await robot.observe()).state[0]! === 0 || Math.abs((await robot.observe()).state[0]!) < 1e-6,
      'home',
    );
  });

  it('runs a FollowJointTrajectory goal to its result, with feedback', async () => {
    const feedback: number[] = [];
    const res = await robot.followTrajectory(
      [
        { positions: [10, 10, 10, 0, 0, 50], timeFromStartS: 0.3 },
        { positions: [20, -10, 5, 5, 0, 20], timeFromStartS: 0.6 },
      ],
      { goalToleranceRad: 0.005, onFeedback: (f) => feedback.push(f.actual.positions[0]!) },
    );
    expect(res).toEqual({ status: 'succeeded', errorCode: 0, errorString: '' });
    expect(feedback.length).toBeGreaterThan(0);
    const s = (await robot.observe()).state;
    expect(s[0]).toBeCloseTo(20, 0);
    expect(s[5]).toBeCloseTo(20, 0);
  });

  it('reports goal errors: path tolerance violated (-4)', async () => {
    const res = await robot.followTrajectory([{ positions: [-60, 0, 0, 0, 0, 50], timeFromStartS: 0.5 }], {
      pathToleranceRad: 0.0001,
    });
    expect(res.status).toBe('aborted');
    expect(res.errorCode).toBe(-4);
    expect(res.errorString).toMatch(/off the path/);
  });

  it('reports invalid joints (-2) for a goal naming joints the server does not have', async () => {
    const other = new RosRobot({
      ...rosPresets.pushcutSim(served.url),
      cameras: [],
      jointNameMap: {
        shoulder_pan: 'shoulder_pan',
        shoulder_lift: 'shoulder_lift',
        elbow_flex: 'elbow_flex',
        wrist_flex: 'wrist_flex',
        wrist_roll: 'wrist_roll',
        gripper: 'gripper',
      },
    });
    others.push(other);
    await other.connect();
    // Reach into the ROS names via a custom map on a second client is not possible, so send a raw goal:
    const res = await new Promise<{ code: number; text: string }>((resolve) => {
      const action = (other as unknown as { conn: { action: import('roslib').Action } }).conn.action;
      action.sendGoal(
        {
          trajectory: {
            joint_names: ['elbow', 'wrist'],
            points: [{ positions: [0, 0], time_from_start: { sec: 1, nanosec: 0 } }],
          },
        },
        () => resolve({ code: 0, text: 'succeeded?!' }),
        undefined,
        (err) => resolve({ code: JSON.parse(err.slice(err.indexOf('{'))).error_code, text: err }),
      );
    });
    expect(res.code).toBe(-2);
    expect(res.text).toMatch(/unknown: elbow, wrist/);
  });

  it('e-stop refuses motion until reset', async () => {
    await robot.estop();
    const before = (await robot.observe()).state;
    const problems: string[] = [];
    const onProblem = (e: Error) => problems.push(e.message);
    robot.on('problem', onProblem);
    await robot.act(before.map((v, i) => (i === 0 ? v + 20 : v)));
    await until(() => problems.find((p) => /e-stop is active/.test(p)), 'e-stop status error');
    robot.off('problem', onProblem);
    await sleep(150);
    expect(Math.abs((await robot.observe()).state[0]! - before[0]!)).toBeLessThan(0.5);
    await robot.reset();
    await robot.act([25, 0, 0, 0, 0, 50]);
    await until(async () => Math.abs((await robot.observe()).state[0]! - 25) < 0.5, 'motion after reset');
  });

  it('reports per-topic rate and latency', async () => {
    const stats = robot.topicStats();
    const js = stats.find((s) => s.topic === '/joint_states')!;
    expect(js.messages).toBeGreaterThan(10);
    expect(js.ratePerSec).toBeGreaterThan(0);
    expect(js.latencyMs).not.toBeNull();
    expect(stats.find((s) => s.topic === '/camera/front/image/compressed')!.messages).toBeGreaterThan(0);
  });

  it('reconnects by itself after the server restarts on the same port, and observes again', async () => {
    const port = served.port;
    const states: string[] = [];
    const onPresence = (s: string) => states.push(s);
    let staleEvents = 0;
    const onStale = () => staleEvents++;
    robot.on('presence', onPresence);
    robot.on('stale', onStale);
    await served.close();
    await until(() => robot.presence === 'reconnecting', 'reconnecting presence');
    await until(() => staleEvents > 0, 'stale event');
    await expect(robot.observe()).rejects.toMatchObject({ code: 'ros_stale' });
    await sleep(400);
    served = await serveRobotOverRos(arm, { port, publishHz: 50 });
    await until(() => robot.presence === 'connected', 'reconnected presence', 10_000);
    const obs = await until(() => robot.observe().catch(() => null), 'observe after reconnect');
    expect(obs.state).toHaveLength(6);
    expect(states).toContain('reconnecting');
    expect(states[states.length - 1]).toBe('connected');
    // And commands flow again through the new connection.
    await robot.act([-15, 0, 0, 0, 0, 50]);
    await until(async () => Math.abs((await robot.observe()).state[0]! + 15) < 0.5, 'motion after reconnect');
    robot.off('presence', onPresence);
    robot.off('stale', onStale);
  });
});

describe('RosRobot configuration and connection errors', () => {
  let arm: KinematicRobot;
  let served: RobotRosServer;

  beforeAll(async () => {
    arm = new KinematicRobot({ cameras: [] });
    await arm.connect();
    served = await serveRobotOverRos(arm, { port: 0 });
  });

  afterAll(async () => {
    await served?.close();
    await arm?.close();
  });

  it('rejects a non-WebSocket URL scheme before connecting', () => {
    expect(() => new RosRobot(rosPresets.pushcutSim('http://127.0.0.1:9090'))).toThrow(
      /rosbridge speaks WebSocket.*use ws:\/\//,
    );
  });

  it('says the host is unreachable after the timeout', async () => {
    const r = new RosRobot({ ...rosPresets.pushcutSim('ws://127.0.0.1:1'), connectTimeoutMs: 1000 });
    const err = await r.connect().catch((e: RobotError) => e);
    expect(err).toBeInstanceOf(RobotError);
    expect((err as RobotError).code).toBe('ros_unreachable');
    expect(r.presence).toBe('error');
  });

  it('says which topics exist when the joint state topic is silent', async () => {
    const r = new RosRobot({
      ...rosPresets.pushcutSim(served.url),
      cameras: [],
      jointStateTopic: '/joint_states_typo',
      firstMessageTimeoutMs: 1000,
    });
    const err = (await r.connect().catch((e: RobotError) => e)) as RobotError;
    expect(err.code).toBe('ros_no_data');
    expect(err.message).toMatch(
      /no sensor_msgs\/msg\/JointState on \/joint_states_typo.*topics on the server: .*\/joint_states/,
    );
  });

  it('passes on the server status error for a topic subscribed with the wrong type', async () => {
    const r = new RosRobot({
      ...rosPresets.pushcutSim(served.url),
      cameras: [{ name: 'front', topic: '/joint_states', type: 'raw', width: 32, height: 24 }],
    });
    const err = (await r.connect().catch((e: RobotError) => e)) as RobotError;
    expect(err.code).toBe('ros_topic');
    expect(err.message).toMatch(
      /topic \/joint_states has type sensor_msgs\/msg\/JointState, not sensor_msgs\/msg\/Image/,
    );
  });

  it('lists expected and received names when the joint names do not match', async () => {
    const r = new RosRobot({
      ...rosPresets.pushcutSim(served.url),
      cameras: [],
      jointNameMap: { joint1: 'shoulder_pan', joint2: 'shoulder_lift' },
      firstMessageTimeoutMs: 1000,
    });
    const err = (await r.connect().catch((e: RobotError) => e)) as RobotError;
    expect(err.code).toBe('ros_joint_names');
    expect(err.message).toMatch(/expected \[joint1, joint2\], received \[shoulder_pan, shoulder_lift/);
  });

  it('works with CBOR and PNG compression and the forward position controller preset', async () => {
    for (const compression of ['cbor', 'png'] as const) {
      const r = new RosRobot({ ...rosPresets.ros2ControlForward(served.url), compression, throttleMs: 20 });
      await r.connect();
      const target = compression === 'cbor' ? [12, 8, -6, 4, 2, 70] : [-12, -8, 6, -4, -2, 30];
      await until(async () => {
        await r.act(target);
        const s = (await r.observe()).state;
        return s.every((v, i) => Math.abs(v - target[i]!) < 0.5);
      }, `${compression}: joints to reach the forward command`);
      await r.close();
    }
  });
});
