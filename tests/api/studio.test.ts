import { afterEach, describe, expect, it } from 'vitest';
import { ApiError } from '../../core/api/errors';
import type { RobotProvider } from '../../core/api/providers';
import { Studio } from '../../core/api/studio';
import { FirstOrderRobot } from '../helpers/first-order-robot';

const until = async (cond: () => boolean, ms = 3000) => {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error('timed out waiting for condition');
    await new Promise((r) => setTimeout(r, 10));
  }
};

function makeStudio() {
  const robots: FirstOrderRobot[] = [];
  const provider: RobotProvider = {
    id: 'sim',
    label: 'Test arm',
    probe: async () => ({ available: true, detail: 'in-memory' }),
    create: async () => {
      const r = new FirstOrderRobot();
      robots.push(r);
      return r;
    },
    tasks: async () => [{ id: 't', instruction: 'do it', maxSteps: 10 }],
  };
  const studio = new Studio({
    shell: 'test',
    version: '9.9.9',
    providers: [provider],
    displayHz: 1000,
    imageHz: 1000,
  });
  return { studio, robots };
}

let current: Studio | null = null;
afterEach(async () => {
  await current?.close();
  current = null;
});

describe('Studio command validation', () => {
  it('rejects a malformed command with an error naming the field, and keeps serving', async () => {
    const { studio } = makeStudio();
    current = studio;
    await studio.invoke('robot.connect', { backend: 'sim', options: {} });
    const err = await studio
      .invoke('robot.move', { target: [0, 0, 'x', 0, 0, 0] } as unknown as { target: number[] })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ApiError);
    expect((err as ApiError).code).toBe('invalid_args');
    expect((err as ApiError).field).toBe('target.2');
    expect((err as ApiError).message).toContain('robot.move');
    const info = await studio.invoke('app.info', {});
    expect(info.version).toBe('9.9.9');
  });

  it('names an unknown field and an unknown backend', async () => {
    const { studio } = makeStudio();
    current = studio;
    const extra = await studio.invoke('app.info', { verbose: true } as never).catch((e: ApiError) => e);
    expect((extra as ApiError).code).toBe('invalid_args');
    const backend = await studio
      .invoke('robot.connect', { backend: 'lego' } as never)
      .catch((e: ApiError) => e);
    expect((backend as ApiError).field).toBe('backend');
  });

  it('rejects an unknown command', async () => {
    const { studio } = makeStudio();
    current = studio;
    const err = await studio.invoke('robot.fly' as never, {} as never).catch((e: ApiError) => e);
    expect((err as ApiError).code).toBe('unknown_command');
  });

  it('explains that moving needs a connected robot', async () => {
    const { studio } = makeStudio();
    current = studio;
    await expect(studio.invoke('robot.move', { target: [0, 0, 0, 0, 0, 0] })).rejects.toThrow(/connect one/);
  });
});

describe('Studio robot control', () => {
  it('connects, streams observations, and moves through the safety layer', async () => {
    const { studio, robots } = makeStudio();
    current = studio;
    const states: number[][] = [];
    const conn: string[] = [];
    studio.on('observation', (o) => states.push(o.state));
    studio.on('connection', (c) => conn.push(c.state));
    const desc = await studio.invoke('robot.connect', { backend: 'sim', options: { controlHz: 100 } });
    expect(desc.joints.map((j) => j.name)).toContain('shoulder_pan');
    expect(conn).toEqual(['connecting', 'connected']);
    const res = await studio.invoke('robot.move', { target: [500, 10, 0, 0, 0, 50] });
    expect(res.clipped).toBe(true);
    expect(res.target[0]).toBe(110);
    await until(() => (robots[0]?.state[0] ?? 0) > 100);
    // Every command the robot got respected the per-step bound (120 deg/s at 100 Hz).
    const acts = robots[0]!.acts;
    for (let i = 1; i < acts.length; i++) {
      expect(Math.abs(acts[i]![0]! - acts[i - 1]![0]!)).toBeLessThanOrEqual(1.2 + 1e-9);
    }
    expect(Math.max(...acts.map((a) => a[0]!))).toBeLessThanOrEqual(110);
    expect(states.length).toBeGreaterThan(0);
  });

  it('holds on e-stop, refuses moves until released', async () => {
    const { studio, robots } = makeStudio();
    current = studio;
    await studio.invoke('robot.connect', { backend: 'sim', options: { controlHz: 100 } });
    await studio.invoke('robot.estop', {});
    expect(robots[0]!.estops).toBe(1);
    await expect(studio.invoke('robot.move', { target: [10, 0, 0, 0, 0, 50] })).rejects.toThrow(/E-stop/);
    await studio.invoke('robot.release', {});
    await studio.invoke('robot.move', { target: [10, 0, 0, 0, 0, 50] });
    await until(() => robots[0]!.state[0]! > 5);
  });

  it('rejects a wrong number of joint targets', async () => {
    const { studio } = makeStudio();
    current = studio;
    await studio.invoke('robot.connect', { backend: 'sim', options: {} });
    const err = await studio.invoke('robot.move', { target: [1, 2] }).catch((e: ApiError) => e);
    expect((err as ApiError).message).toMatch(/needs 6 targets/);
  });

  it('closes the robot on disconnect', async () => {
    const { studio, robots } = makeStudio();
    current = studio;
    await studio.invoke('robot.connect', { backend: 'sim', options: {} });
    await studio.invoke('robot.disconnect', {});
    expect(robots[0]!.closed).toBe(true);
    expect((await studio.invoke('robot.status', {})).state).toBe('disconnected');
  });
});
