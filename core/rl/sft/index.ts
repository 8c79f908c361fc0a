export { runSftInWorker, type SftJob } from './run-in-worker';
export { configFromSamples, trainSft } from './train-sft';
export type { SftOptions, SftProgress, SftResult, SftSample } from './types';
