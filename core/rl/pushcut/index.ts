export { analyzeEpisodes, type PushcutAnalysis, type SourcedEpisode } from './analyze';
export {
  DEFAULT_DISTANCE_CONFIG,
  type DistanceConfig,
  dtw,
  meanDtw,
  normalizedEditDistance,
  SYMBOL_WEIGHT,
  signatureDistance,
  signatureDistanceParts,
  weightedEditDistance,
} from './distance';
export { PushcutError } from './errors';
export { strategyName } from './naming';
export { computeSignature, DEFAULT_SIGNATURE_CONFIG, type SignatureConfig } from './signature';
export { so101EndEffector } from './so101-fk';
export {
  type Calibration,
  DEFAULT_TRACKER_CONFIG,
  type DemoInput,
  type EpisodeResult,
  type PushcutReport,
  PushcutTracker,
  type StepShares,
  type StrategySummary,
  type TrackerConfig,
  type TrackerEvent,
} from './tracker';
export type * from './types';
