import type { StepInfo } from './env';

/**
 * How far an episode got, from the simulator's contact and object facts, for telling where a
 * policy fails: it never reaches an object, reaches but cannot grasp, grasps but cannot lift, or
 * lifts and still fails the task. The stages nest: lifted implies grasped implies touched.
 */
export interface StagesReached {
  /** The gripper touched one of the task's objects. */
  touched: boolean;
  /** Both fingers touched the same object (a button pressed between them counts too). */
  grasped: boolean;
  /** An object rose LIFT_HEIGHT above where it started while held. */
  lifted: boolean;
}

export const STAGES = ['touched', 'grasped', 'lifted'] as const;
export const LIFT_HEIGHT = 0.03;

export class EpisodeStages {
  readonly reached: StagesReached = { touched: false, grasped: false, lifted: false };
  private readonly startZ = new Map<string, number>();

  /** `start`: the scene right after reset. */
  constructor(start: StepInfo) {
    for (const [name, pos] of Object.entries(start.objects)) this.startZ.set(name, pos[2]);
  }

  observe(info: StepInfo): void {
    if (info.objectContacts.length > 0 || info.graspContact) this.reached.touched = true;
    if (!info.graspContact) return;
    this.reached.grasped = true;
    for (const [name, pos] of Object.entries(info.objects)) {
      const z0 = this.startZ.get(name);
      if (z0 !== undefined && pos[2] - z0 >= LIFT_HEIGHT) this.reached.lifted = true;
    }
  }
}
