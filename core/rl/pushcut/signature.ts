/**
 * Behaviour signature of one episode: the end-effector path plus a time-ordered sentence of
 * discrete events (see `EventSymbol`). Two kinds of evidence:
 * - `contacts` (simulator): object poses and gripper contacts say what moved and how;
 * - `joints` (physical arm): joints and gripper only. A close that the jaw cannot finish (it stops
 *   above `emptyCloseMax`) is a grasp; lift and carry come from the hand's motion while holding;
 *   a low sideways sweep of the empty hand stands in for a push.
 */
import { PushcutError } from './errors';
import { type GripperTransition, gripperTransitions } from './gripper';
import { decimate, dist3, horizontalDist, pathLength, resampleByArcLength } from './path';
import { so101EndEffector } from './so101-fk';
import type {
  BehaviourEvent,
  BehaviourSignature,
  EventSymbol,
  Evidence,
  ObjectMotion,
  PushcutFrame,
  Vec3,
} from './types';

/** Thresholds in metres and frames (frame counts assume a control rate around 30 Hz). */
export interface SignatureConfig {
  /** Index of the gripper in `state`. */
  gripperIndex: number;
  /** Gripper reading change (0..100) that counts as an open or close. */
  gripperHysteresis: number;
  /** ... and it must last this many frames (debounces a twitching sampled gripper command). */
  gripperMinFrames: number;
  /** A jaw that stops above this reading (0..100) was stopped by something. */
  emptyCloseMax: number;
  /** A stall: the reading stays within `stallTolerance` for `stallFrames` frames, above emptyCloseMax ... */
  stallFrames: number;
  stallTolerance: number;
  /** ... and, where actions were recorded, the command is at least this far below the reading. */
  stallMargin: number;
  /** A grasp this many frames after the close that started it also shows that close as an event. */
  graspWindowFrames: number;
  /** Rise of the held object (or closed hand) above its grasp height that counts as a lift. */
  liftHeight: number;
  /** Sideways travel of the held object (or closed hand) that counts as a carry. */
  carryDistance: number;
  /** How far an object must get from where it started moving, in one mode, for a push or a knock. */
  minObjectMove: number;
  /** Motion is counted in steps of this size, so sub-millimetre physics jitter never adds up. */
  moveQuantum: number;
  /** A touch this many frames ago still counts (contacts flicker while pushing). */
  contactMemoryFrames: number;
  /** Sliding or settling this many frames after the last touch belongs to that touch. */
  graceFrames: number;
  /** Joints only: sideways travel of the empty hand near its lowest height that counts as a sweep. */
  sweepDistance: number;
  /** Joints only: "low" means within this height of the episode's lowest hand position. */
  lowBand: number;
  /** Points in the resampled path. */
  pathPoints: number;
  /** Hand motion below this (metres) between kept path points is treated as jitter. */
  pathStep: number;
}

export const DEFAULT_SIGNATURE_CONFIG: SignatureConfig = {
  gripperIndex: 5,
  gripperHysteresis: 12,
  gripperMinFrames: 4,
  emptyCloseMax: 8,
  stallFrames: 5,
  stallTolerance: 3,
  stallMargin: 10,
  graspWindowFrames: 10,
  liftHeight: 0.02,
  carryDistance: 0.03,
  minObjectMove: 0.03,
  moveQuantum: 0.003,
  contactMemoryFrames: 5,
  graceFrames: 10,
  sweepDistance: 0.06,
  lowBand: 0.03,
  pathPoints: 32,
  pathStep: 0.005,
};

export interface SignatureOptions {
  config?: Partial<SignatureConfig>;
  /** Force the evidence kind (the tracker uses the common denominator of all its episodes). */
  evidence?: Evidence;
  /** Force the path source (`fk` when any compared episode lacks `eePos`). */
  pathSource?: 'eePos' | 'fk';
}

/** Whether every frame carries what `contacts` evidence needs. */
export function hasContactEvidence(frames: readonly PushcutFrame[]): boolean {
  return (
    frames.length > 0 &&
    frames.every(
      (f) => f.objects !== undefined && (f.objectContacts !== undefined || f.graspContact !== undefined),
    )
  );
}

export function hasEePos(frames: readonly PushcutFrame[]): boolean {
  return frames.length > 0 && frames.every((f) => f.eePos !== undefined);
}

function validate(frames: readonly PushcutFrame[], cfg: SignatureConfig, id: string): void {
  if (frames.length === 0) {
    throw new PushcutError(`Episode ${id} has no frames`, 'bad_episode', 'record or load the episode again');
  }
  frames.forEach((f, i) => {
    if (!Array.isArray(f.state) || f.state.length <= cfg.gripperIndex) {
      throw new PushcutError(
        `Episode ${id} frame ${i}: state has ${f.state?.length ?? 0} values, expected at least ${cfg.gripperIndex + 1} (5 joints + gripper)`,
        'bad_episode',
        'pass SO-101 states in LeRobot order: shoulder_pan, shoulder_lift, elbow_flex, wrist_flex, wrist_roll, gripper',
      );
    }
    if (!f.state.every(Number.isFinite) || (f.eePos && !f.eePos.every(Number.isFinite))) {
      throw new PushcutError(
        `Episode ${id} frame ${i} contains a non-finite number`,
        'bad_episode',
        'drop or repair the corrupted frames',
      );
    }
  });
}

interface Hold {
  start: number;
  /** Frame from which the object is gripped (first two-finger contact, or the close itself). */
  ref: number;
  /** Frame of the opening that ends the hold (or the episode length). */
  end: number;
  objects: string[];
}

/** Counts motion in `quantum`-sized steps: returns the distance credited at each frame. */
function quantizedSteps(points: readonly Vec3[], quantum: number, horizontal = false): number[] {
  const out = new Array<number>(points.length).fill(0);
  if (points.length === 0) return out;
  let anchor = points[0] as Vec3;
  for (let i = 1; i < points.length; i++) {
    const p = points[i] as Vec3;
    const d = horizontal ? horizontalDist(anchor, p) : dist3(anchor, p);
    if (d >= quantum) {
      out[i] = d;
      anchor = p;
    }
  }
  return out;
}

export function computeSignature(
  frames: readonly PushcutFrame[],
  options: SignatureOptions = {},
  episodeId = '?',
): BehaviourSignature {
  const cfg: SignatureConfig = { ...DEFAULT_SIGNATURE_CONFIG, ...options.config };
  validate(frames, cfg, episodeId);
  const evidence: Evidence = options.evidence ?? (hasContactEvidence(frames) ? 'contacts' : 'joints');
  if (evidence === 'contacts' && !hasContactEvidence(frames)) {
    throw new PushcutError(
      `Episode ${episodeId} lacks object poses or contacts needed for contact evidence`,
      'mixed_evidence',
      'compare like with like: when rollouts come from a physical arm, create the tracker with config { evidence: "joints", pathSource: "fk" }',
    );
  }
  const pathSource = options.pathSource ?? (hasEePos(frames) ? 'eePos' : 'fk');
  if (pathSource === 'eePos' && !hasEePos(frames)) {
    throw new PushcutError(
      `Episode ${episodeId} lacks eePos on some frames`,
      'mixed_evidence',
      'create the tracker with config { pathSource: "fk" } to compute every path from joint angles',
    );
  }
  const ee: Vec3[] = frames.map((f) =>
    pathSource === 'eePos' && f.eePos ? [...f.eePos] : so101EndEffector(f.state),
  );
  const grip = frames.map((f) => f.state[cfg.gripperIndex] as number);
  const transitions = gripperTransitions(grip, cfg.gripperHysteresis, cfg.gripperMinFrames);

  const events: BehaviourEvent[] = [];
  const holds = findHolds(frames, transitions, ee, evidence, cfg, events);
  const heldAt = (i: number, object?: string): boolean =>
    holds.some((h) => i >= h.ref && i < h.end && (object === undefined || h.objects.includes(object)));

  for (const h of holds) {
    const drop = liftAndCarry(h, frames, ee, evidence, cfg, events);
    if (drop < 0) continue;
    // The object left the fingers before the jaw opened (a sampled gripper twitch, a slip): that is
    // the release; the later opening lets go of nothing.
    const opening = events.find((e) => e.symbol === 'release' && e.frame === h.end);
    if (opening) opening.symbol = 'open';
    events.push({ symbol: 'release', frame: drop, object: h.objects[0] ?? 'object' });
    h.end = drop;
  }

  const objects: Record<string, ObjectMotion> = {};
  if (evidence === 'contacts') {
    for (const name of Object.keys(frames[0]?.objects ?? {})) {
      objects[name] = objectMotion(name, frames, heldAt, cfg, events);
    }
  } else {
    sweeps(ee, heldAt, cfg, events);
  }

  events.sort((a, b) => a.frame - b.frame);
  const kept = decimate(ee, cfg.pathStep);
  return {
    evidence,
    pathSource,
    path: resampleByArcLength(kept, cfg.pathPoints),
    pathLength: pathLength(kept),
    events,
    symbols: sentence(events),
    objects,
    frameCount: frames.length,
  };
}

/**
 * Gripper events (open, close, grasp, release) and the intervals during which something is held.
 * A closed interval (from a close to the next open) holds an object from the first frame where
 * - contacts: both fingers touch an object and the jaw is stopped above `emptyCloseMax`;
 * - joints: the jaw stalls (see `findStall`).
 * Looking through the whole interval, not just right after the close, matters for sampled policies
 * whose twitching gripper reads as "closed" long before it actually closes on the object.
 */
function findHolds(
  frames: readonly PushcutFrame[],
  transitions: readonly GripperTransition[],
  ee: readonly Vec3[],
  evidence: Evidence,
  cfg: SignatureConfig,
  events: BehaviourEvent[],
): Hold[] {
  const grip = frames.map((f) => f.state[cfg.gripperIndex] as number);
  const holds: Hold[] = [];
  let holding = false;
  transitions.forEach((t, k) => {
    if (t.to === 'open') {
      events.push({ symbol: holding ? 'release' : 'open', frame: t.frame });
      holding = false;
      return;
    }
    const end = transitions[k + 1]?.frame ?? frames.length;
    let ref = -1;
    let held: string[] = [];
    if (evidence === 'contacts') {
      for (let i = Math.max(0, t.frame - 2); i < end && ref < 0; i++) {
        if (frames[i]?.graspContact && median(grip.slice(i, i + cfg.stallFrames)) > cfg.emptyCloseMax) {
          ref = Math.max(i, t.frame);
        }
      }
      if (ref >= 0) {
        for (let i = ref; i < Math.min(end, ref + cfg.graspWindowFrames); i++) {
          const f = frames[i] as PushcutFrame;
          if (f.graspContact) for (const o of f.objectContacts ?? []) if (!held.includes(o)) held.push(o);
        }
        if (held.length === 0) held = [nearestObject(frames[ref] as PushcutFrame, ee[ref] as Vec3)];
      }
    } else {
      ref = findStall(grip, frames, t.frame, end, cfg);
      held = ['object'];
    }
    holding = ref >= 0;
    if (!holding || ref - t.frame > cfg.graspWindowFrames) events.push({ symbol: 'close', frame: t.frame });
    if (holding) {
      events.push({ symbol: 'grasp', frame: ref, object: held[0] ?? 'object' });
      holds.push({ start: t.frame, ref, end, objects: held });
    }
  });
  return holds;
}

function median(xs: readonly number[]): number {
  if (xs.length === 0) return Number.NaN;
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? (s[m] as number) : ((s[m - 1] as number) + (s[m] as number)) / 2;
}

/**
 * Joints only: the first frame from which the jaw reading holds still (within `stallTolerance`
 * for `stallFrames` frames) above `emptyCloseMax`: something between the fingers stops it. With
 * recorded actions, the command must also be well below the reading (the motor is still pushing).
 */
function findStall(
  grip: readonly number[],
  frames: readonly PushcutFrame[],
  from: number,
  end: number,
  cfg: SignatureConfig,
): number {
  const size = Math.min(cfg.stallFrames, end - from); // a closed interval cut short by the episode end
  if (size < 2) return -1;
  for (let i = from; i + size <= end; i++) {
    const w = grip.slice(i, i + size);
    const lo = Math.min(...w);
    if (Math.max(...w) - lo > cfg.stallTolerance || lo <= cfg.emptyCloseMax) continue;
    const pushing = w.filter((g, k) => {
      const cmd = frames[i + k]?.action?.[cfg.gripperIndex];
      return cmd === undefined || cmd < g - cfg.stallMargin;
    }).length;
    if (pushing * 2 >= w.length) return i;
  }
  return -1;
}

function nearestObject(frame: PushcutFrame, ee: Vec3): string {
  let best = 'object';
  let bestD = Number.POSITIVE_INFINITY;
  for (const [name, p] of Object.entries(frame.objects ?? {})) {
    const d = dist3(p, ee);
    if (d < bestD) {
      bestD = d;
      best = name;
    }
  }
  return best;
}

/** Lift and carry of one hold: from the held object's pose (contacts) or the hand's (joints). */
function liftAndCarry(
  h: Hold,
  frames: readonly PushcutFrame[],
  ee: readonly Vec3[],
  evidence: Evidence,
  cfg: SignatureConfig,
  events: BehaviourEvent[],
): number {
  const object = h.objects[0] ?? 'object';
  const pos = (i: number): Vec3 | undefined =>
    evidence === 'contacts' ? frames[i]?.objects?.[object] : (ee[i] as Vec3);
  const start = pos(h.ref);
  if (!start) return -1;
  let lifted = false;
  let carried = false;
  let lastContact = h.ref;
  for (let i = h.ref; i < h.end; i++) {
    if (evidence === 'contacts') {
      const f = frames[i] as PushcutFrame;
      if (f.graspContact || f.objectContacts?.includes(object)) lastContact = i;
      if (i - lastContact > cfg.contactMemoryFrames) return lastContact + 1; // let go with the jaw still closed
      if (lastContact !== i) continue; // maybe already falling: no lift or carry from this frame
    }
    const p = pos(i);
    if (!p) continue;
    if (!lifted && p[2] - start[2] > cfg.liftHeight) {
      lifted = true;
      events.push({ symbol: 'lift', frame: i, object });
    }
    if (!carried && horizontalDist(p, start) > cfg.carryDistance) {
      carried = true;
      events.push({ symbol: 'carry', frame: i, object });
    }
  }
  return -1;
}

type MoveKind = 'carried' | 'pushed' | 'knocked' | 'settle';

/** Classifies each object step as carried, pushed or knocked and emits push/knock events. */
function objectMotion(
  name: string,
  frames: readonly PushcutFrame[],
  heldAt: (i: number, object?: string) => boolean,
  cfg: SignatureConfig,
  events: BehaviourEvent[],
): ObjectMotion {
  const pts = frames.map((f) => f.objects?.[name] ?? ([Number.NaN, Number.NaN, Number.NaN] as Vec3));
  const steps = quantizedSteps(pts, cfg.moveQuantum);
  const totals = { carried: 0, pushed: 0, knocked: 0 };
  let lastTouch = Number.NEGATIVE_INFINITY;
  let lastHeld = Number.NEGATIVE_INFINITY;
  // `reach`: farthest the object got from where the segment began. Jostling back and forth while
  // the fingers close around it travels a path but reaches nowhere; a push carries it somewhere.
  let seg: { kind: MoveKind; start: number; last: number; origin: Vec3; reach: number } | undefined;
  const closeSeg = () => {
    if (seg && (seg.kind === 'pushed' || seg.kind === 'knocked') && seg.reach >= cfg.minObjectMove) {
      events.push({ symbol: seg.kind === 'pushed' ? 'push' : 'knock', frame: seg.start, object: name });
    }
    seg = undefined;
  };
  for (let i = 0; i < frames.length; i++) {
    const f = frames[i] as PushcutFrame;
    if (f.objectContacts?.includes(name)) lastTouch = i;
    const held = heldAt(i, name) && (f.graspContact === true || i - lastTouch <= cfg.contactMemoryFrames);
    if (held) lastHeld = i;
    const d = steps[i] ?? 0;
    if (seg && i - seg.last > cfg.graceFrames) closeSeg();
    if (!(d > 0)) continue;
    let kind: MoveKind;
    if (held) kind = 'carried';
    else if (i - lastHeld <= cfg.graceFrames)
      kind = 'settle'; // dropped or settling after release
    else if (i - lastTouch <= cfg.graceFrames)
      kind = 'pushed'; // touching, or sliding on after a push
    else kind = 'knocked';
    if (kind !== 'settle') totals[kind] += d;
    if (seg && seg.kind !== kind) closeSeg();
    if (!seg) seg = { kind, start: i, last: i, origin: pts[Math.max(0, i - 1)] as Vec3, reach: 0 };
    seg.reach = Math.max(seg.reach, dist3(seg.origin, pts[i] as Vec3));
    seg.last = i;
  }
  closeSeg();
  const first = pts[0] as Vec3;
  const lastPt = pts[pts.length - 1] as Vec3;
  const best = (Object.entries(totals) as [ObjectMotion['mode'], number][]).sort((a, b) => b[1] - a[1])[0];
  const mode = best && best[1] >= cfg.minObjectMove ? best[0] : 'still';
  return { mode, ...totals, net: dist3(first, lastPt) };
}

/** Joints only: sideways travel of the empty hand near the episode's lowest height. */
function sweeps(
  ee: readonly Vec3[],
  heldAt: (i: number) => boolean,
  cfg: SignatureConfig,
  events: BehaviourEvent[],
): void {
  const minZ = ee.reduce((m, p) => Math.min(m, p[2]), Number.POSITIVE_INFINITY);
  const steps = quantizedSteps(ee, cfg.moveQuantum, true);
  let start = -1;
  let dist = 0;
  const flush = () => {
    if (start >= 0 && dist >= cfg.sweepDistance) events.push({ symbol: 'sweep', frame: start });
    start = -1;
    dist = 0;
  };
  for (let i = 0; i < ee.length; i++) {
    const low = (ee[i] as Vec3)[2] <= minZ + cfg.lowBand;
    if (!low || heldAt(i)) {
      flush();
      continue;
    }
    if (start < 0) start = i;
    dist += steps[i] ?? 0;
  }
  flush();
}

/**
 * The strategy's sentence: event symbols with consecutive repeats collapsed, leaving out `open`
 * and `close` on nothing. Those stay in `events` for display, but they do not change how the
 * object is moved (closing the hand to push with it, or a sampled policy twitching the gripper),
 * and letting them in would split one strategy into many. An episode whose only events are
 * opens and closes keeps them, so an idle episode and one that only worked the gripper differ.
 */
export function sentence(events: readonly BehaviourEvent[]): EventSymbol[] {
  const onlyGripper = events.every((e) => e.symbol === 'open' || e.symbol === 'close');
  const out: EventSymbol[] = [];
  for (const e of events) {
    if (!onlyGripper && (e.symbol === 'open' || e.symbol === 'close')) continue;
    if (out[out.length - 1] !== e.symbol) out.push(e.symbol);
  }
  return out;
}
