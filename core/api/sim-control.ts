import type { ControlLoop, ControlTick } from '../hardware/control-loop';
import { SimRobot } from '../hardware/sim/sim-robot';
import { type Expert, expertFor } from '../sim/experts';
import { ApiError } from './errors';

/**
 * What only the simulator offers: a fresh scene per episode, the task's success predicate, and the
 * scripted expert as one more command source. The expert sets goals on the control loop like any
 * teleop device, so it passes through the same safety layer.
 */
export class SimControl {
  private expert: Expert | null = null;
  private seed = 0;
  /** Ticks since the task first succeeded while the expert drives (the demo ends a little after). */
  private successTicks = 0;

  constructor(
    private readonly loop: ControlLoop,
    private readonly onExpertDone: () => void,
  ) {}

  static for(loop: ControlLoop, onExpertDone: () => void): SimControl | null {
    return loop.robot instanceof SimRobot ? new SimControl(loop, onExpertDone) : null;
  }

  private get robot(): SimRobot {
    return this.loop.robot as SimRobot;
  }

  get task(): { id: string; instruction: string; success: boolean } {
    return this.robot.task;
  }

  get expertOn(): boolean {
    return this.expert !== null;
  }

  /** New object layout from the next seed (or the given one); the arm restarts at home. */
  async resetScene(seed?: number): Promise<number> {
    this.seed = seed ?? this.seed + 1;
    const obs = await this.robot.reset(this.seed);
    this.loop.resync(obs.state);
    this.expert?.reset();
    this.successTicks = 0;
    return this.seed;
  }

  setExpert(on: boolean): void {
    if (!on) {
      this.expert = null;
      this.loop.resync(null);
      return;
    }
    try {
      this.expert = expertFor(this.robot.task.id);
    } catch (err) {
      throw new ApiError('failed', err instanceof Error ? err.message : String(err));
    }
    this.successTicks = 0;
  }

  onTick(tick: ControlTick): void {
    const env = this.robot.taskEnv;
    if (!this.expert || !env) return;
    if (this.robot.task.success && ++this.successTicks === 15) {
      this.expert = null;
      this.onExpertDone();
      return;
    }
    this.loop.setGoal(this.expert.act(env, { state: tick.obs.state, images: tick.obs.images }), true);
  }
}
