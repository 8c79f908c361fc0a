import type { RecordingSession } from '../../data/recorder';
import { type RolloutMeta, type RolloutRecorder, writeRolloutEpisode } from '../../rl/recorder';
import type { PlayedRollout } from '../../rl/sim-rollouts';

/** Steps as ranges for a person to read: [3,4,5,9] -> "3-5, 9". */
export function stepRanges(steps: readonly number[]): string {
  const out: string[] = [];
  let i = 0;
  while (i < steps.length) {
    let j = i;
    while (j + 1 < steps.length && (steps[j + 1] as number) === (steps[j] as number) + 1) j++;
    out.push(i === j ? `${steps[i]}` : `${steps[i]}-${steps[j]}`);
    i = j + 1;
  }
  return out.join(', ');
}

/**
 * Records each robot rollout as an episode of the session's dataset: source 'rollout', policy
 * version, reward on the last frame, success label; an episode a person took over is tagged
 * `intervention` and its note names the steps (they get no policy gradient).
 */
export class RobotRolloutRecorder implements RolloutRecorder {
  private chain: Promise<unknown> = Promise.resolve();
  /** Dataset index of the last episode written. */
  lastIndex: number | null = null;

  constructor(
    private readonly session: RecordingSession,
    private readonly cameras: string[],
  ) {}

  get recordsImages(): boolean {
    return this.cameras.length > 0;
  }

  record(played: PlayedRollout, meta: RolloutMeta): Promise<void> {
    const frames = played.frames ?? [];
    this.lastIndex = null;
    if (frames.length === 0) return Promise.resolve();
    const interventions = played.rollout.interventionSteps ?? [];
    const run = async () => {
      const note = interventions.length
        ? `intervention steps: ${stepRanges(interventions)} (${interventions.length} of ${frames.length}, no policy gradient)`
        : null;
      this.lastIndex = await writeRolloutEpisode(this.session, this.cameras, frames, meta, {
        tags: interventions.length ? ['intervention'] : [],
        note,
      });
    };
    const p = this.chain.then(run, run);
    this.chain = p.catch(() => undefined);
    return p;
  }

  /** The dataset session belongs to the Studio's dataset service, which closes it. */
  async close(): Promise<void> {
    await this.chain;
  }
}
