export { HumanLabelReward, type PendingLabel } from './human-label';
export { SimSuccessReward } from './sim-reward';
export { type DetectorQuality, SuccessDetector, type SuccessDetectorOptions } from './success-detector';
export type { Reward, RewardEpisode, RewardSource } from './types';
