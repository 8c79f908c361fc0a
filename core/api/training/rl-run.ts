import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { TinyVlaConfig } from '../../../models/tiny-vla/config';
import { tinyVla } from '../../../models/tiny-vla/model';
import { exportTinyVla } from '../../../models/tiny-vla/policy';
import type { StateSampling } from '../../rl/grpo/state-sampler';
import { paramsFromCheckpoint } from '../../rl/policy-spec';
import { bestCheckpoint, latestCheckpoint } from '../../rl/rl-job';
import type { RlWorkerSpec } from '../../rl/rl-worker-host';
import { ApiError } from '../errors';
import { policyPath, runDir } from './runs';

/** The tiny-vla configuration an SFT run exported beside its policy. */
export function sftConfig(sftRun: string): TinyVlaConfig {
  return sftConfigIn(runDir(sftRun));
}

function sftConfigIn(dir: string): TinyVlaConfig {
  const sidecar = join(dir, 'policy.json');
  if (!existsSync(sidecar))
    throw new ApiError('failed', `${dir} has no exported policy: finish its SFT first`);
  const config = (JSON.parse(readFileSync(sidecar, 'utf8')) as { extra?: { config?: TinyVlaConfig } }).extra
    ?.config;
  if (!config) throw new ApiError('failed', `${sidecar} has no tiny-vla config: export the policy again`);
  return config;
}

/** The RL job's own folder (checkpoints, its metrics.jsonl) inside the app's run folder. */
export const rlJobDir = (run: string): string => join(runDir(run), 'rl');

export interface RlRunOptions {
  run: string;
  from: string;
  tasks: string[];
  updates: number;
  groupSize: number;
  groupsPerBatch: number;
  temperature: number;
  evalEpisodes: number;
  rolloutsRoot: string;
  /** TaskEnvOptions.layoutSpread for every env (default: objects anywhere in the workspace). */
  layoutSpread?: number;
  /** A fixed bank of this many initial states per task (default: a fresh layout per group). */
  states?: number;
  stateSampling?: StateSampling;
  /** RlJobConfig.weightAverage: evaluate and export a moving average of the weights. */
  weightAverage?: number;
}

/** A worker spec for GRPO on tiny-vla, starting from an SFT run's weights (or resuming this run). */
export function rlWorkerSpec(o: RlRunOptions): RlWorkerSpec {
  return tinyVlaRlSpec({ ...o, sftDir: runDir(o.from), jobDir: rlJobDir(o.run) });
}

/** The same for any SFT folder (policy.json + checkpoints/) and RL job folder, as the CLI uses them. */
export function tinyVlaRlSpec(
  o: Omit<RlRunOptions, 'run' | 'from'> & { sftDir: string; jobDir: string },
): RlWorkerSpec {
  const config = sftConfigIn(o.sftDir);
  const initial = latestCheckpoint(o.sftDir);
  if (!existsSync(initial)) throw new ApiError('failed', `${o.sftDir} has no checkpoint to start RL from`);
  return {
    runDir: o.jobDir,
    tasks: o.tasks,
    policy: { kind: 'tiny-vla', config },
    initialCheckpoint: initial,
    updates: o.updates,
    envs: o.groupSize,
    cameras: { width: config.imageSize, height: config.imageSize },
    groupSize: o.groupSize,
    groupsPerBatch: o.groupsPerBatch,
    temperature: o.temperature,
    evalSeeds: Array.from({ length: o.evalEpisodes }, (_, i) => 10_000 + i),
    evalEvery: 5,
    datasetRoot: o.rolloutsRoot,
    layoutSpread: o.layoutSpread,
    seedRange: o.states,
    stateSampling: o.stateSampling,
    weightAverage: o.weightAverage,
  };
}

/**
 * Export the RL run's best-evaluated weights as a standalone policy beside its run record: the
 * checkpoint of its best greedy evaluation, else its latest, else the SFT weights (no update made).
 */
export function exportRlPolicy(run: string, from: string): string {
  const config = sftConfig(from);
  const job = rlJobDir(run);
  const source = [bestCheckpoint(job), latestCheckpoint(job), latestCheckpoint(runDir(from))].find((p) =>
    existsSync(p),
  ) as string;
  const params = paramsFromCheckpoint(tinyVla(config), source);
  return exportTinyVla(config, params, policyPath(run).replace(/\.onnx$/, '')).onnxPath;
}
