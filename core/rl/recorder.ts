import type { RecordingSession } from '../data/recorder';
import type { PlayedRollout } from './sim-rollouts';

export interface RolloutMeta {
  task: string;
  instruction: string;
  policyVersion: number;
  /** null: the episode was cut short before anyone labelled it (stored with success unknown). */
  reward: 0 | 1 | null;
}

/** Where finished rollouts go, so RL data is reviewable and reusable. */
export interface RolloutRecorder {
  /** Whether episodes keep camera frames (false: rollouts render only what the policy sees). */
  readonly recordsImages: boolean;
  record(played: PlayedRollout, meta: RolloutMeta): Promise<void>;
  /** Make the episodes recorded so far visible to readers of the dataset (once per batch). */
  flush?(): Promise<void>;
  close(): Promise<void>;
}

type Frames = NonNullable<PlayedRollout['frames']>;

/**
 * One rollout as a dataset episode: source 'rollout', policy version, the reward on the last frame,
 * success from the reward (unknown when unlabelled). Returns the episode's index.
 */
export async function writeRolloutEpisode(
  session: RecordingSession,
  cameras: readonly string[],
  frames: Frames,
  meta: RolloutMeta,
  extra: { tags?: string[]; note?: string | null; metaLater?: boolean } = {},
): Promise<number> {
  const index = session.startEpisode({
    task: meta.instruction,
    source: 'rollout',
    policyVersion: String(meta.policyVersion),
    ...(extra.tags ? { tags: extra.tags } : {}),
  });
  frames.forEach((f, i) => {
    const images: typeof f.images = {};
    for (const c of cameras) if (f.images[c]) images[c] = f.images[c];
    const last = i === frames.length - 1;
    session.addFrame({
      state: f.state,
      action: f.action,
      images,
      reward: last ? (meta.reward ?? 0) : 0,
      done: last,
    });
  });
  await session.endEpisode(
    {
      success: meta.reward === null ? null : meta.reward === 1,
      ...(extra.note !== undefined ? { note: extra.note } : {}),
    },
    { metaLater: extra.metaLater ?? false },
  );
  return index;
}

/**
 * Writes each rollout as a LeRobotDataset episode (source 'rollout', policy version, reward) via
 * the dataset's RecordingSession. Episodes are committed one at a time, in order; an episode is
 * on disk once `record` resolves, so a crash loses no completed rollout. The dataset's meta/ tables
 * are rewritten by `flush` (and `close`), not after every episode: readers see a batch at a time.
 */
export class DatasetRolloutRecorder implements RolloutRecorder {
  private chain: Promise<void> = Promise.resolve();
  recorded = 0;

  constructor(
    readonly session: RecordingSession,
    /** Camera names the dataset declares (frames for others are not written). */
    private readonly cameras: string[],
  ) {}

  get recordsImages(): boolean {
    return this.cameras.length > 0;
  }

  record(played: PlayedRollout, meta: RolloutMeta): Promise<void> {
    const frames = played.frames;
    if (!frames)
      return Promise.reject(new Error('Rollout has no frames: play it with keepFrames to record it'));
    if (frames.length === 0) return this.chain; // nothing happened (stopped before the first step)
    const run = async () => {
      // Yield first: the caller posts its next simulation request, and this write overlaps it.
      await new Promise<void>((resolve) => setImmediate(resolve));
      await writeRolloutEpisode(this.session, this.cameras, frames, meta, {
        metaLater: true,
        ...(played.rollout.greedy ? { tags: ['greedy'] } : {}),
      });
      this.recorded++;
    };
    this.chain = this.chain.then(run, run);
    return this.chain;
  }

  async flush(): Promise<void> {
    await this.chain;
    this.session.flushMeta();
  }

  async close(): Promise<void> {
    await this.chain.catch(() => {});
    await this.session.close();
  }
}
