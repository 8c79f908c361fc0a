import type { Scene } from '../scene';
import {
  BOWL_INNER_HALF,
  BUTTON_TRAVEL,
  bowlXml,
  buttonXml,
  COLORS,
  CUBE_HALF,
  cubeXml,
  type Layout,
  ZONE_HALF,
  zoneXml,
} from './objects';
import type { TaskDef } from './types';

const RED = 'red_cube';
const BLUE = 'blue_cube';
const cubeAt = (scene: Scene, name: string, xy: [number, number], layout: Layout) =>
  scene.setFreeBody(name, [xy[0], xy[1], CUBE_HALF], layout.yaw());

/** The cube rests inside the bowl (below the rim, within the walls) and the gripper let go. */
function inBowl(scene: Scene, cube: string): boolean {
  const c = scene.bodyPos(cube);
  const b = scene.bodyPos('bowl');
  const inside = BOWL_INNER_HALF - CUBE_HALF * 0.5;
  return (
    Math.abs(c[0] - b[0]) < inside &&
    Math.abs(c[1] - b[1]) < inside &&
    c[2] < b[2] + 0.04 &&
    !scene.touchedByGripper(cube)
  );
}

const cubeRestsOnTable = (scene: Scene, cube: string) => scene.bodyPos(cube)[2] < CUBE_HALF + 0.005;

const lifted = (scene: Scene, cube: string) => scene.bodyPos(cube)[2] > CUBE_HALF + 0.05;

export const liftRedCube: TaskDef = {
  id: 'lift_red_cube',
  instruction: 'pick up the red cube',
  maxSteps: 150,
  worldXml: cubeXml(RED, COLORS.red) + cubeXml(BLUE, COLORS.blue),
  objects: [RED, BLUE],
  place(scene, layout) {
    const [a, b] = layout.positions([0.035, 0.035]);
    cubeAt(scene, RED, a!, layout);
    cubeAt(scene, BLUE, b!, layout);
  },
  success: (scene) => lifted(scene, RED),
};

/** The scene both bowl tasks share: a bowl and two cubes, placed apart. */
const BOWL_AND_TWO_CUBES: Pick<TaskDef, 'worldXml' | 'objects' | 'place'> = {
  worldXml: cubeXml(RED, COLORS.red) + cubeXml(BLUE, COLORS.blue) + bowlXml(),
  objects: [RED, BLUE, 'bowl'],
  place(scene, layout) {
    const [bowl, a, b] = layout.positions([0.085, 0.035, 0.035]);
    scene.setMocap('bowl', [bowl![0], bowl![1], 0]);
    cubeAt(scene, RED, a!, layout);
    cubeAt(scene, BLUE, b!, layout);
  },
};

export const redCubeInBowl: TaskDef = {
  id: 'red_cube_in_bowl',
  instruction: 'put the red cube in the bowl',
  maxSteps: 240,
  ...BOWL_AND_TWO_CUBES,
  success: (scene) => inBowl(scene, RED),
};

/** A cube and a green zone farther out; solvable by a grasp (the expert) or a push (experts/pusher.ts). */
function cubeToZone(id: string, cube: string, color: 'red' | 'blue'): TaskDef {
  return {
    id,
    instruction: `move the ${color} cube into the green zone`,
    maxSteps: 240,
    worldXml: cubeXml(cube, COLORS[color]) + zoneXml(),
    objects: [cube, 'green_zone'],
    place(scene, layout) {
      const [zone, at] = layout.positions([0.065, 0.04], {
        rMin: 0.14,
        rMax: 0.26,
        maxAngle: 0.7,
        // The zone is farther from the base than the cube, so a push away from the base reaches it.
        accept: ([z, c]) => Math.hypot(z![0], z![1]) >= Math.hypot(c![0], c![1]) + 0.03,
      });
      scene.setMocap('green_zone', [zone![0], zone![1], 0]);
      cubeAt(scene, cube, at!, layout);
    },
    success(scene) {
      const c = scene.bodyPos(cube);
      const z = scene.bodyPos('green_zone');
      return (
        Math.abs(c[0] - z[0]) < ZONE_HALF &&
        Math.abs(c[1] - z[1]) < ZONE_HALF &&
        cubeRestsOnTable(scene, cube)
      );
    },
  };
}

export const redCubeToGreenZone = cubeToZone('red_cube_to_green_zone', RED, 'red');

/** `top` rests centred on `bottom`, which rests on the table, and the gripper let go. */
function stacked(scene: Scene, top: string, bottom: string): boolean {
  const r = scene.bodyPos(top);
  const b = scene.bodyPos(bottom);
  return (
    Math.hypot(r[0] - b[0], r[1] - b[1]) < CUBE_HALF &&
    Math.abs(r[2] - b[2] - 2 * CUBE_HALF) < 0.006 &&
    cubeRestsOnTable(scene, bottom) &&
    !scene.touchedByGripper(top)
  );
}

export const stackRedOnBlue: TaskDef = {
  id: 'stack_red_on_blue',
  instruction: 'stack the red cube on the blue cube',
  maxSteps: 240,
  worldXml: cubeXml(RED, COLORS.red) + cubeXml(BLUE, COLORS.blue),
  objects: [RED, BLUE],
  place(scene, layout) {
    const [a, b] = layout.positions([0.04, 0.04]);
    cubeAt(scene, RED, a!, layout);
    cubeAt(scene, BLUE, b!, layout);
  },
  success: (scene) => stacked(scene, RED, BLUE),
};

export const pressButton: TaskDef = {
  id: 'press_button',
  instruction: 'press the button',
  maxSteps: 150,
  worldXml: buttonXml() + cubeXml(BLUE, COLORS.blue),
  objects: ['button', BLUE],
  place(scene, layout) {
    const [button, b] = layout.positions([0.05, 0.035]);
    scene.setMocap('button', [button![0], button![1], 0]);
    cubeAt(scene, BLUE, b!, layout);
  },
  success: (scene) => scene.jointPos('button') < -BUTTON_TRAVEL / 2,
};

export const bothCubesInBowl: TaskDef = {
  id: 'both_cubes_in_bowl',
  instruction: 'put both cubes in the bowl',
  maxSteps: 450,
  ...BOWL_AND_TWO_CUBES,
  success: (scene) => inBowl(scene, RED) && inBowl(scene, BLUE),
};

export const TASKS: readonly TaskDef[] = [
  liftRedCube,
  redCubeInBowl,
  redCubeToGreenZone,
  stackRedOnBlue,
  pressButton,
  bothCubesInBowl,
];

/**
 * Tasks outside the suite, for pretraining a base policy before few-demo fine-tuning on the suite
 * (as OpenVLA-OFT is pretrained on Open X-Embodiment before SimpleVLA-RL's one-trajectory SFT).
 * Same scenes and skills with the blue cube as the object, so the suite's red-cube tasks stay unseen.
 */
export const BASE_TASKS: readonly TaskDef[] = [
  {
    ...liftRedCube,
    id: 'lift_blue_cube',
    instruction: 'pick up the blue cube',
    success: (scene) => lifted(scene, BLUE),
  },
  {
    ...redCubeInBowl,
    id: 'blue_cube_in_bowl',
    instruction: 'put the blue cube in the bowl',
    success: (scene) => inBowl(scene, BLUE),
  },
  {
    ...stackRedOnBlue,
    id: 'stack_blue_on_red',
    instruction: 'stack the blue cube on the red cube',
    success: (scene) => stacked(scene, BLUE, RED),
  },
  cubeToZone('blue_cube_to_green_zone', BLUE, 'blue'),
];

export function getTask(id: string): TaskDef {
  const task = TASKS.find((t) => t.id === id) ?? BASE_TASKS.find((t) => t.id === id);
  if (!task) {
    throw new Error(
      `Unknown simulator task "${id}". Valid tasks: ${[...TASKS, ...BASE_TASKS].map((t) => t.id).join(', ')}`,
    );
  }
  return task;
}
