import type { TinyVlaConfig } from '../../../models/tiny-vla/config';

/** One supervised example: observation at time t and the next `chunk` actions. */
export interface SftSample {
  /** RGB uint8 HWC, square (the image side becomes the policy's imageSize). */
  front: Uint8Array;
  wrist: Uint8Array;
  state: number[];
  instruction: string;
  /** Frame index in its episode (the clock of policies with `clockInput`). */
  step?: number;
  /** [chunk][actionDim] joint targets in robot units. */
  actionChunk: number[][];
}

export interface SftProgress {
  step: number;
  totalSteps: number;
  epoch: number;
  /** Training loss of this step (token cross-entropy, nats). */
  loss: number;
  /** Latest validation loss (when evaluated). */
  valLoss?: number;
  gradNorm: number;
  skipped: boolean;
  lr: number;
  /** Action tokens trained per second (batch x chunk x dims / step time). */
  tokensPerSec: number;
  etaSec: number;
}

export interface SftOptions {
  samples: SftSample[];
  /** Overrides of the derived policy configuration (vocab and q01/q99 stats come from the samples). */
  policyConfig?: Partial<TinyVlaConfig>;
  /**
   * Spread of the soft action-token targets in bins (default 2; 0: one-hot cross-entropy). Soft
   * targets treat neighbouring bins as near misses.
   */
  labelSigma?: number;
  /** Number of passes over the training split (ignored when `steps` is set). Default 10. */
  epochs?: number;
  steps?: number;
  batchSize?: number;
  lr?: number;
  weightDecay?: number;
  /** Fraction of samples held out for validation (0 = none). Default 0.1. */
  valFraction?: number;
  /** Validate every N steps (and at the end). Default: once per epoch. */
  evalEvery?: number;
  /** Random image shift augmentation in pixels (edge-replicated), per sample and camera. Default imageSize / 16; 0 disables. */
  augmentShift?: number;
  /**
   * Random shift of the episode clock in env steps, per sample (policies with `clockInput`).
   * Default the chunk length: the policy reads the phase from the clock without tying each action
   * to one exact step of the demos.
   */
  clockJitter?: number;
  seed?: number;
  threads?: number;
  onProgress?: (p: SftProgress) => void;
  signal?: AbortSignal;
  /** Directory for `latest.ckpt` (written every `checkpointEvery` steps and at the end). */
  checkpointDir?: string;
  checkpointEvery?: number;
  /** Start from these weights (e.g. a pretrained base policy, whose config goes in policyConfig). */
  initialParams?: Map<string, Float32Array>;
  /** Continue from a checkpoint written by an earlier run with the same configuration. */
  resumeFrom?: string;
  /** Write the trained policy as `<exportPath>.onnx` + `.json`. */
  exportPath?: string;
}

export interface SftResult {
  config: TinyVlaConfig;
  params: Map<string, Float32Array>;
  steps: number;
  cancelled: boolean;
  firstLoss: number;
  finalLoss: number;
  /** Validation loss before training and at the end (NaN without a validation split). */
  initialValLoss: number;
  finalValLoss: number;
  history: SftProgress[];
  checkpointPath?: string;
  exported?: { onnxPath: string; jsonPath: string };
}
