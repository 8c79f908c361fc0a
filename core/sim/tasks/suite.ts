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

type Colour = 'red' | 'blue' | 'yellow';
const cubeId = (c: Colour) => `${c}_cube`;
const BLUE = cubeId('blue');
const cubesXml = (colours: Colour[]) => colours.map((c) => cubeXml(cubeId(c), COLORS[c])).join('');
const cubeAt = (scene: Scene, name: string, xy: [number, number], layout: Layout) =>
  scene.setFreeBody(name, [xy[0], xy[1], CUBE_HALF], layout.yaw());

/** Cubes of these colours on the table, each `clearance` metres clear of the others. */
function cubesScene(colours: Colour[], clearance: number): Pick<TaskDef, 'worldXml' | 'objects' | 'place'> {
  return {
    worldXml: cubesXml(colours),
    objects: colours.map(cubeId),
    place(scene, layout) {
      const at = layout.positions(colours.map(() => clearance));
      for (const [i, c] of colours.entries()) cubeAt(scene, cubeId(c), at[i]!, layout);
    },
  };
}

/** A bowl and cubes of these colours, placed apart. */
function bowlScene(colours: Colour[]): Pick<TaskDef, 'worldXml' | 'objects' | 'place'> {
  return {
    worldXml: cubesXml(colours) + bowlXml(),
    objects: [...colours.map(cubeId), 'bowl'],
    place(scene, layout) {
      const [bowl, ...at] = layout.positions([0.085, ...colours.map(() => 0.035)]);
      scene.setMocap('bowl', [bowl![0], bowl![1], 0]);
      for (const [i, c] of colours.entries()) cubeAt(scene, cubeId(c), at[i]!, layout);
    },
  };
}

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

/** Lift the `target` cube among cubes of the `scene` colours (placed in that order). */
const liftTask = (target: Colour, scene: Colour[]): TaskDef => ({
  id: `lift_${target}_cube`,
  instruction: `pick up the ${target} cube`,
  maxSteps: 150,
  ...cubesScene(scene, 0.035),
  success: (s) => lifted(s, cubeId(target)),
});

const intoBowlTask = (target: Colour, scene: Colour[]): TaskDef => ({
  id: `${target}_cube_in_bowl`,
  instruction: `put the ${target} cube in the bowl`,
  maxSteps: 240,
  ...bowlScene(scene),
  success: (s) => inBowl(s, cubeId(target)),
});

/** A cube and a green zone farther out; solvable by a grasp (the expert) or a push (experts/pusher.ts). */
function cubeToZone(colour: Colour): TaskDef {
  const name = cubeId(colour);
  return {
    id: `${colour}_cube_to_green_zone`,
    instruction: `move the ${colour} cube into the green zone`,
    maxSteps: 240,
    worldXml: cubeXml(name, COLORS[colour]) + zoneXml(),
    objects: [name, 'green_zone'],
    place(scene, layout) {
      const [zone, at] = layout.positions([0.065, 0.04], {
        rMin: 0.14,
        rMax: 0.26,
        maxAngle: 0.7,
        // The zone is farther from the base than the cube, so a push away from the base reaches it.
        accept: ([z, c]) => Math.hypot(z![0], z![1]) >= Math.hypot(c![0], c![1]) + 0.03,
      });
      scene.setMocap('green_zone', [zone![0], zone![1], 0]);
      cubeAt(scene, name, at!, layout);
    },
    success(scene) {
      const c = scene.bodyPos(name);
      const z = scene.bodyPos('green_zone');
      return (
        Math.abs(c[0] - z[0]) < ZONE_HALF &&
        Math.abs(c[1] - z[1]) < ZONE_HALF &&
        cubeRestsOnTable(scene, name)
      );
    },
  };
}

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

const stackTask = (top: Colour, bottom: Colour, scene: Colour[]): TaskDef => ({
  id: `stack_${top}_on_${bottom}`,
  instruction: `stack the ${top} cube on the ${bottom} cube`,
  maxSteps: 240,
  ...cubesScene(scene, 0.04),
  success: (s) => stacked(s, cubeId(top), cubeId(bottom)),
});

const bothInBowlTask = (id: string, instruction: string, [a, b]: [Colour, Colour]): TaskDef => ({
  id,
  instruction,
  maxSteps: 450,
  ...bowlScene([a, b]),
  success: (s) => inBowl(s, cubeId(a)) && inBowl(s, cubeId(b)),
});

export const liftRedCube = liftTask('red', ['red', 'blue']);
export const redCubeInBowl = intoBowlTask('red', ['red', 'blue']);
export const redCubeToGreenZone = cubeToZone('red');
export const stackRedOnBlue = stackTask('red', 'blue', ['red', 'blue']);

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

export const bothCubesInBowl = bothInBowlTask('both_cubes_in_bowl', 'put both cubes in the bowl', [
  'red',
  'blue',
]);

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
 * The same skills with the blue and a yellow cube as the moved objects, so the base learns that the
 * colour word picks the object; none of the suite's instructions or task scenes appears. Red is moved
 * only onto the yellow cube.
 */
export const BASE_TASKS: readonly TaskDef[] = [
  liftTask('blue', ['red', 'blue']),
  intoBowlTask('blue', ['red', 'blue']),
  stackTask('blue', 'red', ['red', 'blue']),
  cubeToZone('blue'),
  liftTask('yellow', ['red', 'blue', 'yellow']),
  intoBowlTask('yellow', ['red', 'yellow']),
  stackTask('yellow', 'blue', ['yellow', 'blue']),
  stackTask('red', 'yellow', ['red', 'yellow']),
  cubeToZone('yellow'),
  bothInBowlTask('blue_and_yellow_cubes_in_bowl', 'put the blue and yellow cubes in the bowl', [
    'blue',
    'yellow',
  ]),
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
