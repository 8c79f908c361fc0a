export { type EvaluateOptions, evaluatePolicy, stageShares, type TaskEvaluation } from './evaluate';
export { runSftInWorker, type SftJob } from './run-in-worker';
export { expertDemoSamples } from './sim-demos';
export { configFromSamples, trainSft } from './train-sft';
export type { SftOptions, SftProgress, SftResult, SftSample } from './types';
