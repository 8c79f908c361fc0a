export type { EnvObservation, EnvStep, StepInfo, TaskEnvOptions } from './contract';
export { PROBE_ENV_MODULE } from './probe-env';
export { type EnvMeta, VectorEnv, type VectorEnvOptions, type VectorEnvSpec } from './vector-env';
