import { loadCheckpoint } from '../../nn/checkpoint';
import type { ParamValues } from '../../nn/model';
import { Trainer } from '../../nn/trainer';
import type { TokenPolicy } from '../policy';
import { buildTrainingRows, type LossAggregation, miniBatches, type TrainingRow } from './batch';
import { GRPO_INPUTS, grpoExtraInputs, grpoLoss } from './loss-graph';
import { stackBatch } from './rows';
import type { RolloutGroup } from './types';

export interface GrpoUpdateConfig {
  /** Decision rows per optimizer step (the training graph's fixed batch). Default 64. */
  rowsPerStep?: number;
  /** Passes over the batch (SimpleVLA-RL: 1). Default 1. */
  epochs?: number;
  lr?: number;
  weightDecay?: number;
  /** Global gradient-norm clip. Default 1.0. */
  maxGradNorm?: number;
  clipLow?: number;
  clipHigh?: number;
  /** How token losses combine (grpo/batch.ts). Default 'rollout-mean', as SimpleVLA-RL. */
  lossAggregation?: LossAggregation;
  /** Rollout temperature (log-probs are recomputed at it). Default 1.6. */
  temperature?: number;
  threads?: number;
}

export const GRPO_UPDATE_DEFAULTS = {
  rowsPerStep: 64,
  epochs: 1,
  lr: 1e-4,
  weightDecay: 0.01,
  maxGradNorm: 1.0,
  clipLow: 0.2,
  clipHigh: 0.28,
  lossAggregation: 'rollout-mean' as LossAggregation,
  temperature: 1.6,
};

export interface UpdateMetrics {
  loss: number;
  clipFrac: number;
  entropy: number;
  absLogRatio: number;
  gradNorm: number;
  /** Optimizer steps taken / skipped (non-finite loss or gradient). */
  steps: number;
  skipped: number;
  rows: number;
  rollouts: number;
  validTokens: number;
}

/**
 * What an RL loop needs from whatever applies its updates: GrpoUpdater in this thread, or
 * ThreadedGrpoUpdater (grpo/threaded-updater.ts) in a worker thread of its own.
 */
export interface PolicyUpdater {
  /** The parameters after the last finished update. */
  readonly params: ParamValues;
  /** The temperature log-probs are recomputed at (the rollouts' temperature). */
  readonly temperature: number;
  update(
    groups: readonly RolloutGroup[],
    random?: () => number,
    extra?: readonly TrainingRow[],
  ): Promise<UpdateMetrics>;
  /** Parameters, AdamW state and `meta` as a checkpoint file. */
  save(path: string, meta: Record<string, unknown>): Promise<void>;
  /** Continue from a checkpoint written by `save`; returns its meta. */
  restore(path: string): Promise<Record<string, unknown>>;
  release(): Promise<void>;
}

/**
 * Runs GRPO updates through the NN engine: one ONNX training-step graph (policy forward, the
 * clipped loss, reverse-mode gradients, AdamW with global-norm clipping) per mini-batch.
 */
export class GrpoUpdater implements PolicyUpdater {
  private constructor(
    readonly policy: TokenPolicy,
    readonly trainer: Trainer,
    readonly config: Required<Omit<GrpoUpdateConfig, 'threads'>>,
  ) {}

  static async create(
    policy: TokenPolicy,
    params: ParamValues,
    config: GrpoUpdateConfig = {},
  ): Promise<GrpoUpdater> {
    const { threads, ...rest } = config;
    const cfg = { ...GRPO_UPDATE_DEFAULTS, ...rest };
    const per = policy.chunk * policy.actionDims;
    const trainer = await Trainer.create({
      model: policy.model,
      batch: cfg.rowsPerStep,
      params,
      threads,
      extraInputs: grpoExtraInputs(per),
      optimizer: { weightDecay: cfg.weightDecay, maxGradNorm: cfg.maxGradNorm },
      loss: (outputs, extras) => {
        const logits = outputs[policy.logitsOutput];
        if (!logits) throw new Error(`policy model has no output "${policy.logitsOutput}"`);
        return grpoLoss(logits, extras, cfg);
      },
    });
    return new GrpoUpdater(policy, trainer, cfg);
  }

  get params(): ParamValues {
    return this.trainer.params;
  }

  get temperature(): number {
    return this.config.temperature;
  }

  async save(path: string, meta: Record<string, unknown>): Promise<void> {
    this.trainer.save(path, meta);
  }

  async restore(path: string): Promise<Record<string, unknown>> {
    const ckpt = loadCheckpoint(path);
    this.trainer.restore(ckpt, `checkpoint ${path}`);
    return ckpt.meta;
  }

  /** One GRPO update over the kept groups of a batch, plus `extra` rows (the demo anchor). */
  async update(
    groups: readonly RolloutGroup[],
    random: () => number = Math.random,
    extra: readonly TrainingRow[] = [],
  ): Promise<UpdateMetrics> {
    const per = this.policy.chunk * this.policy.actionDims;
    const built = buildTrainingRows(groups, this.policy, this.config.lossAggregation);
    const { rollouts, validTokens } = built;
    const rows = built.rows.length > 0 ? [...built.rows, ...extra] : [];
    const m: UpdateMetrics = {
      loss: 0,
      clipFrac: 0,
      entropy: 0,
      absLogRatio: 0,
      gradNorm: 0,
      steps: 0,
      skipped: 0,
      rows: rows.length,
      rollouts,
      validTokens,
    };
    if (rows.length === 0) return m;
    const size = this.config.rowsPerStep;
    const zeros = new Float32Array(per);
    for (let e = 0; e < this.config.epochs; e++) {
      for (const mb of miniBatches(rows.length, size, random)) {
        const picked = mb.indices.map((i) => rows[i]!);
        const padded = Array.from({ length: size }, (_, i) => picked[i]);
        const filler = picked[0]!;
        const batch = stackBatch(padded.map((r) => (r ?? filler).decision.inputs));
        const tok = new BigInt64Array(size * per);
        const old = new Float32Array(size * per);
        const mask = new Float32Array(size * per);
        const weight = new Float32Array(size * per);
        const adv = new Float32Array(size);
        padded.forEach((r, i) => {
          const src = r ?? filler;
          for (let j = 0; j < per; j++) tok[i * per + j] = BigInt(src.decision.tokens[j] as number);
          old.set(src.decision.behaviourLogp, i * per);
          mask.set(r ? r.mask : zeros, i * per);
          if (r) for (let j = 0; j < per; j++) weight[i * per + j] = (r.weight[j] as number) * mb.scale;
          adv[i] = r ? r.advantage : 0;
        });
        batch[GRPO_INPUTS.tokens] = { dtype: 'int64', shape: [size, per], data: tok };
        batch[GRPO_INPUTS.behaviourLogp] = { dtype: 'float32', shape: [size, per], data: old };
        batch[GRPO_INPUTS.mask] = { dtype: 'float32', shape: [size, per], data: mask };
        batch[GRPO_INPUTS.weight] = { dtype: 'float32', shape: [size, per], data: weight };
        batch[GRPO_INPUTS.advantage] = { dtype: 'float32', shape: [size], data: adv };
        const res = await this.trainer.step(batch, this.config.lr);
        if (res.skipped) {
          m.skipped++;
          continue;
        }
        m.steps++;
        m.loss += res.loss;
        m.gradNorm += res.gradNorm;
        m.clipFrac += res.metrics.clip_frac ?? 0;
        m.entropy += res.metrics.entropy ?? 0;
        m.absLogRatio += res.metrics.abs_log_ratio ?? 0;
      }
    }
    if (m.steps > 0) {
      for (const k of ['loss', 'gradNorm', 'clipFrac', 'entropy', 'absLogRatio'] as const) m[k] /= m.steps;
    }
    return m;
  }

  async release(): Promise<void> {
    await this.trainer.release();
  }
}
