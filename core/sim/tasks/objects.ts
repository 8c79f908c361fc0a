import { type Rng, uniform } from '../rng';

/** MJCF snippets for the objects tasks put on the table, and their sizes (metres). */

export const CUBE_HALF = 0.015;
export const BOWL_INNER_HALF = 0.045;
export const BOWL_WALL = 0.005;
export const BOWL_HEIGHT = 0.03;
export const ZONE_HALF = 0.045;
export const BUTTON_TRAVEL = 0.012;
/** Height of the button cap's top above the table when not pressed. */
export const BUTTON_TOP = 0.03;

export const COLORS = {
  red: '0.85 0.12 0.1 1',
  blue: '0.12 0.3 0.85 1',
  green: '0.2 0.75 0.25 1',
  bowl: '0.92 0.92 0.95 1',
};

export function cubeXml(name: string, rgba: string): string {
  const h = CUBE_HALF;
  return `<body name="${name}" pos="0.2 0 ${h}"><freejoint name="${name}"/>
      <geom name="${name}" class="object" type="box" size="${h} ${h} ${h}" mass="0.03" rgba="${rgba}"/></body>`;
}

/** A square bowl made of boxes; a mocap body so each reset can move it. */
export function bowlXml(name = 'bowl'): string {
  const a = BOWL_INNER_HALF + BOWL_WALL;
  const w = BOWL_WALL / 2;
  const h = BOWL_HEIGHT / 2;
  const c = `class="fixture" rgba="${COLORS.bowl}"`;
  return `<body name="${name}" mocap="true" pos="0.2 0 0">
      <geom ${c} type="box" pos="0 0 0.002" size="${a} ${a} 0.002"/>
      <geom ${c} type="box" pos="${a - w} 0 ${h}" size="${w} ${a} ${h}"/>
      <geom ${c} type="box" pos="${-a + w} 0 ${h}" size="${w} ${a} ${h}"/>
      <geom ${c} type="box" pos="0 ${a - w} ${h}" size="${a} ${w} ${h}"/>
      <geom ${c} type="box" pos="0 ${-a + w} ${h}" size="${a} ${w} ${h}"/></body>`;
}

/** A flat green square painted on the table: visual only, objects slide over it. */
export function zoneXml(name = 'green_zone'): string {
  return `<body name="${name}" mocap="true" pos="0.2 0 0">
      <geom class="visual" type="box" pos="0 0 0.0005" size="${ZONE_HALF} ${ZONE_HALF} 0.0005" rgba="${COLORS.green}"/></body>`;
}

/** A push button: a fixed housing and a spring-loaded cap on a slide joint named `button`. */
export function buttonXml(name = 'button'): string {
  const capH = 0.006;
  return `<body name="${name}" mocap="true" pos="0.2 0 0">
      <geom class="fixture" type="box" pos="0 0 0.009" size="0.03 0.03 0.009" rgba="0.3 0.3 0.3 1"/>
      <body name="${name}_cap" pos="0 0 ${BUTTON_TOP - capH}">
        <joint name="${name}" type="slide" axis="0 0 1" range="${-BUTTON_TRAVEL} 0" stiffness="150" damping="2"/>
        <geom class="fixture" type="cylinder" size="0.02 ${capH}" mass="0.01" rgba="0.9 0.15 0.1 1"/>
      </body></body>`;
}

export type XY = [number, number];

/**
 * Sample table positions in the arm's comfortable workspace (a sector in front of the base),
 * each at least `clearance[i] + clearance[j]` apart from the others.
 */
export function samplePlacements(
  rng: Rng,
  clearance: number[],
  region: { rMin: number; rMax: number; maxAngle: number } = { rMin: 0.14, rMax: 0.25, maxAngle: 0.75 },
): XY[] {
  for (let attempt = 0; attempt < 1000; attempt++) {
    const out: XY[] = [];
    let ok = true;
    for (let i = 0; i < clearance.length && ok; i++) {
      const r = Math.sqrt(uniform(rng, region.rMin ** 2, region.rMax ** 2));
      const a = uniform(rng, -region.maxAngle, region.maxAngle);
      const p: XY = [r * Math.cos(a), r * Math.sin(a)];
      for (let j = 0; j < out.length; j++) {
        const q = out[j]!;
        if (Math.hypot(p[0] - q[0], p[1] - q[1]) < clearance[i]! + clearance[j]!) ok = false;
      }
      out.push(p);
    }
    if (ok) return out;
  }
  throw new Error('Could not place the task objects without overlap; the clearances are too large');
}
