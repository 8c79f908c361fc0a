import type { Observation, Robot } from './robot';
import { SafetyLayer } from './safety';

export interface ControlLoopOptions {
  hz: number;
  /** Largest joint speed the loop will command, in robot units per second (deg/s; gripper %/s). */
  maxSpeed: number[];
  /** A streaming source (teleop, policy) that stops sending for this long makes the arm hold. */
  watchdogMs: number;
}

export interface ControlTick {
  obs: Observation;
  /** Target sent to the robot this tick, after the safety layer; null when holding or e-stopped. */
  commanded: number[] | null;
  /** Goal as the command source gave it, before the safety layer. */
  raw: number[] | null;
  latencyMs: number;
}

/**
 * Drives one robot at a fixed rate: observe, pass the current goal through the safety layer, act.
 * Command sources only set goals; this loop is the single place that calls `Robot.act`, so no
 * source can bypass joint limits, the per-step change bound, the watchdog or the e-stop.
 */
export class ControlLoop {
  readonly safety: SafetyLayer;
  private goal: number[] | null = null;
  private goalStreaming = false;
  private goalAt = 0;
  private timer: NodeJS.Timeout | null = null;
  private busy = false;
  private listeners = new Set<(tick: ControlTick) => void>();
  private errorListeners = new Set<(err: Error) => void>();
  private ticks: number[] = [];

  constructor(
    readonly robot: Robot,
    readonly options: ControlLoopOptions,
  ) {
    const f = robot.features;
    this.safety = new SafetyLayer({
      limits: f.limits,
      maxStepChange: options.maxSpeed.map((v) => v / options.hz),
    });
  }

  start(initialState: number[]): void {
    this.safety.reset(initialState);
    this.timer = setInterval(() => void this.tick(), 1000 / this.options.hz);
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }

  /**
   * Set the goal. `streaming` goals (teleop, policy) expire after the watchdog period; a set-point
   * (a UI slider) stays until replaced.
   */
  setGoal(goal: number[], streaming = false): void {
    this.goal = [...goal];
    this.goalStreaming = streaming;
    this.goalAt = performance.now();
  }

  async estop(): Promise<void> {
    this.safety.estop();
    this.goal = null;
    await this.robot.estop();
  }

  /**
   * The robot's state jumped (a scene reset, a source handing over): drop the goal and measure the
   * next step from `current` (or from the next observation when null).
   */
  resync(current: number[] | null): void {
    this.goal = null;
    if (current) this.safety.reset(current);
  }

  release(current: number[]): void {
    this.goal = null;
    this.safety.release(current);
  }

  onTick(listener: (tick: ControlTick) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  onError(listener: (err: Error) => void): () => void {
    this.errorListeners.add(listener);
    return () => this.errorListeners.delete(listener);
  }

  /** Control ticks per second over the last two seconds. */
  get fps(): number {
    const now = performance.now();
    this.ticks = this.ticks.filter((t) => now - t < 2000);
    return this.ticks.length / 2;
  }

  private async tick(): Promise<void> {
    if (this.busy) return; // a slow robot never gets overlapping commands
    this.busy = true;
    const started = performance.now();
    try {
      const obs = await this.robot.observe();
      let commanded: number[] | null = null;
      const stale = this.goalStreaming && started - this.goalAt > this.options.watchdogMs;
      if (this.goal && !stale && !this.safety.estopped) {
        const verdict = this.safety.filter(this.goal);
        if (verdict.ok) {
          commanded = verdict.target;
          await this.robot.act(commanded);
        }
      } else if (stale) {
        this.goal = null;
        this.safety.reset(obs.state);
      }
      this.ticks.push(performance.now());
      const tick = { obs, commanded, raw: this.goal, latencyMs: performance.now() - started };
      for (const l of this.listeners) l(tick);
    } catch (err) {
      for (const l of this.errorListeners) l(err instanceof Error ? err : new Error(String(err)));
    } finally {
      this.busy = false;
    }
  }
}
