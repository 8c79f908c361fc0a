import { z } from 'zod';

/**
 * Input events as plain objects, so the renderer can forward keyboard and gamepad state through
 * the API unchanged. Keys use `KeyboardEvent.code` names (`KeyW`, `ArrowUp`, `Space`).
 */
export type InputEvent =
  | { type: 'key'; code: string; down: boolean }
  /** A gamepad snapshot (`navigator.getGamepads()` standard mapping). */
  | { type: 'gamepad'; axes: number[]; buttons: (boolean | number)[] }
  | { type: 'estop' }
  | { type: 'release' }
  | { type: 'mode'; mode: TeleopSpace }
  /** Drop all held keys/axes (window lost focus). */
  | { type: 'clear' };

export type TeleopSpace = 'joint' | 'ee';

/** Key code -> [axis index, direction]. Joint space: axis = joint index (SO-101 order). */
export const JOINT_KEYS: Readonly<Record<string, [number, number]>> = {
  KeyQ: [0, 1],
  KeyA: [0, -1],
  KeyW: [1, 1],
  KeyS: [1, -1],
  KeyE: [2, 1],
  KeyD: [2, -1],
  KeyR: [3, 1],
  KeyF: [3, -1],
  KeyT: [4, 1],
  KeyG: [4, -1],
  KeyY: [5, 1],
  KeyH: [5, -1],
};

/** End-effector space axes: 0 x, 1 y, 2 z, 3 pitch, 4 roll, 5 gripper. */
export const EE_KEYS: Readonly<Record<string, [number, number]>> = {
  KeyW: [0, 1],
  ArrowUp: [0, 1],
  KeyS: [0, -1],
  ArrowDown: [0, -1],
  KeyA: [1, 1],
  ArrowLeft: [1, 1],
  KeyD: [1, -1],
  ArrowRight: [1, -1],
  KeyR: [2, 1],
  KeyF: [2, -1],
  KeyI: [3, 1],
  KeyK: [3, -1],
  KeyJ: [4, 1],
  KeyL: [4, -1],
  KeyO: [5, 1],
  KeyC: [5, -1],
};

export const ESTOP_KEY = 'Space';
/** Gamepad button that e-stops (Back/Select in the standard mapping). */
export const ESTOP_BUTTON = 8;

const DEADZONE = 0.12;
const dz = (v: number | undefined) => (v === undefined || Math.abs(v) < DEADZONE ? 0 : v);
const btn = (b: boolean | number | undefined) => (typeof b === 'number' ? b : b ? 1 : 0);

/**
 * Six command axes in [-1, 1] from a standard-mapping gamepad.
 * Joint space: left stick x/y -> pan/lift, right stick y/x -> elbow/wrist_flex, bumpers -> roll,
 * triggers -> gripper. EE space: left stick -> x/y, right stick y -> z, x -> roll, bumpers -> pitch,
 * triggers -> gripper.
 */
export function gamepadAxes(space: TeleopSpace, axes: number[], buttons: (boolean | number)[]): number[] {
  const [lx, ly, rx, ry] = [dz(axes[0]), dz(axes[1]), dz(axes[2]), dz(axes[3])];
  const bumpers = btn(buttons[5]) - btn(buttons[4]);
  const triggers = btn(buttons[7]) - btn(buttons[6]);
  return space === 'joint' ? [-lx, -ly, -ry, rx, bumpers, triggers] : [-ly, -lx, -ry, bumpers, rx, triggers];
}

/** zod schema of InputEvent, for validating events that arrive over the API. */
export const inputEventSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('key'), code: z.string().max(32), down: z.boolean() }),
  z.object({
    type: z.literal('gamepad'),
    axes: z.array(z.number().finite().min(-1).max(1)).max(16),
    buttons: z.array(z.union([z.boolean(), z.number().finite().min(0).max(1)])).max(32),
  }),
  z.object({ type: z.literal('estop') }),
  z.object({ type: z.literal('release') }),
  z.object({ type: z.literal('mode'), mode: z.enum(['joint', 'ee']) }),
  z.object({ type: z.literal('clear') }),
]);
