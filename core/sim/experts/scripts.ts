import type { StepInfo } from '../env';
import { type Rng, uniform } from '../rng';
import { BUTTON_TOP, CUBE_HALF } from '../tasks/objects';
import type { ScriptStep, Vec3 } from './follower';

/** Cartesian scripts of the grasping experts, one per task. Heights are TCP heights (m). */

/** How an expert moves; `sampleStyle` varies it so demos are not all the same motion. */
export interface ExpertStyle {
  /** Height above an object before descending onto it. */
  aboveZ: number;
  /** Height while carrying. */
  carryZ: number;
  /** TCP height when closing on a cube (finger tips are 15 mm lower). */
  graspZ: number;
  /** TCP speed of free moves, metres per control step (descents go at 70% of it). */
  speed: number;
  /** Gripper opening before a grasp (0..100); 55+ clears a cube's diagonal. */
  pregrasp: number;
  /** Offset (m) of where a carried cube is put down, inside the target's tolerance. */
  placeOffset: [number, number];
}

export const NOMINAL_STYLE: ExpertStyle = {
  aboveZ: 0.085,
  carryZ: 0.11,
  graspZ: 0.02,
  speed: 0.007,
  pregrasp: 65,
  placeOffset: [0, 0],
};

/** A random but always-workable style (each value within a range the experts were tested over). */
export function sampleStyle(rng: Rng): ExpertStyle {
  return {
    aboveZ: uniform(rng, 0.07, 0.1),
    carryZ: uniform(rng, 0.1, 0.125),
    graspZ: uniform(rng, 0.018, 0.024),
    speed: uniform(rng, 0.0055, 0.0085),
    pregrasp: uniform(rng, 58, 72),
    placeOffset: [uniform(rng, -0.006, 0.006), uniform(rng, -0.006, 0.006)],
  };
}

const OPEN = 100;
const CLOSED = 0;

const objXY = (info: StepInfo, name: string): [number, number] => {
  const p = info.objects[name];
  if (!p) throw new Error(`Expert: the scene reports no object "${name}"`);
  return [p[0], p[1]];
};
const objYaw = (info: StepInfo, name: string): number => info.objectYaw?.[name] ?? 0;
const at = (xy: [number, number], z: number): Vec3 => [xy[0], xy[1], z];
const slow = (s: ExpertStyle) => s.speed * 0.7;

export function pick(cube: string, s: ExpertStyle): ScriptStep[] {
  const yaw = (i: StepInfo) => objYaw(i, cube);
  return [
    {
      kind: 'move',
      to: (i) => at(objXY(i, cube), s.aboveZ),
      yaw,
      gripper: s.pregrasp,
      speed: s.speed,
      tol: 0.015,
    },
    {
      kind: 'move',
      to: (i) => at(objXY(i, cube), s.graspZ),
      yaw,
      gripper: s.pregrasp,
      speed: slow(s),
      tol: 0.008,
    },
    { kind: 'grip', gripper: CLOSED, steps: 10 },
    { kind: 'move', to: (i) => at(objXY(i, cube), s.carryZ), gripper: CLOSED, speed: s.speed, tol: 0.02 },
  ];
}

/**
 * Carry the held cube over `where` and let go when its bottom is `clearance` above `floorZ`.
 * The TCP-to-cube offset is measured when the descent starts, so a cube that slipped in the
 * fingers still lands where intended.
 */
export function place(
  cube: string,
  s: ExpertStyle,
  target: (info: StepInfo) => [number, number],
  floorZ: (info: StepInfo) => number,
  clearance: number,
  offsetScale = 1,
): ScriptStep[] {
  const where = (i: StepInfo): [number, number] => {
    const p = target(i);
    return [p[0] + s.placeOffset[0] * offsetScale, p[1] + s.placeOffset[1] * offsetScale];
  };
  return [
    { kind: 'move', to: (i) => at(where(i), s.carryZ), gripper: CLOSED, speed: s.speed, tol: 0.015 },
    {
      kind: 'move',
      to: (i) => {
        const held = i.objects[cube]![2] - i.eePos[2];
        return at(where(i), floorZ(i) + CUBE_HALF + clearance - held);
      },
      gripper: CLOSED,
      speed: slow(s),
      tol: 0.008,
    },
    { kind: 'grip', gripper: OPEN, steps: 8 },
    { kind: 'move', to: (i) => at(where(i), s.carryZ), gripper: OPEN, speed: s.speed, tol: 0.03 },
  ];
}

const bowlAt = (dx: number, dy: number) => (i: StepInfo) => {
  const b = objXY(i, 'bowl');
  return [b[0] + dx, b[1] + dy] as [number, number];
};

type Script = (info: StepInfo, style: ExpertStyle) => ScriptStep[];

const lift =
  (cube: string): Script =>
  (_, s) => [
    ...pick(cube, s),
    { kind: 'move', to: (i) => [i.eePos[0], i.eePos[1], 0.14], gripper: CLOSED, speed: s.speed },
  ];
const intoBowl =
  (cube: string): Script =>
  (_, s) => [...pick(cube, s), ...place(cube, s, bowlAt(0, 0), () => 0.004, 0.03)];
const stack =
  (top: string, bottom: string): Script =>
  (_, s) => [
    ...pick(top, s),
    // The stack tolerance is 15 mm: only a third of the style's place offset.
    ...place(
      top,
      s,
      (i) => objXY(i, bottom),
      (i) => i.objects[bottom]![2] + CUBE_HALF,
      0.003,
      0.3,
    ),
  ];

const toZone =
  (cube: string): Script =>
  (_, s) => [
    ...pick(cube, s),
    ...place(
      cube,
      s,
      (i) => objXY(i, 'green_zone'),
      () => 0,
      0.003,
    ),
  ];

/** Both cubes into the bowl, side by side: `first` on one half, `second` on the other. */
const bothIntoBowl =
  (first: string, second: string): Script =>
  (_, s) => [
    ...pick(first, s),
    ...place(first, s, bowlAt(0, 0.022), () => 0.004, 0.03, 0.5),
    ...pick(second, s),
    ...place(second, s, bowlAt(0, -0.022), () => 0.004, 0.03, 0.5),
  ];

export const EXPERT_SCRIPTS: Record<string, Script> = {
  lift_red_cube: lift('red_cube'),
  red_cube_in_bowl: intoBowl('red_cube'),
  red_cube_to_green_zone: toZone('red_cube'),
  stack_red_on_blue: stack('red_cube', 'blue_cube'),
  press_button: (_, s) => [
    { kind: 'grip', gripper: CLOSED, steps: 3 },
    {
      kind: 'move',
      to: (i) => at(objXY(i, 'button'), s.aboveZ),
      gripper: CLOSED,
      speed: s.speed,
      tol: 0.015,
    },
    // Finger tips are 15 mm below the TCP: push the cap 12 mm down (its full travel).
    { kind: 'move', to: (i) => at(objXY(i, 'button'), BUTTON_TOP + 0.003), gripper: CLOSED, speed: slow(s) },
    { kind: 'grip', gripper: CLOSED, steps: 30 },
  ],
  both_cubes_in_bowl: bothIntoBowl('red_cube', 'blue_cube'),
  lift_blue_cube: lift('blue_cube'),
  blue_cube_in_bowl: intoBowl('blue_cube'),
  stack_blue_on_red: stack('blue_cube', 'red_cube'),
  blue_cube_to_green_zone: toZone('blue_cube'),
  lift_yellow_cube: lift('yellow_cube'),
  yellow_cube_in_bowl: intoBowl('yellow_cube'),
  stack_yellow_on_blue: stack('yellow_cube', 'blue_cube'),
  stack_red_on_yellow: stack('red_cube', 'yellow_cube'),
  yellow_cube_to_green_zone: toZone('yellow_cube'),
  blue_and_yellow_cubes_in_bowl: bothIntoBowl('blue_cube', 'yellow_cube'),
};
