/** On-robot RL (SimpleVLA-RL's GRPO with binary rewards): public API of core/rl. */
/** (LocalEnvPool lives in ./local-pool: importing it loads MuJoCo.) */
export * from './grpo/advantages';
export * from './grpo/batch';
export * from './grpo/dynamic-sampling';
export * from './grpo/loss-graph';
export * from './grpo/masks';
export * from './grpo/reference-loss';
export type * from './grpo/types';
export * from './grpo/update';
export { behaviourClone, type DemoEpisode } from './policies/behaviour-cloning';
export { binToValue, type StateMlpConfig, stateMlpPolicy, valueToBin } from './policies/state-mlp';
export { tinyVlaTokenPolicy } from './policies/tiny-vla';
export type { PolicyObservation, PolicyState, TokenPolicy } from './policy';
export { PolicyRunner } from './policy-runner';
export { buildPolicy, initialParams, type PolicySpec, paramsFromCheckpoint } from './policy-spec';
export { DatasetRolloutRecorder, type RolloutMeta, type RolloutRecorder } from './recorder';
export * from './reward';
export * from './rl-job';
export { type RlJobHandle, type RlWorkerSpec, startRlJobWorker } from './rl-worker-host';
export * from './robot-session';
export * from './sim-rollouts';
