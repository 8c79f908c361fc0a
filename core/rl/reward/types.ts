import type { CameraFrame } from '../../hardware/robot';

/** What a reward source may look at when scoring a finished episode. */
export interface RewardEpisode {
  /** Unique id (the UI labels episodes by it). */
  id: string;
  task: string;
  instruction: string;
  /** The simulator's success predicate at the end, when the episode ran in simulation. */
  simSuccess?: boolean;
  /** Camera frames at the end of the episode (for a person or the success detector). */
  finalImages?: Record<string, CameraFrame>;
}

export type Reward = 0 | 1;

/** One interface for every way of deciding whether an episode succeeded. */
export interface RewardSource {
  readonly kind: 'sim' | 'human' | 'detector';
  reward(episode: RewardEpisode, signal?: AbortSignal): Promise<Reward>;
}
