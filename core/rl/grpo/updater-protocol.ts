import type { ParamValues } from '../../nn/model';
import type { PolicySpec } from '../policy-spec';
import type { TrainingRow } from './batch';
import type { RolloutGroup } from './types';
import type { GrpoUpdateConfig, UpdateMetrics } from './update';

/** Messages between ThreadedGrpoUpdater (host) and its worker (updater-worker.ts). */
export interface UpdaterWorkerData {
  policy: PolicySpec;
  params: ParamValues;
  config: GrpoUpdateConfig;
}

export type UpdaterRequest =
  | {
      type: 'update';
      id: number;
      groups: readonly RolloutGroup[];
      /** Seed of the update's mini-batch shuffling (a function cannot cross threads). */
      seed: number;
      extra: readonly TrainingRow[];
    }
  | { type: 'save'; id: number; path: string; meta: Record<string, unknown> }
  | { type: 'restore'; id: number; path: string };

export type UpdaterReply =
  | { type: 'ready'; temperature: number }
  | { type: 'updated'; id: number; metrics: UpdateMetrics; params: ParamValues }
  | { type: 'saved'; id: number }
  | { type: 'restored'; id: number; meta: Record<string, unknown>; params: ParamValues }
  | { type: 'error'; id?: number; message: string };
