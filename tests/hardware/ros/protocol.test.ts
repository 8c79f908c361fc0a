import { decode as cborDecode, encode as cborEncode } from 'cbor-x';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { packJsonInPng, unpackJsonFromPng } from '../../../core/hardware/ros/png';
import { KinematicRobot } from '../../../core/hardware/virtual/rosbridge/kinematic-robot';
import { type RobotRosServer, serveRobotOverRos } from '../../../core/hardware/virtual/rosbridge/serve-robot';
import { RawClient, sleep, until } from './helpers';

// Frames written by hand from the rosbridge v2 protocol document, sent by a raw `ws` client.
describe('rosbridge v2 protocol, raw frames', () => {
  let arm: KinematicRobot;
  let served: RobotRosServer;
  const clients: RawClient[] = [];
  const open = async () => {
    const c = await RawClient.open(served.url);
    clients.push(c);
    return c;
  };
  const trajectory = (pan: number) => ({
    joint_names: ['shoulder_pan'],
    points: [{ positions: [pan], time_from_start: { sec: 0, nanosec: 200_000_000 } }],
  });
  const panDeg = async () => (await arm.observe()).state[0]!;

  beforeAll(async () => {
    arm = new KinematicRobot();
    await arm.connect();
    served = await serveRobotOverRos(arm, { port: 0, publishHz: 50 });
  });
  afterEach(() => {
    for (const c of clients.splice(0)) c.close();
  });
  afterAll(async () => {
    await served?.close();
    await arm?.close();
  });

  it('answers unknown ops, malformed JSON and missing fields with status errors carrying the id', async () => {
    const c = await open();
    c.send({ op: 'teleport', id: 'x1' });
    c.send('{"op": "publish", ');
    c.send({ op: 'subscribe', id: 's1' });
    c.send({ op: 'subscribe', id: 's2', topic: '/nope' });
    c.send({ op: 'subscribe', id: 's3', topic: '/joint_states', type: 'sensor_msgs/msg/JointStat' });
    c.send({ op: 'subscribe', id: 's4', topic: '/joint_states', type: 'std_msgs/String' });
    c.send({ op: 'publish', id: 'p1', topic: '/never_advertised', msg: {} });
    c.send({ op: 'call_service', id: 'c1', service: '/does_not_exist' });
    c.send([1, 2, 3]);
    const status = (id: string) => c.waitFor((m) => m.op === 'status' && m.id === id, `status for ${id}`);
    expect((await status('x1')).msg).toMatch(/unknown op "teleport"/);
    expect((await status('s1')).msg).toMatch(/subscribe needs a non-empty string "topic"/);
    expect((await status('s2')).msg).toMatch(/\/nope: the topic does not exist and no "type" was given/);
    expect((await status('s3')).msg).toMatch(/unknown msg type "sensor_msgs\/msg\/JointStat"/);
    expect((await status('s4')).msg).toMatch(
      /has type sensor_msgs\/msg\/JointState, not std_msgs\/msg\/String/,
    );
    expect((await status('p1')).msg).toMatch(/topic \/never_advertised is unknown; advertise it/);
    expect(
      await c.waitFor((m) => m.op === 'service_response' && m.id === 'c1', 'failed service response'),
    ).toMatchObject({
      result: false,
      values: 'service /does_not_exist does not exist',
    });
    await c.waitFor(
      (m) => m.op === 'status' && /malformed JSON/.test(String(m.msg)),
      'malformed JSON status',
    );
    await c.waitFor((m) => m.op === 'status' && /not a JSON object/.test(String(m.msg)), 'array status');
    for (const m of c.messages().filter((x) => x.op === 'status')) expect(m.level).toBe('error');
  });

  it('set_level filters status messages; warnings appear at level warning', async () => {
    const c = await open();
    c.send({ op: 'set_level', level: 'none' });
    c.send({ op: 'teleport', id: 'hidden' });
    c.send({ op: 'set_level', level: 'warning' });
    c.send({ op: 'subscribe', id: 'w1', topic: '/brand_new', type: 'std_msgs/msg/String' });
    c.send({ op: 'teleport', id: 'shown' });
    await c.waitFor((m) => m.id === 'shown', 'status after set_level warning');
    expect(c.messages().find((m) => m.id === 'hidden')).toBeUndefined();
    expect(c.messages().find((m) => m.id === 'w1')).toMatchObject({
      level: 'warning',
      msg: expect.stringMatching(/no publisher yet/),
    });
    c.send({ op: 'set_level', level: 'loud', id: 'l1' });
    expect((await c.waitFor((m) => m.id === 'l1', 'bad level')).msg).toMatch(
      /level must be none, error, warning or info/,
    );
  });

  it('reassembles an incoming fragmented publish and executes it', async () => {
    const c = await open();
    const whole = JSON.stringify({
      op: 'publish',
      topic: '/arm_controller/joint_trajectory',
      msg: trajectory(0.5),
    });
    const size = 17;
    const total = Math.ceil(whole.length / size);
    const frags = Array.from({ length: total }, (_, num) => ({
      op: 'fragment',
      id: 'frag1',
      data: whole.slice(num * size, (num + 1) * size),
      num,
      total,
    }));
    // Out of order, with a duplicate: the protocol allows both.
    for (const f of [...frags.slice(1).reverse(), frags[3]!, frags[0]!]) c.send(f);
    await until(
      async () => Math.abs((await panDeg()) - (0.5 * 180) / Math.PI) < 0.5,
      'the fragmented trajectory to move the arm',
    );
    c.send({ op: 'fragment', id: 'bad', data: 'x', num: 5, total: 2 });
    expect((await c.waitFor((m) => m.id === 'bad', 'fragment num error')).msg).toMatch(
      /"num" must be an integer from 0 to total-1/,
    );
    c.send({ op: 'fragment', id: 'broken', data: '{"op": ', num: 0, total: 1 });
    await c.waitFor(
      (m) => m.op === 'status' && /malformed JSON/.test(String(m.msg)),
      'fragments that do not form JSON',
    );
  });

  it('executes a png-packed publish and a CBOR binary publish', async () => {
    const c = await open();
    const json = JSON.stringify({
      op: 'publish',
      topic: '/arm_controller/joint_trajectory',
      msg: trajectory(-0.4),
    });
    c.send({ op: 'png', data: packJsonInPng(json) });
    await until(
      async () => Math.abs((await panDeg()) + (0.4 * 180) / Math.PI) < 0.5,
      'the png-packed trajectory',
    );
    c.sendBinary(
      cborEncode({
        op: 'publish',
        topic: '/forward_position_controller/commands',
        msg: { data: new Float64Array([0.3, 0, 0, 0, 0]) },
      }),
    );
    await until(
      async () => Math.abs((await panDeg()) - (0.3 * 180) / Math.PI) < 0.5,
      'the CBOR forward command',
    );
    c.sendBinary(Uint8Array.from([0xff, 0x00, 0x13]));
    await c.waitFor(
      (m) => m.op === 'status' && /not valid CBOR|CBOR message/.test(String(m.msg)),
      'bad CBOR status',
    );
  });

  it('sends topics with png, cbor, cbor-raw compression and in fragments, as roslib expects', async () => {
    const c = await open();
    c.send({ op: 'subscribe', id: 'png', topic: '/joint_states', compression: 'png' });
    const png = await c.waitFor((m) => m.op === 'png', 'a png frame');
    const inner = JSON.parse(unpackJsonFromPng(String(png.data)));
    expect(inner).toMatchObject({
      op: 'publish',
      topic: '/joint_states',
      msg: { name: expect.arrayContaining(['shoulder_pan', 'gripper']) },
    });
    c.send({ op: 'unsubscribe', id: 'png', topic: '/joint_states' });
    await sleep(100);
    c.clear();

    c.send({ op: 'subscribe', id: 'cb', topic: '/camera/front/image_raw', compression: 'cbor' });
    const bin = await until(() => c.received.find((r) => r.binary), 'a CBOR frame');
    const m = cborDecode(bin.binary!) as {
      op: string;
      msg: { data: Uint8Array; encoding: string; width: number; height: number };
    };
    expect(m.op).toBe('publish');
    expect(m.msg.encoding).toBe('rgb8');
    expect(m.msg.data).toBeInstanceOf(Uint8Array);
    expect(m.msg.data.length).toBe(m.msg.width * m.msg.height * 3);
    c.send({ op: 'unsubscribe', topic: '/camera/front/image_raw' });
    await sleep(100);
    c.clear();

    c.send({ op: 'subscribe', id: 'raw', topic: '/joint_states', compression: 'cbor-raw' });
    const rawBin = await until(() => c.received.find((r) => r.binary), 'a cbor-raw frame');
    const raw = cborDecode(rawBin.binary!) as { msg: { secs: number; nsecs: number; bytes: Uint8Array } };
    expect(raw.msg.secs).toBeGreaterThan(1_600_000_000);
    // CDR: encapsulation header (little endian), then the stamp, the frame id string, ...
    expect([...raw.msg.bytes.slice(0, 4)]).toEqual([0, 1, 0, 0]);
    expect(Buffer.from(raw.msg.bytes).includes(Buffer.from('shoulder_pan\0'))).toBe(true);
    c.send({ op: 'unsubscribe', topic: '/joint_states' });
    await sleep(100);
    c.clear();

    c.send({ op: 'subscribe', id: 'fr', topic: '/camera/front/image_raw', fragment_size: 500 });
    const first = await c.waitFor((x) => x.op === 'fragment' && x.num === 0, 'first fragment');
    const parts = await until(() => {
      const got = c.messages().filter((x) => x.op === 'fragment' && x.id === first.id);
      return got.length === first.total ? got : null;
    }, 'all fragments');
    const joined = JSON.parse(
      parts
        .sort((a, b) => Number(a.num) - Number(b.num))
        .map((p) => p.data)
        .join(''),
    );
    expect(joined.op).toBe('publish');
    expect(Buffer.from(joined.msg.data, 'base64').length).toBe(joined.msg.width * joined.msg.height * 3);
  });

  it('throttles: throttle_rate bounds the rate, several subscribe ids use the minimum', async () => {
    const c = await open();
    c.send({ op: 'subscribe', id: 'slow', topic: '/joint_states', throttle_rate: 400 });
    await sleep(1300);
    const slow = c.messages().filter((m) => m.op === 'publish').length;
    expect(slow).toBeGreaterThanOrEqual(2);
    expect(slow).toBeLessThanOrEqual(5);
    c.clear();
    c.send({ op: 'subscribe', id: 'fast', topic: '/joint_states', throttle_rate: 0 });
    await sleep(600);
    expect(c.messages().filter((m) => m.op === 'publish').length).toBeGreaterThan(10);
  });

  it('forwards services and actions between clients (advertise_service, service_response, action_feedback, action_result)', async () => {
    const provider = await open();
    const caller = await open();
    provider.send({ op: 'advertise_service', service: '/add', type: 'std_srvs/srv/Trigger' });
    provider.send({ op: 'advertise_action', action: '/wave', type: 'control_msgs/action/GripperCommand' });
    await sleep(50);
    caller.send({ op: 'call_service', id: 'call1', service: '/add', args: {} });
    const req = await provider.waitFor((m) => m.op === 'call_service', 'forwarded call');
    provider.send({
      op: 'service_response',
      service: '/add',
      id: req.id,
      result: true,
      values: { success: true, message: 'done' },
    });
    expect(await caller.waitFor((m) => m.op === 'service_response', 'forwarded response')).toMatchObject({
      id: 'call1',
      result: true,
      values: { success: true, message: 'done' },
    });
    caller.send({
      op: 'send_action_goal',
      id: 'goal1',
      action: '/wave',
      action_type: 'control_msgs/GripperCommand',
      args: { command: { position: 1 } },
      feedback: true,
    });
    const goal = await provider.waitFor((m) => m.op === 'send_action_goal', 'forwarded goal');
    expect(goal.args).toEqual({ command: { position: 1 } });
    provider.send({ op: 'action_feedback', action: '/wave', id: goal.id, values: { position: 0.5 } });
    provider.send({
      op: 'action_result',
      action: '/wave',
      id: goal.id,
      values: { reached_goal: true },
      status: 4,
      result: true,
    });
    expect(await caller.waitFor((m) => m.op === 'action_feedback', 'feedback')).toMatchObject({
      id: 'goal1',
      values: { position: 0.5 },
    });
    expect(await caller.waitFor((m) => m.op === 'action_result', 'result')).toMatchObject({
      id: 'goal1',
      status: 4,
      result: true,
    });
    // A stray reply is a warning, not a crash.
    provider.send({ op: 'set_level', level: 'warning' });
    provider.send({ op: 'service_response', service: '/add', id: 'nobody', result: true });
    expect((await provider.waitFor((m) => m.id === 'nobody', 'stray reply')).msg).toMatch(
      /no call with id "nobody"/,
    );
    // The provider leaving fails its pending calls.
    caller.send({ op: 'call_service', id: 'call2', service: '/add', args: {} });
    await provider.waitFor((m) => m.op === 'call_service' && m.id !== req.id, 'second call');
    provider.close();
    expect(await caller.waitFor((m) => m.id === 'call2', 'failed pending call')).toMatchObject({
      result: false,
      values: expect.stringMatching(/went away/),
    });
  });

  it('cancels a FollowJointTrajectory goal, and rejects commands during e-stop until /reset', async () => {
    const c = await open();
    c.send({
      op: 'send_action_goal',
      id: 'long',
      action: '/arm_controller/follow_joint_trajectory',
      action_type: 'control_msgs/action/FollowJointTrajectory',
      feedback: true,
      args: {
        trajectory: {
          joint_names: ['elbow_flex'],
          points: [{ positions: [1.2], time_from_start: { sec: 5, nanosec: 0 } }],
        },
      },
    });
    await c.waitFor((m) => m.op === 'action_feedback' && m.id === 'long', 'feedback');
    c.send({ op: 'cancel_action_goal', id: 'long', action: '/arm_controller/follow_joint_trajectory' });
    expect(
      await c.waitFor((m) => m.op === 'action_result' && m.id === 'long', 'canceled result'),
    ).toMatchObject({ status: 5 });
    c.send({
      op: 'send_action_goal',
      id: 'old',
      action: '/arm_controller/follow_joint_trajectory',
      args: {
        trajectory: {
          header: { stamp: { sec: 1000, nanosec: 0 }, frame_id: '' },
          joint_names: ['elbow_flex'],
          points: [{ positions: [0], time_from_start: { sec: 1, nanosec: 0 } }],
        },
      },
    });
    expect(
      (await c.waitFor((m) => m.op === 'action_result' && m.id === 'old', 'old stamp result')).values,
    ).toMatchObject({ error_code: -3 });
    c.send({ op: 'call_service', id: 'stop', service: '/estop' });
    expect(await c.waitFor((m) => m.id === 'stop' && m.op === 'service_response', 'estop')).toMatchObject({
      result: true,
      values: { success: true },
    });
    c.send({ op: 'publish', id: 'blocked', topic: '/arm_controller/joint_trajectory', msg: trajectory(0.2) });
    expect((await c.waitFor((m) => m.id === 'blocked', 'blocked publish')).msg).toMatch(
      /e-stop is active: call \/reset/,
    );
    c.send({ op: 'call_service', id: 'rst', service: 'reset' });
    expect(await c.waitFor((m) => m.id === 'rst' && m.op === 'service_response', 'reset')).toMatchObject({
      result: true,
    });
    c.send({ op: 'publish', id: 'ok', topic: '/arm_controller/joint_trajectory', msg: trajectory(0.2) });
    await until(async () => Math.abs((await panDeg()) - (0.2 * 180) / Math.PI) < 0.5, 'motion after reset');
  });

  it("delivers a latched message to later subscribers and drops a client's topics when it leaves", async () => {
    const pub = await open();
    pub.send({ op: 'advertise', topic: '/chatter', type: 'std_msgs/String' });
    pub.send({ op: 'publish', topic: '/chatter', msg: { data: 'hello' }, latch: true });
    await sleep(50);
    const sub = await open();
    sub.send({ op: 'subscribe', id: 'late', topic: '/chatter' });
    expect(await sub.waitFor((m) => m.op === 'publish', 'the latched message')).toMatchObject({
      topic: '/chatter',
      msg: { data: 'hello' },
    });
    sub.send({ op: 'unsubscribe', id: 'late', topic: '/chatter' });
    pub.close();
    await sleep(100);
    sub.send({ op: 'subscribe', id: 'gone', topic: '/chatter' });
    expect((await sub.waitFor((m) => m.id === 'gone', 'unknown topic error')).msg).toMatch(/does not exist/);
  });

  it('clips commands through the safety layer (joint limits)', async () => {
    const c = await open();
    c.send({
      op: 'publish',
      topic: '/forward_position_controller/commands',
      msg: { data: [10, 0, 0, 0, 0] },
    });
    // 10 rad is 573 degrees: the arm stops at the 110 degree limit.
    await until(async () => Math.abs((await panDeg()) - 110) < 0.3, 'the arm at its limit');
    await sleep(200);
    expect(await panDeg()).toBeLessThanOrEqual(110 + 1e-9);
    c.send({
      op: 'publish',
      id: 'len',
      topic: '/forward_position_controller/commands',
      msg: { data: [1, 2] },
    });
    expect((await c.waitFor((m) => m.id === 'len', 'length error')).msg).toMatch(
      /expected 5 values .* or 6 \(with the gripper\), got 2/,
    );
  });
});
