import type { StepInfo } from '../env';
import { BUTTON_TOP, CUBE_HALF } from '../tasks/objects';
import type { ScriptStep, Vec3 } from './follower';

/** Cartesian scripts of the grasping experts, one per task. Heights are TCP heights (m). */

const ABOVE_Z = 0.085;
const GRASP_Z = 0.02;
const CARRY_Z = 0.11;
const SLOW = 0.005;
const OPEN = 100;
/** Opening before a grasp: 5.2 cm between the pads, wider than a cube's diagonal, narrow enough to miss walls. */
const PREGRASP = 65;
const CLOSED = 0;

const objXY = (info: StepInfo, name: string): [number, number] => {
  const p = info.objects[name];
  if (!p) throw new Error(`Expert: the scene reports no object "${name}"`);
  return [p[0], p[1]];
};
const objYaw = (info: StepInfo, name: string): number => info.objectYaw?.[name] ?? 0;
const at = (xy: [number, number], z: number): Vec3 => [xy[0], xy[1], z];

export function pick(cube: string): ScriptStep[] {
  const yaw = (i: StepInfo) => objYaw(i, cube);
  return [
    { kind: 'move', to: (i) => at(objXY(i, cube), ABOVE_Z), yaw, gripper: PREGRASP, tol: 0.015 },
    { kind: 'move', to: (i) => at(objXY(i, cube), GRASP_Z), yaw, gripper: PREGRASP, speed: SLOW, tol: 0.008 },
    { kind: 'grip', gripper: CLOSED, steps: 10 },
    { kind: 'move', to: (i) => at(objXY(i, cube), CARRY_Z), gripper: CLOSED, tol: 0.02 },
  ];
}

/**
 * Carry the held cube over `where` and let go when its bottom is `clearance` above `floorZ`.
 * The TCP-to-cube offset is measured when the descent starts, so a cube that slipped in the
 * fingers still lands where intended.
 */
export function place(
  cube: string,
  where: (info: StepInfo) => [number, number],
  floorZ: (info: StepInfo) => number,
  clearance: number,
): ScriptStep[] {
  return [
    { kind: 'move', to: (i) => at(where(i), CARRY_Z), gripper: CLOSED, tol: 0.015 },
    {
      kind: 'move',
      to: (i) => {
        const held = i.objects[cube]![2] - i.eePos[2];
        return at(where(i), floorZ(i) + CUBE_HALF + clearance - held);
      },
      gripper: CLOSED,
      speed: SLOW,
      tol: 0.008,
    },
    { kind: 'grip', gripper: OPEN, steps: 8 },
    { kind: 'move', to: (i) => at(where(i), CARRY_Z), gripper: OPEN, tol: 0.03 },
  ];
}

const bowlAt = (dx: number, dy: number) => (i: StepInfo) => {
  const b = objXY(i, 'bowl');
  return [b[0] + dx, b[1] + dy] as [number, number];
};

export const EXPERT_SCRIPTS: Record<string, (info: StepInfo) => ScriptStep[]> = {
  lift_red_cube: () => [
    ...pick('red_cube'),
    { kind: 'move', to: (i) => [i.eePos[0], i.eePos[1], 0.14], gripper: CLOSED },
  ],
  red_cube_in_bowl: () => [...pick('red_cube'), ...place('red_cube', bowlAt(0, 0), () => 0.004, 0.03)],
  red_cube_to_green_zone: () => [
    ...pick('red_cube'),
    ...place(
      'red_cube',
      (i) => objXY(i, 'green_zone'),
      () => 0,
      0.003,
    ),
  ],
  stack_red_on_blue: () => [
    ...pick('red_cube'),
    ...place(
      'red_cube',
      (i) => objXY(i, 'blue_cube'),
      (i) => i.objects.blue_cube![2] + CUBE_HALF,
      0.003,
    ),
  ],
  press_button: () => [
    { kind: 'grip', gripper: CLOSED, steps: 3 },
    { kind: 'move', to: (i) => at(objXY(i, 'button'), ABOVE_Z), gripper: CLOSED, tol: 0.015 },
    // Finger tips are 15 mm below the TCP: push the cap 12 mm down (its full travel).
    { kind: 'move', to: (i) => at(objXY(i, 'button'), BUTTON_TOP + 0.003), gripper: CLOSED, speed: SLOW },
    { kind: 'grip', gripper: CLOSED, steps: 30 },
  ],
  both_cubes_in_bowl: () => [
    ...pick('red_cube'),
    ...place('red_cube', bowlAt(0, 0.022), () => 0.004, 0.03),
    ...pick('blue_cube'),
    ...place('blue_cube', bowlAt(0, -0.022), () => 0.004, 0.03),
  ],
};
