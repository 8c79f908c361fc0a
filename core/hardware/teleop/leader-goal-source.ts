import type { Teleoperator } from './teleoperator';

/** Anything that takes streaming goals, e.g. the app's ControlLoop (core/hardware/control-loop.ts). */
export interface GoalSink {
  setGoal(goal: number[], streaming?: boolean): void;
}

/**
 * Feed a leader arm into a ControlLoop as streaming goals, so the loop's safety layer, watchdog
 * and e-stop apply (the loop is the one calling `act`). Stops on a disconnected leader, after
 * which the loop's watchdog makes the follower hold. Returns a stop function.
 */
export function streamLeaderGoals(
  leader: Teleoperator,
  sink: GoalSink,
  opts: { hz?: number; onError?: (err: Error) => void } = {},
): () => void {
  const period = 1000 / (opts.hz ?? 60);
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  const tick = async () => {
    const started = performance.now();
    try {
      sink.setGoal(await leader.getAction(), true);
    } catch (err) {
      const e = err instanceof Error ? err : new Error(String(err));
      opts.onError?.(e);
      if ((e as { code?: string }).code === 'disconnected') stopped = true;
    }
    if (!stopped) timer = setTimeout(tick, Math.max(0, period - (performance.now() - started)));
  };
  void tick();
  return () => {
    stopped = true;
    clearTimeout(timer);
  };
}
