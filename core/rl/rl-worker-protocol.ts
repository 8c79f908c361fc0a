import type { StateSampling } from './grpo/state-sampler';
import type { GrpoUpdateConfig } from './grpo/update';
import type { PolicySpec } from './policy-spec';
import type { BestEval, RlEvent } from './rl-job';

/** Everything an RL job in a worker thread needs, as plain data. */
export interface RlWorkerSpec {
  runDir: string;
  tasks: string[];
  policy: PolicySpec;
  /** SFT checkpoint to start from (ignored when the run folder has a checkpoint to resume). */
  initialCheckpoint?: string;
  updates: number;
  /** Simulated envs (default groupSize) and the worker threads stepping them. */
  envs?: number;
  envWorkers?: number;
  cameras?: { width: number; height: number } | false;
  groupSize?: number;
  groupsPerBatch?: number;
  maxGroupsPerBatch?: number;
  temperature?: number;
  maxSteps?: number;
  seedRange?: number;
  stateSampling?: StateSampling;
  /** TaskEnvOptions.layoutSpread (LIBERO-style layouts); default: objects anywhere. */
  layoutSpread?: number;
  seed?: number;
  evalSeeds?: number[];
  evalEvery?: number;
  weightAverage?: number;
  update?: GrpoUpdateConfig;
  /** RlJobConfig.overlap: train in a worker of its own while the next batch is collected. */
  overlap?: boolean;
  /** Record every rollout as a LeRobotDataset episode in this folder. */
  datasetRoot?: string;
  fps?: number;
}

export type RlWorkerMessage =
  | { type: 'event'; event: RlEvent }
  | {
      type: 'result';
      reason: string;
      policyVersion: number;
      evalBefore?: Record<string, number>;
      evalAfter?: Record<string, number>;
      best?: BestEval;
      message?: string;
    }
  | { type: 'error'; message: string };

export type RlWorkerCommand = { type: 'cancel' };
