import { uniform } from '../rng';
import type { Scene } from '../scene';
import {
  BOWL_INNER_HALF,
  BUTTON_TRAVEL,
  bowlXml,
  buttonXml,
  COLORS,
  CUBE_HALF,
  cubeXml,
  samplePlacements,
  ZONE_HALF,
  zoneXml,
} from './objects';
import type { TaskDef } from './types';

const RED = 'red_cube';
const BLUE = 'blue_cube';
const yaw = (rng: () => number) => uniform(rng, -Math.PI / 4, Math.PI / 4);
const cubeAt = (scene: Scene, name: string, xy: [number, number], rng: () => number) =>
  scene.setFreeBody(name, [xy[0], xy[1], CUBE_HALF], yaw(rng));

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

export const liftRedCube: TaskDef = {
  id: 'lift_red_cube',
  instruction: 'pick up the red cube',
  maxSteps: 150,
  worldXml: cubeXml(RED, COLORS.red) + cubeXml(BLUE, COLORS.blue),
  objects: [RED, BLUE],
  place(scene, rng) {
    const [a, b] = samplePlacements(rng, [0.035, 0.035]);
    cubeAt(scene, RED, a!, rng);
    cubeAt(scene, BLUE, b!, rng);
  },
  success: (scene) => scene.bodyPos(RED)[2] > CUBE_HALF + 0.05,
};

/** The scene both bowl tasks share: a bowl and two cubes, placed apart. */
const BOWL_AND_TWO_CUBES: Pick<TaskDef, 'worldXml' | 'objects' | 'place'> = {
  worldXml: cubeXml(RED, COLORS.red) + cubeXml(BLUE, COLORS.blue) + bowlXml(),
  objects: [RED, BLUE, 'bowl'],
  place(scene, rng) {
    const [bowl, a, b] = samplePlacements(rng, [0.085, 0.035, 0.035]);
    scene.setMocap('bowl', [bowl![0], bowl![1], 0]);
    cubeAt(scene, RED, a!, rng);
    cubeAt(scene, BLUE, b!, rng);
  },
};

export const redCubeInBowl: TaskDef = {
  id: 'red_cube_in_bowl',
  instruction: 'put the red cube in the bowl',
  maxSteps: 240,
  ...BOWL_AND_TWO_CUBES,
  success: (scene) => inBowl(scene, RED),
};

/** Solvable by a grasp (the expert) or by pushing the cube along the table (experts/pusher.ts). */
export const redCubeToGreenZone: TaskDef = {
  id: 'red_cube_to_green_zone',
  instruction: 'move the red cube into the green zone',
  maxSteps: 240,
  worldXml: cubeXml(RED, COLORS.red) + zoneXml(),
  objects: [RED, 'green_zone'],
  place(scene, rng) {
    // The zone is farther from the base than the cube, so a push away from the base reaches it.
    for (;;) {
      const [zone, cube] = samplePlacements(rng, [0.065, 0.04], { rMin: 0.14, rMax: 0.26, maxAngle: 0.7 });
      if (Math.hypot(zone![0], zone![1]) < Math.hypot(cube![0], cube![1]) + 0.03) continue;
      scene.setMocap('green_zone', [zone![0], zone![1], 0]);
      cubeAt(scene, RED, cube!, rng);
      return;
    }
  },
  success(scene) {
    const c = scene.bodyPos(RED);
    const z = scene.bodyPos('green_zone');
    return (
      Math.abs(c[0] - z[0]) < ZONE_HALF && Math.abs(c[1] - z[1]) < ZONE_HALF && cubeRestsOnTable(scene, RED)
    );
  },
};

export const stackRedOnBlue: TaskDef = {
  id: 'stack_red_on_blue',
  instruction: 'stack the red cube on the blue cube',
  maxSteps: 240,
  worldXml: cubeXml(RED, COLORS.red) + cubeXml(BLUE, COLORS.blue),
  objects: [RED, BLUE],
  place(scene, rng) {
    const [a, b] = samplePlacements(rng, [0.04, 0.04]);
    cubeAt(scene, RED, a!, rng);
    cubeAt(scene, BLUE, b!, rng);
  },
  success(scene) {
    const r = scene.bodyPos(RED);
    const b = scene.bodyPos(BLUE);
    return (
      Math.hypot(r[0] - b[0], r[1] - b[1]) < CUBE_HALF &&
      Math.abs(r[2] - b[2] - 2 * CUBE_HALF) < 0.006 &&
      cubeRestsOnTable(scene, BLUE) &&
      !scene.touchedByGripper(RED)
    );
  },
};

export const pressButton: TaskDef = {
  id: 'press_button',
  instruction: 'press the button',
  maxSteps: 150,
  worldXml: buttonXml() + cubeXml(BLUE, COLORS.blue),
  objects: ['button', BLUE],
  place(scene, rng) {
    const [button, b] = samplePlacements(rng, [0.05, 0.035]);
    scene.setMocap('button', [button![0], button![1], 0]);
    cubeAt(scene, BLUE, b!, rng);
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

export function getTask(id: string): TaskDef {
  const task = TASKS.find((t) => t.id === id);
  if (!task) {
    throw new Error(`Unknown simulator task "${id}". Valid tasks: ${TASKS.map((t) => t.id).join(', ')}`);
  }
  return task;
}
