import { describe, expect, it } from 'vitest';
import { PushcutError } from '../../../core/rl/pushcut/errors';
import { gripperTransitions } from '../../../core/rl/pushcut/gripper';
import { resampleByArcLength } from '../../../core/rl/pushcut/path';
import { computeSignature } from '../../../core/rl/pushcut/signature';
import type { PushcutFrame, Vec3 } from '../../../core/rl/pushcut/types';

describe('gripper transitions', () => {
  it('fires with hysteresis and reports where the jaw stopped', () => {
    const g = [80, 80, 79, 70, 60, 50, 40, 32, 30, 30, 30, 31, 30, 50, 70, 80];
    // close: first reading below 80 - 12 = 68 is 60 (frame 4); open: first above 30 + 12 = 42 is 50 (frame 13)
    expect(gripperTransitions(g, 12)).toEqual([
      { to: 'closed', frame: 4, settled: 30 },
      { to: 'open', frame: 13, settled: 80 },
    ]);
  });

  it('debounces a twitch that does not last', () => {
    const g = [80, 80, 60, 82, 80, 80, 80];
    expect(gripperTransitions(g, 12, 1).map((t) => t.to)).toEqual(['closed', 'open']);
    expect(gripperTransitions(g, 12, 3)).toEqual([]);
  });

  it('ignores noise inside the band', () => {
    expect(gripperTransitions([50, 45, 55, 44, 56, 50], 12)).toEqual([]);
  });
});

describe('arc-length resampling', () => {
  it('spaces points evenly along the path regardless of dwell', () => {
    const pts: Vec3[] = [
      [0, 0, 0],
      [0, 0, 0],
      [0, 0, 0],
      [1, 0, 0],
      [1, 1, 0],
    ];
    expect(resampleByArcLength(pts, 5)).toEqual([
      [0, 0, 0],
      [0.5, 0, 0],
      [1, 0, 0],
      [1, 0.5, 0],
      [1, 1, 0],
    ]);
  });
});

/** Hand-made sim frames: the hand, the gripper reading, a cube, contacts. */
function frame(ee: Vec3, grip: number, cube: Vec3, touch = false, grasp = false): PushcutFrame {
  return {
    state: [0, 0, 0, 0, 0, grip],
    eePos: ee,
    objects: { cube },
    graspContact: grasp,
    objectContacts: touch || grasp ? ['cube'] : [],
  };
}

const lerp = (a: Vec3, b: Vec3, t: number): Vec3 => [
  a[0] + (b[0] - a[0]) * t,
  a[1] + (b[1] - a[1]) * t,
  a[2] + (b[2] - a[2]) * t,
];

describe('behaviour signature (simulator contacts)', () => {
  const cube0: Vec3 = [0.2, 0, 0.015];

  it('reads a pick-and-place as grasp, lift, carry, release', () => {
    const f: PushcutFrame[] = [];
    const above: Vec3 = [0.2, 0, 0.1];
    const at: Vec3 = [0.2, 0, 0.02];
    for (let i = 0; i <= 10; i++) f.push(frame(lerp(above, at, i / 10), 80, cube0));
    for (const g of [70, 60, 50, 40, 35, 35]) f.push(frame(at, g, cube0, g <= 40, g <= 35));
    const up: Vec3 = [0.2, 0, 0.1];
    for (let i = 1; i <= 10; i++) {
      const p = lerp(at, up, i / 10);
      f.push(frame(p, 35, [p[0], p[1], p[2] - 0.005], true, true));
    }
    const goal: Vec3 = [0.2, 0.15, 0.1];
    for (let i = 1; i <= 10; i++) {
      const p = lerp(up, goal, i / 10);
      f.push(frame(p, 35, [p[0], p[1], p[2] - 0.005], true, true));
    }
    const placed: Vec3 = [0.2, 0.15, 0.015];
    for (const g of [50, 65, 80]) f.push(frame(goal, g, placed));
    const s = computeSignature(f);
    expect(s.evidence).toBe('contacts');
    expect(s.pathSource).toBe('eePos');
    expect(s.symbols).toEqual(['grasp', 'lift', 'carry', 'release']);
    // 11 approach frames (0..10), then 70, 60, 50, 40 (touch), 35 (frame 15: both fingers, jaw stopped)
    expect(s.events[0]).toMatchObject({ symbol: 'grasp', object: 'cube', frame: 15 });
    expect(s.objects.cube?.mode).toBe('carried');
    expect(s.objects.cube?.pushed).toBe(0);
  });

  it('reads a slide by closed fingers as a push (closing the hand beforehand is preparation)', () => {
    const f: PushcutFrame[] = [];
    for (const g of [80, 60, 40, 20, 0, 0]) f.push(frame([0.1, 0, 0.1], g, cube0));
    for (let i = 0; i <= 10; i++) f.push(frame(lerp([0.1, 0, 0.1], [0.18, 0, 0.015], i / 10), 0, cube0));
    for (let i = 1; i <= 20; i++) {
      const ee: Vec3 = [0.18 + i * 0.005, 0, 0.015];
      f.push(frame(ee, 0, [ee[0] + 0.02, 0, 0.015], i % 4 !== 0)); // contact flickers
    }
    const s = computeSignature(f);
    expect(s.events.map((e) => e.symbol)).toEqual(['close', 'push']);
    expect(s.symbols).toEqual(['push']);
    expect(s.objects.cube?.mode).toBe('pushed');
    expect(s.objects.cube?.pushed).toBeGreaterThan(0.09);
    expect(s.objects.cube?.carried).toBe(0);
  });

  it('reads motion without gripper contact as a knock, and jitter as nothing', () => {
    const f: PushcutFrame[] = [];
    for (let i = 0; i < 30; i++) {
      const jitter = (i % 2) * 0.0004;
      const cube: Vec3 = i < 15 ? [0.2 + jitter, 0, 0.015] : [0.2 + (i - 14) * 0.004, 0, 0.015];
      f.push(frame([0.1, 0.1, 0.1], 80, cube));
    }
    const s = computeSignature(f);
    expect(s.symbols).toEqual(['knock']);
    expect(s.events[0]?.frame).toBeGreaterThanOrEqual(15);
    expect(s.objects.cube?.mode).toBe('knocked');
  });

  it('finds a grasp late in a closed interval, after a twitching half-open gripper read as closed', () => {
    const f: PushcutFrame[] = [];
    const at: Vec3 = [0.2, 0, 0.02];
    const twitching = [95, 95, 95, 95, 70, 64, 71, 66, 62, 69, 60, 65, 58, 66, 61, 64];
    for (const g of twitching) f.push(frame([0.2, 0, 0.08], g, cube0)); // reads as "closed" from frame ~4
    for (const g of [50, 36, 36, 37, 36, 36, 36]) f.push(frame(at, g, cube0, g < 40, g < 40));
    for (let i = 1; i <= 8; i++) {
      const p: Vec3 = [0.2, 0, 0.02 + i * 0.015];
      f.push(frame(p, 36, [p[0], p[1], p[2] - 0.005], true, true));
    }
    const s = computeSignature(f);
    // both fingers first touch at frame 17 (reading 36); the held cube rises 3 cm > 2 cm at frame 24
    expect(s.events.map((e) => e.symbol)).toEqual(['close', 'grasp', 'lift']);
    expect(s.events[0]?.frame).toBeLessThan(6);
    expect(s.events.slice(1).map((e) => e.frame)).toEqual([17, 24]);
    expect(s.symbols).toEqual(['grasp', 'lift']);
  });

  it('does not call two-finger contact without a stopped jaw a grasp', () => {
    const f: PushcutFrame[] = [];
    // closed fingers pressed against the cube face: both touch, but the jaw is fully closed
    for (const g of [80, 60, 40, 20, 2, 1, 1, 1]) f.push(frame([0.18, 0, 0.015], g, cube0, g < 20, g < 20));
    expect(computeSignature(f).symbols).toEqual(['close']);
  });
});

describe('behaviour signature (joints only)', () => {
  const pose = [10, -20, 30, 40, 0];
  const js = (grip: number, q = pose): PushcutFrame => ({ state: [...q, grip] });

  it('calls a close stopped by an object a grasp, and a full close a close', () => {
    const grasp = [80, 80, 60, 45, 33, 30, 30, 30, 30, 31, 30].map((g) => js(g));
    const s = computeSignature(grasp);
    expect(s.evidence).toBe('joints');
    expect(s.pathSource).toBe('fk');
    expect(s.symbols).toEqual(['grasp']);
    const empty = [80, 80, 60, 40, 20, 5, 1, 1, 1].map((g) => js(g));
    expect(computeSignature(empty).symbols).toEqual(['close']);
  });

  it('tells a jaw stopped by an object from one commanded half open, when actions are recorded', () => {
    const withCmd = (cmd: number) =>
      [80, 80, 60, 52, 50, 50, 50, 50, 50, 50].map((g) => ({ ...js(g), action: [...pose, cmd] }));
    expect(computeSignature(withCmd(50)).symbols).toEqual(['close']); // commanded 50, sits at 50: no object
    expect(computeSignature(withCmd(0)).symbols).toEqual(['grasp']); // commanded 0, stuck at 50: object
  });

  it('sees a lift from the hand rising while holding, and a release on opening', () => {
    const f: PushcutFrame[] = [80, 60, 40, 30, 30].map((g) => js(g));
    for (let k = 1; k <= 10; k++) f.push(js(30, [10, -20 - 3 * k, 30, 40, 0])); // shoulder lifts the hand
    f.push(js(60), js(80));
    expect(computeSignature(f).symbols).toEqual(['grasp', 'lift', 'release']);
  });

  it('rejects frames without a gripper value, saying what order it expects', () => {
    expect(() => computeSignature([{ state: [1, 2, 3] }], {}, 'ep7')).toThrow(PushcutError);
    expect(() => computeSignature([{ state: [1, 2, 3] }], {}, 'ep7')).toThrow(/ep7.*shoulder_pan/);
    expect(() => computeSignature([], {}, 'ep8')).toThrow(/no frames/);
  });
});
