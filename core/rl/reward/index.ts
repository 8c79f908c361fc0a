export { HumanLabelReward, type PendingLabel } from './human-label';
export { SimSuccessReward } from './sim-reward';
export type { Reward, RewardEpisode, RewardSource } from './types';
