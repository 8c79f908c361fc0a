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
  yellow: '0.9 0.78 0.1 1',
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

/** Where a task's objects may go: an annulus sector in front of the base, plus a task's own rule. */
export interface Region {
  rMin: number;
  rMax: number;
  maxAngle: number;
  /** Extra condition on a whole placement (e.g. the zone farther out than the cube). */
  accept?: (placement: XY[]) => boolean;
}

export const WORKSPACE: Region = { rMin: 0.14, rMax: 0.25, maxAngle: 0.75 };

const fitsApart = (p: XY[], clearance: number[]) =>
  p.every((a, i) =>
    p.slice(0, i).every((b, j) => Math.hypot(a[0] - b[0], a[1] - b[1]) >= clearance[i]! + clearance[j]!),
  );

/**
 * Sample table positions in `region`, each at least `clearance[i] + clearance[j]` apart from the
 * others and passing the region's own rule.
 */
export function samplePlacements(rng: Rng, clearance: number[], region: Region = WORKSPACE): XY[] {
  for (let attempt = 0; attempt < 1000; attempt++) {
    const out: XY[] = [];
    for (let i = 0; i < clearance.length; i++) {
      const r = Math.sqrt(uniform(rng, region.rMin ** 2, region.rMax ** 2));
      const a = uniform(rng, -region.maxAngle, region.maxAngle);
      out.push([r * Math.cos(a), r * Math.sin(a)]);
      if (!fitsApart(out, clearance)) break;
    }
    if (out.length === clearance.length && fitsApart(out, clearance) && (region.accept?.(out) ?? true))
      return out;
  }
  throw new Error('Could not place the task objects without overlap; the clearances are too large');
}

/** How one episode's objects are placed: positions and yaw angles, drawn in the task's order. */
export interface Layout {
  positions(clearance: number[], region?: Region): XY[];
  yaw(): number;
}

/** Anywhere in the workspace, any yaw within ±45° (the suite's default spread). */
export function randomLayout(rng: Rng): Layout {
  return {
    positions: (clearance, region) => samplePlacements(rng, clearance, region),
    yaw: () => uniform(rng, -Math.PI / 4, Math.PI / 4),
  };
}

/** Yaw spread of a region layout, as LIBERO's object regions allow little rotation. */
export const REGION_YAW_SPREAD = 0.25;

/**
 * LIBERO-style layout: every object stays within ±`spread` metres (per axis) of its place in a fixed
 * nominal scene and within ±REGION_YAW_SPREAD of its nominal yaw. LIBERO's object regions are
 * 2-5 cm boxes, so its initial states differ far less than the suite's random layouts.
 */
export function regionLayout(nominal: Layout, rng: Rng, spread: number): Layout {
  return {
    positions(clearance, region = WORKSPACE) {
      const centre = nominal.positions(clearance, region);
      for (let attempt = 0; attempt < 100; attempt++) {
        const p = centre.map(
          ([x, y]): XY => [x + uniform(rng, -spread, spread), y + uniform(rng, -spread, spread)],
        );
        if (fitsApart(p, clearance) && (region.accept?.(p) ?? true)) return p;
      }
      return centre;
    },
    yaw: () => nominal.yaw() + uniform(rng, -REGION_YAW_SPREAD, REGION_YAW_SPREAD),
  };
}
