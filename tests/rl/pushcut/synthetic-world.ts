/**
 * A small kinematic tabletop world for tests: a hand (finger-tip point) moves through waypoints at
 * ~0.15 m/s sampled at 30 Hz with noise; a 3 cm cube follows the hand while gripped, slides ahead of
 * the closed fingers when pushed (contact = hand within 2 cm of the cube centre on the push side),
 * and lies still otherwise. A grasp closes the jaw from 80 until the cube stops it (~35); a close on
 * nothing goes to ~1. Success = cube centre within 3 cm of the goal. Positions in metres, world
 * frame: x forward from the arm base, z up, table at z = 0.
 */
import type { PushcutFrame, Vec3 } from '../../../core/rl/pushcut/types';

export interface Rng {
  next(): number;
  normal(): number;
}

/** mulberry32: well mixed even for neighbouring seeds. */
export function rng(seed: number): Rng {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return {
    next,
    normal: () => Math.sqrt(-2 * Math.log(next() + 1e-12)) * Math.cos(2 * Math.PI * next()),
  };
}

export const GOAL: Vec3 = [0.24, 0.12, 0.015];
const HALF = 0.015;
const SPEED = 0.005; // metres per frame

interface World {
  ee: Vec3;
  grip: number;
  cube: Vec3;
  held: boolean;
  frames: PushcutFrame[];
  r: Rng;
  noise: number;
}

function record(w: World, contacts: string[], graspContact: boolean): void {
  w.frames.push({
    state: [0, 0, 0, 0, 0, w.grip + w.r.normal() * 0.3],
    eePos: [...w.ee],
    objects: { cube: [...w.cube] },
    graspContact,
    objectContacts: contacts,
  });
}

function moveTo(w: World, target: Vec3, pushing = false): void {
  const start: Vec3 = [...w.ee];
  const d = Math.hypot(target[0] - start[0], target[1] - start[1], target[2] - start[2]);
  const n = Math.max(2, Math.ceil(d / (SPEED * (0.8 + 0.4 * w.r.next()))));
  for (let k = 1; k <= n; k++) {
    const t = k / n;
    const s = t * t * (3 - 2 * t);
    const jitter = () => w.r.normal() * w.noise;
    w.ee = [
      start[0] + (target[0] - start[0]) * s + jitter(),
      start[1] + (target[1] - start[1]) * s + jitter(),
      Math.max(0.005, start[2] + (target[2] - start[2]) * s + jitter()),
    ];
    let contacts: string[] = [];
    if (w.held) {
      w.cube = [w.ee[0], w.ee[1], Math.max(HALF, w.ee[2] - 0.005)];
      contacts = ['cube'];
    } else if (pushing) {
      const dx = w.cube[0] - w.ee[0];
      const dy = w.cube[1] - w.ee[1];
      const dir = [target[0] - start[0], target[1] - start[1]];
      const len = Math.hypot(dir[0] ?? 0, dir[1] ?? 0) || 1;
      const ux = (dir[0] ?? 0) / len;
      const uy = (dir[1] ?? 0) / len;
      const ahead = dx * ux + dy * uy;
      const side = Math.abs(-dx * uy + dy * ux);
      if (ahead < HALF + 0.005 && ahead > -0.01 && side < HALF + 0.01 && w.ee[2] < 0.04) {
        const shift = HALF + 0.005 - ahead;
        w.cube = [w.cube[0] + ux * shift, w.cube[1] + uy * shift, HALF];
        contacts = ['cube'];
      }
    }
    record(w, contacts, w.held);
  }
}

function setGrip(w: World, to: number, frames = 12): void {
  const from = w.grip;
  for (let k = 1; k <= frames; k++) {
    w.grip = from + ((to - from) * k) / frames;
    const touching = w.grip < 40 && Math.hypot(w.ee[0] - w.cube[0], w.ee[1] - w.cube[1]) < 0.015;
    if (touching && to < from) {
      w.grip = Math.max(w.grip, 35);
      w.held = true;
    }
    if (to > from && w.grip > 40) w.held = false;
    record(w, touching || w.held ? ['cube'] : [], w.held && touching);
  }
}

function world(seed: number, noise: number): World {
  const r = rng(seed);
  const cube: Vec3 = [0.2 + (r.next() - 0.5) * 0.06, -0.04 + (r.next() - 0.5) * 0.06, HALF];
  const w: World = { ee: [0.12, 0, 0.15], grip: 80, cube, held: false, frames: [], r, noise };
  for (let i = 0; i < 5; i++) record(w, [], false);
  return w;
}

export interface SyntheticEpisode {
  frames: PushcutFrame[];
  success: boolean;
}

function finish(w: World): SyntheticEpisode {
  for (let i = 0; i < 5; i++) record(w, [], false);
  const c = w.cube;
  return { frames: w.frames, success: Math.hypot(c[0] - GOAL[0], c[1] - GOAL[1]) < 0.03 };
}

const wp = (w: World, v: Vec3, spread = 0.01): Vec3 => [
  v[0] + (w.r.next() - 0.5) * spread,
  v[1] + (w.r.next() - 0.5) * spread,
  v[2],
];

/** Pick the cube from above, carry it over the goal, put it down, retreat. */
export function graspEpisode(seed: number, noise = 0.0008): SyntheticEpisode {
  const w = world(seed, noise);
  const c = w.cube;
  moveTo(w, wp(w, [c[0], c[1], 0.08]));
  moveTo(w, [c[0], c[1], 0.02]);
  setGrip(w, 0);
  moveTo(w, wp(w, [c[0], c[1], 0.09]));
  moveTo(w, wp(w, [GOAL[0], GOAL[1], 0.09], 0.005));
  moveTo(w, [w.ee[0], w.ee[1], 0.025]);
  setGrip(w, 80);
  moveTo(w, wp(w, [w.ee[0], w.ee[1], 0.12]));
  return finish(w);
}

/** Close the fingers in the air, come down behind the cube and slide it into the goal. */
export function pushEpisode(seed: number, noise = 0.0008, closeFirst = true): SyntheticEpisode {
  const w = world(seed, noise);
  const c = w.cube;
  const dx = GOAL[0] - c[0];
  const dy = GOAL[1] - c[1];
  const len = Math.hypot(dx, dy);
  const ux = dx / len;
  const uy = dy / len;
  if (closeFirst) setGrip(w, 0);
  const behind: Vec3 = [c[0] - ux * 0.05, c[1] - uy * 0.05, 0.06];
  moveTo(w, behind);
  moveTo(w, [behind[0], behind[1], 0.012]);
  moveTo(w, [GOAL[0] - ux * 0.02, GOAL[1] - uy * 0.02, 0.012], true);
  moveTo(w, wp(w, [w.ee[0], w.ee[1], 0.12]));
  return finish(w);
}

/** Grasp the cube and drag it along the table without lifting it. */
export function dragEpisode(seed: number, noise = 0.0008): SyntheticEpisode {
  const w = world(seed, noise);
  const c = w.cube;
  moveTo(w, wp(w, [c[0], c[1], 0.08]));
  moveTo(w, [c[0], c[1], 0.02]);
  setGrip(w, 0);
  moveTo(w, [GOAL[0], GOAL[1], 0.022]);
  setGrip(w, 80);
  moveTo(w, wp(w, [w.ee[0], w.ee[1], 0.12]));
  return finish(w);
}

/** Wander near the cube without moving it to the goal (a typical failed rollout). */
export function missEpisode(seed: number, noise = 0.0008): SyntheticEpisode {
  const w = world(seed, noise);
  const c = w.cube;
  moveTo(w, wp(w, [c[0] + 0.06, c[1] - 0.05, 0.06], 0.04));
  moveTo(w, wp(w, [c[0] + 0.05, c[1] - 0.06, 0.02], 0.04));
  setGrip(w, 0);
  moveTo(w, wp(w, [0.12, 0, 0.15]));
  return finish(w);
}

/** Strip everything a physical arm does not measure: only joint states remain (via IK). */
export function toJointsOnly(
  frames: readonly PushcutFrame[],
  ik: (p: Vec3, prev: number[]) => number[],
): PushcutFrame[] {
  let prev = [0, -20, 20, 60, 0];
  return frames.map((f) => {
    const q = ik(f.eePos as Vec3, prev);
    prev = q;
    return { state: [...q, f.state[5] ?? 0] };
  });
}
