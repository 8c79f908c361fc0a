import type { Scene } from '../scene';
import type { Layout } from './objects';

/** One task of the suite: its scene objects, how a seed places them, and when it is solved. */
export interface TaskDef {
  id: string;
  /** The language instruction given to the policy. */
  instruction: string;
  /** Episode length limit in control steps (at the default 30 Hz). */
  maxSteps: number;
  /** MJCF bodies added to the arm + table scene. */
  worldXml: string;
  /** Top-level bodies whose positions StepInfo.objects reports (movable objects and fixtures). */
  objects: string[];
  /** Place the objects for an episode (called after mj_resetData, before mj_forward). */
  place(scene: Scene, layout: Layout): void;
  /** Success, from the physics state only. */
  success(scene: Scene): boolean;
}
