export type { EnvObservation, EnvStep, StepInfo, TaskEnvOptions } from './contract';
export { type EnvMeta, VectorEnv, type VectorEnvOptions, type VectorEnvSpec } from './vector-env';
