import { encode as cborEncode } from 'cbor-x';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocketServer } from 'ws';
import { rosPresets } from '../../../core/hardware/ros/config';
import { packJsonInPng } from '../../../core/hardware/ros/png';
import { RosRobot } from '../../../core/hardware/ros/ros-robot';
import { KinematicRobot } from '../../../core/hardware/virtual/rosbridge/kinematic-robot';
import { ROSBRIDGE_OPS } from '../../../core/hardware/virtual/rosbridge/rosbridge-server';
import { type RobotRosServer, serveRobotOverRos } from '../../../core/hardware/virtual/rosbridge/serve-robot';
import { mulberry32 } from '../../../core/util/rng';
import { RawClient, sleep, until } from './helpers';

// Seeded (mulberry32) so a failure can be replayed.
const rng = mulberry32;

/** Every real op, plus one the protocol does not have. */
const OPS = [...ROSBRIDGE_OPS, 'zap'];
const TOPICS = [
  '/joint_states',
  '/arm_controller/joint_trajectory',
  '/forward_position_controller/commands',
  '/gripper_controller/commands',
  '/camera/front/image_raw',
  '/camera/front/image/compressed',
  '/x',
  '',
];
const FIELDS = [
  'topic',
  'type',
  'msg',
  'id',
  'service',
  'args',
  'action',
  'action_type',
  'values',
  'result',
  'status',
  'throttle_rate',
  'queue_length',
  'fragment_size',
  'compression',
  'level',
  'data',
  'num',
  'total',
  'feedback',
  'latch',
];

function fuzzValue(r: () => number, depth = 0): unknown {
  const k = Math.floor(r() * 12);
  switch (k) {
    case 0:
      return null;
    case 1:
      return r() * 1e12 - 5e11;
    case 2:
      return Math.floor(r() * 10) - 3;
    case 3:
      return TOPICS[Math.floor(r() * TOPICS.length)];
    case 4:
      return 'x'.repeat(Math.floor(r() * 3000));
    case 5:
      return r() < 0.5;
    case 6:
      return depth < 3 ? Array.from({ length: Math.floor(r() * 6) }, () => fuzzValue(r, depth + 1)) : [];
    case 7:
      return depth < 3
        ? Object.fromEntries(FIELDS.filter(() => r() < 0.2).map((f) => [f, fuzzValue(r, depth + 1)]))
        : {};
    case 8:
      return {
        joint_names: ['shoulder_pan', r() < 0.5 ? 'elbow_flex' : 'nope'],
        points: [{ positions: [r() * 1e6, Number.NaN], time_from_start: { sec: -1, nanosec: 'a' } }],
      };
    case 9:
      return { data: Array.from({ length: Math.floor(r() * 8) }, () => r() * 100 - 50) };
    case 10:
      return ['none', 'png', 'cbor', 'cbor-raw', 'zip', 'error', 'warning', 'info'][Math.floor(r() * 8)];
    default:
      return { length: 1e9, name: 5, position: 'abc' };
  }
}

function fuzzFrame(r: () => number, i: number): string | Uint8Array {
  const kind = Math.floor(r() * 8);
  if (kind === 0)
    return Buffer.from(Array.from({ length: Math.floor(r() * 200) }, () => Math.floor(r() * 256))).toString(
      'latin1',
    );
  if (kind === 1) return Uint8Array.from({ length: Math.floor(r() * 300) }, () => Math.floor(r() * 256));
  const msg: Record<string, unknown> = { op: OPS[Math.floor(r() * OPS.length)] };
  for (const f of FIELDS) if (r() < 0.35) msg[f] = fuzzValue(r);
  if (kind === 2) return JSON.stringify(msg).slice(0, Math.floor(r() * 60));
  if (kind === 3) return cborEncode(msg);
  if (kind === 4)
    return JSON.stringify({
      op: 'fragment',
      id: `f${i % 90}`,
      data: 'y'.repeat(Math.floor(r() * 5000)),
      num: Math.floor(r() * 5),
      total: r() < 0.1 ? 1e9 : 4,
    });
  if (kind === 5)
    return JSON.stringify({
      op: 'png',
      data:
        r() < 0.5
          ? 'not base64 at all'
          : packJsonInPng(JSON.stringify(msg)).slice(0, 40 + Math.floor(r() * 60)),
    });
  if (kind === 6) return `${'['.repeat(5000)}${']'.repeat(5000)}`;
  return JSON.stringify(msg);
}

describe('fuzz', () => {
  let arm: KinematicRobot;
  let served: RobotRosServer;
  let robot: RosRobot;

  beforeAll(async () => {
    arm = new KinematicRobot();
    await arm.connect();
    served = await serveRobotOverRos(arm, { port: 0 });
    robot = new RosRobot({ ...rosPresets.pushcutSim(served.url), staleAfterMs: 2000 });
    await robot.connect();
  });

  afterAll(async () => {
    await robot?.close();
    await served?.close();
    await arm?.close();
  });

  it('survives thousands of malformed frames and stays responsive', async () => {
    const r = rng(1234);
    const fuzzers = await Promise.all([0, 1, 2].map(() => RawClient.open(served.url)));
    for (let i = 0; i < 4500; i++) {
      const c = fuzzers[i % fuzzers.length]!;
      const f = fuzzFrame(r, i);
      if (typeof f === 'string') c.send(f);
      else c.sendBinary(f);
      if (i % 500 === 0) await sleep(10);
    }
    // Huge fragments: past the 10 MB reassembly limit, in 2 MB pieces.
    const big = 'z'.repeat(2 * 1024 * 1024);
    for (let num = 0; num < 7; num++)
      fuzzers[0]!.send({ op: 'fragment', id: 'huge', data: big, num, total: 7 });
    await fuzzers[0]!.waitFor(
      (m) => m.id === 'huge' && /exceeds/.test(String(m.msg)),
      'the oversize fragment error',
      10_000,
    );

    // The server still answers everyone, the fuzzers included.
    for (const c of fuzzers) {
      c.send({ op: 'call_service', id: 'alive', service: '/rosapi/topics' });
      const res = await c.waitFor(
        (m) => m.op === 'service_response' && m.id === 'alive',
        'rosapi after the fuzz',
        10_000,
      );
      expect((res.values as { topics: string[] }).topics).toContain('/joint_states');
      expect(c.messages().some((m) => m.op === 'status' && m.level === 'error')).toBe(true);
      c.close();
    }
    // A roslib client connected through the storm still observes and commands the arm.
    await robot.reset();
    await until(
      async () => {
        await robot.act([40, 0, 0, 0, 0, 50]);
        return Math.abs((await robot.observe()).state[0]! - 40) < 0.5;
      },
      'the arm to move after the fuzz',
      10_000,
    );
    expect(robot.presence).toBe('connected');
  }, 90_000);

  it('the adapter survives a server that sends garbage between good joint states', async () => {
    const wss = new WebSocketServer({ host: '127.0.0.1', port: 0 });
    await new Promise((res) => wss.once('listening', res));
    const port = (wss.address() as { port: number }).port;
    const r = rng(99);
    const timers: NodeJS.Timeout[] = [];
    wss.on('connection', (ws) => {
      const good = (pan: number) =>
        JSON.stringify({
          op: 'publish',
          topic: '/joint_states',
          msg: {
            header: { stamp: { sec: 1, nanosec: 0 } },
            name: ['shoulder_pan', 'shoulder_lift', 'elbow_flex', 'wrist_flex', 'wrist_roll', 'gripper'],
            position: [pan, 0, 0, 0, 0, 0],
            velocity: [],
            effort: [],
          },
        });
      let i = 0;
      timers.push(
        setInterval(() => {
          // the client shares this process: on a busy machine let it drain before flooding more
          if (ws.bufferedAmount > 1 << 20) return;
          for (let k = 0; k < 40; k++) {
            const f = fuzzFrame(r, i++);
            ws.send(f, { binary: typeof f !== 'string' });
            const topic = TOPICS[Math.floor(r() * TOPICS.length)];
            ws.send(JSON.stringify({ op: 'publish', topic, msg: fuzzValue(r) }));
            ws.send(
              JSON.stringify({
                op: 'fragment',
                id: `g${i % 7}`,
                data: '{"op":',
                num: Math.floor(r() * 3),
                total: 3,
              }),
            );
          }
          ws.send(good(0.5));
        }, 20),
      );
    });
    const victim = new RosRobot({
      ...rosPresets.pushcutSim(`ws://127.0.0.1:${port}`),
      cameras: [
        { name: 'front', topic: '/camera/front/image/compressed', type: 'compressed', width: 32, height: 24 },
      ],
    });
    const problems: Error[] = [];
    victim.on('problem', (e) => problems.push(e));
    await victim.connect();
    for (let k = 0; k < 20; k++) {
      const obs = await victim.observe();
      expect(obs.state[0]).toBeCloseTo((0.5 * 180) / Math.PI, 6);
      await sleep(50);
    }
    expect(victim.presence).toBe('connected');
    await victim.close();
    for (const t of timers) clearInterval(t);
    for (const c of wss.clients) c.terminate();
    await new Promise((res) => wss.close(res));
  }, 60_000);
});
