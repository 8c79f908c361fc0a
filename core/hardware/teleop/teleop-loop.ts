import { EventEmitter } from 'node:events';
import type { Robot } from '../robot';
import { RobotError } from '../robot';
import { SafetyLayer } from '../safety';

export interface TeleopLoopOptions {
  robot: Robot;
  /** Where the next target comes from (a leader arm, keyboard/gamepad state). */
  source: (dtS: number) => Promise<number[] | null> | number[] | null;
  /** Default: limits from `robot.features`, max change `maxSpeed / hz`. */
  safety?: SafetyLayer;
  /** Loop rate (default 60 Hz). */
  hz?: number;
  /** Used to build the default safety layer: largest speed per joint (units/s). Default 180 deg/s, gripper 300 %/s. */
  maxSpeed?: number[];
  /** Consecutive failed cycles (timeouts) before the loop gives up and stops the arm. Default 5. */
  maxConsecutiveErrors?: number;
}

export interface TeleopStats {
  cycles: number;
  errors: number;
  clipped: number;
  /** Measured loop rate over the last second. */
  hz: number;
  lastCycleMs: number;
}

/**
 * source -> SafetyLayer -> robot.act at a fixed rate. Events: `tick` ({target, clipped}),
 * `error` (Error; a lost port or repeated failures stop the loop after holding the arm),
 * `stopped` (reason), `estop`.
 */
export class TeleopLoop extends EventEmitter {
  readonly safety: SafetyLayer;
  readonly stats: TeleopStats = { cycles: 0, errors: 0, clipped: 0, hz: 0, lastCycleMs: 0 };
  private running = false;
  private timer: NodeJS.Timeout | null = null;
  private consecutiveErrors = 0;
  private recent: number[] = [];
  private lastTick = 0;
  private done: Promise<void> = Promise.resolve();
  private finish: () => void = () => undefined;
  readonly hz: number;

  constructor(private readonly opts: TeleopLoopOptions) {
    super();
    this.hz = opts.hz ?? 60;
    const f = opts.robot.features;
    const speed = opts.maxSpeed ?? f.joints.map((j) => (j === 'gripper' ? 300 : 180));
    this.safety =
      opts.safety ?? new SafetyLayer({ limits: f.limits, maxStepChange: speed.map((v) => v / this.hz) });
  }

  get isRunning(): boolean {
    return this.running;
  }

  /** Seed the safety layer from the follower's measured state and start. */
  async start(): Promise<void> {
    if (this.running) return;
    const obs = await this.opts.robot.observe();
    this.safety.reset(obs.state);
    this.running = true;
    this.consecutiveErrors = 0;
    this.lastTick = performance.now();
    this.done = new Promise((resolve) => {
      this.finish = resolve;
    });
    this.schedule(this.lastTick);
  }

  /** Stop the loop; resolves when the last cycle has finished. */
  async stop(reason = 'stopped by user'): Promise<void> {
    if (!this.running) return;
    this.running = false;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    this.emit('stopped', reason);
    this.finish();
    await this.done;
  }

  /** E-stop: block all commands and hold the arm. `release()` to continue. */
  async estop(): Promise<void> {
    this.safety.estop();
    this.emit('estop');
    await this.opts.robot.estop();
  }

  async release(): Promise<void> {
    const obs = await this.opts.robot.observe();
    this.safety.release(obs.state);
  }

  private schedule(from: number): void {
    if (!this.running) return;
    const period = 1000 / this.hz;
    const delay = Math.max(0, from + period - performance.now());
    this.timer = setTimeout(() => void this.cycle(from + period), delay);
  }

  private async cycle(due: number): Promise<void> {
    if (!this.running) return;
    const started = performance.now();
    const dt = (started - this.lastTick) / 1000;
    this.lastTick = started;
    try {
      const target = await this.opts.source(dt);
      if (target && !this.safety.estopped) {
        const verdict = this.safety.filter(target);
        if (verdict.ok) {
          if (verdict.clipped) this.stats.clipped++;
          await this.opts.robot.act(verdict.target);
          this.emit('tick', { target: verdict.target, clipped: verdict.clipped });
        }
      }
      this.consecutiveErrors = 0;
    } catch (err) {
      await this.onError(err);
    }
    this.stats.cycles++;
    const end = performance.now();
    this.stats.lastCycleMs = end - started;
    this.recent.push(end);
    while (this.recent.length > 0 && end - this.recent[0]! > 1000) this.recent.shift();
    this.stats.hz = this.recent.length;
    // If a cycle overran, start the next one now rather than bursting to catch up.
    this.schedule(Math.max(due, end - 1000 / this.hz));
  }

  private async onError(err: unknown): Promise<void> {
    this.stats.errors++;
    this.consecutiveErrors++;
    const e = err instanceof Error ? err : new Error(String(err));
    const fatal =
      (e instanceof RobotError && (e.code === 'disconnected' || e.code === 'not-connected')) ||
      this.consecutiveErrors >= (this.opts.maxConsecutiveErrors ?? 5);
    // EventEmitter throws on an unheard 'error'; a teleop loop must never crash on one.
    if (this.listenerCount('error') > 0) this.emit('error', e);
    if (!fatal) return;
    this.running = false;
    if (this.timer) clearTimeout(this.timer);
    // Hold the follower where it is (a no-op when the follower itself is the one disconnected).
    await this.opts.robot.estop().catch(() => undefined);
    this.emit('stopped', `teleop stopped: ${e.message}`);
    this.finish();
  }
}
