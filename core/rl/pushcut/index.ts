/**
 * Pushcut tracking: find, name and measure behaviours RL discovers beyond the demonstrations.
 *
 *   import { PushcutTracker } from './core/rl/pushcut';
 *
 *   const tracker = new PushcutTracker({
 *     demos: demos.map((d) => ({ id: d.id, frames: d.frames })), // >= 2 successful demonstrations
 *     config: { minCount: 3, minSuccessRate: 0.5 },               // everything else is calibrated
 *   });
 *   for (const ep of rollouts) {                                  // { id, rlStep, success, frames }
 *     for (const ev of tracker.observe(ep)) {
 *       if (ev.type === 'new-pushcut') console.log(`${ev.pushcut.name} since step ${ev.pushcut.firstSeenStep}`);
 *     }
 *   }
 *   const report = tracker.report(); // strategies, pushcuts, per-step shares, episode tags, message
 *
 * A frame is `{ state, eePos?, objects?, graspContact?, objectContacts?, action? }` (see types.ts):
 * simulator frames carry everything, a physical arm only `state` (and `action` when recorded).
 * `analyzeEpisodes(episodes)` does the same offline for a dataset of demos and rollouts.
 */
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
  type TrackerSnapshot,
} from './tracker';
export type * from './types';
