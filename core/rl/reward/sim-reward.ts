import type { Reward, RewardEpisode, RewardSource } from './types';

/** Reward from the simulator's success predicate (the oracle SimpleVLA-RL uses). */
export class SimSuccessReward implements RewardSource {
  readonly kind = 'sim';

  async reward(episode: RewardEpisode): Promise<Reward> {
    if (episode.simSuccess === undefined) {
      throw new Error(
        `Episode ${episode.id} did not run in the simulator, so it has no success predicate; use a person's label or the success detector as the reward source.`,
      );
    }
    return episode.simSuccess ? 1 : 0;
  }
}
