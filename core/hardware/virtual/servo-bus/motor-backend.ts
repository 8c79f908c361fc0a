/**
 * What drives the emulated motors' positions. Positions are the motors' own ("actual") encoder
 * ticks, before any homing offset: the virtual bus applies offsets, limits and encodings.
 */
export interface MotorBackend {
  readPositions(ids: readonly number[]): number[];
  writeGoals(goals: ReadonlyMap<number, number>): void;
  setTorque(id: number, on: boolean): void;
  close?(): void;
}

export interface IdealMotorOptions {
  ids: readonly number[];
  /** Starting positions in ticks: one number for all, or by id. Default 2048. */
  initial?: number | Record<number, number>;
  /** First-order time constant (ms). Default 40. */
  timeConstantMs?: number;
}

/**
 * An ideal first-order motor: with torque on, the position approaches the goal as
 * `x += (goal - x) * (1 - exp(-dt / tau))`; with torque off it stays where it is, unless moved by
 * hand with `setPosition` (how a test plays the person moving a leader arm).
 */
export class IdealMotorBackend implements MotorBackend {
  private readonly pos = new Map<number, number>();
  private readonly goal = new Map<number, number>();
  private readonly torque = new Map<number, boolean>();
  private readonly tauMs: number;
  private last = performance.now();

  constructor(opts: IdealMotorOptions) {
    this.tauMs = opts.timeConstantMs ?? 40;
    for (const id of opts.ids) {
      const x = typeof opts.initial === 'number' ? opts.initial : (opts.initial?.[id] ?? 2048);
      this.pos.set(id, x);
      this.goal.set(id, x);
      this.torque.set(id, false);
    }
  }

  private advance(): void {
    const now = performance.now();
    const dt = now - this.last;
    this.last = now;
    const k = 1 - Math.exp(-dt / this.tauMs);
    for (const [id, x] of this.pos) {
      if (!this.torque.get(id)) continue;
      const g = this.goal.get(id) ?? x;
      this.pos.set(id, x + (g - x) * k);
    }
  }

  readPositions(ids: readonly number[]): number[] {
    this.advance();
    return ids.map((id) => Math.round(this.pos.get(id) ?? 0));
  }

  writeGoals(goals: ReadonlyMap<number, number>): void {
    this.advance();
    for (const [id, g] of goals) if (this.pos.has(id)) this.goal.set(id, g);
  }

  setTorque(id: number, on: boolean): void {
    this.advance();
    this.torque.set(id, on);
    if (on) this.goal.set(id, this.pos.get(id) ?? 0);
  }

  /** Move a motor by hand (takes effect whether or not torque is on). */
  setPosition(id: number, ticks: number): void {
    this.advance();
    this.pos.set(id, ticks);
    if (!this.torque.get(id)) this.goal.set(id, ticks);
  }

  position(id: number): number {
    this.advance();
    return this.pos.get(id) ?? 0;
  }

  torqueOn(id: number): boolean {
    return this.torque.get(id) === true;
  }
}
