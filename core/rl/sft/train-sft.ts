import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { defaultTinyVlaConfig, type TinyVlaConfig } from '../../../models/tiny-vla/config';
import { tinyVla } from '../../../models/tiny-vla/model';
import { exportTinyVla } from '../../../models/tiny-vla/policy';
import {
  buildVocab,
  quantileStats,
  tokenizeActions,
  tokenizeInstruction,
} from '../../../models/tiny-vla/tokenizer';
import { crossEntropy, gaussianBinCrossEntropy } from '../../nn/losses';
import { rng } from '../../nn/model';
import type { HostTensor } from '../../nn/runtime';
import { Trainer } from '../../nn/trainer';
import type { SftOptions, SftProgress, SftResult, SftSample } from './types';

/**
 * Share of the demos' q01..q99 action span added on each side of the action bins. A few demos
 * cover only their own layouts: with one demo per task, 2-36% (by task) of the expert's actions on
 * other layouts within ±2.5 cm lie outside the demos' range, where no token can express them.
 */
export const ACTION_RANGE_MARGIN = 0.2;

/** Derive the tiny-vla configuration from the data: image side, chunk, dims, vocab, q01/q99. */
export function configFromSamples(
  samples: readonly SftSample[],
  over: Partial<TinyVlaConfig> = {},
): TinyVlaConfig {
  const first = samples[0];
  if (!first) throw new Error('SFT needs at least one sample; record some demonstrations first');
  const side = Math.round(Math.sqrt(first.front.length / 3));
  if (side * side * 3 !== first.front.length)
    throw new Error(`sample 0: front image of ${first.front.length} bytes is not a square RGB image`);
  const chunk = first.actionChunk.length;
  const dim = first.state.length;
  samples.forEach((s, i) => {
    if (s.front.length !== first.front.length || s.wrist.length !== first.front.length) {
      throw new Error(`sample ${i}: images must all be ${side}x${side} RGB (resize them first)`);
    }
    if (s.state.length !== dim)
      throw new Error(`sample ${i}: state has ${s.state.length} values, sample 0 has ${dim}`);
    if (s.actionChunk.length !== chunk || s.actionChunk.some((a) => a.length !== dim)) {
      throw new Error(`sample ${i}: action chunk must be ${chunk} steps x ${dim} values like sample 0`);
    }
  });
  return defaultTinyVlaConfig({
    imageSize: side,
    chunk,
    actionDim: dim,
    vocab: buildVocab(samples.map((s) => s.instruction)),
    stateStats: quantileStats(
      samples.map((s) => s.state),
      dim,
    ),
    actionStats: quantileStats(
      samples.flatMap((s) => s.actionChunk),
      dim,
      ACTION_RANGE_MARGIN,
    ),
    ...over,
  });
}

interface Encoded {
  tokens: number[];
  actions: number[];
}

/** Assemble batch tensors for sample indices (shared buffers reused between steps). */
class BatchPacker {
  private readonly front: Uint8Array;
  private readonly wrist: Uint8Array;
  private readonly tokens: BigInt64Array;
  private readonly state: Float32Array;
  private readonly clock: Float32Array;
  private readonly actions: BigInt64Array;

  constructor(
    private readonly cfg: TinyVlaConfig,
    private readonly samples: readonly SftSample[],
    private readonly enc: readonly Encoded[],
    readonly batch: number,
    private readonly shift = 0,
    private readonly rand: () => number = Math.random,
    private readonly clockJitter = 0,
  ) {
    const px = cfg.imageSize * cfg.imageSize * 3;
    this.front = new Uint8Array(batch * px);
    this.wrist = new Uint8Array(batch * px);
    this.tokens = new BigInt64Array(batch * cfg.maxTokens);
    this.state = new Float32Array(batch * cfg.actionDim);
    this.clock = new Float32Array(batch);
    this.actions = new BigInt64Array(batch * cfg.chunk * cfg.actionDim);
  }

  /** Copy an image into the batch, shifted by a random offset (edge pixels replicated) when augmenting. */
  private putImage(dst: Uint8Array, src: Uint8Array, offset: number): void {
    if (!this.shift) {
      dst.set(src, offset);
      return;
    }
    const n = this.cfg.imageSize;
    const dx = Math.floor(this.rand() * (2 * this.shift + 1)) - this.shift;
    const dy = Math.floor(this.rand() * (2 * this.shift + 1)) - this.shift;
    for (let y = 0; y < n; y++) {
      const sy = Math.min(n - 1, Math.max(0, y + dy));
      for (let x = 0; x < n; x++) {
        const sx = Math.min(n - 1, Math.max(0, x + dx));
        const si = (sy * n + sx) * 3;
        const di = offset + (y * n + x) * 3;
        dst[di] = src[si] as number;
        dst[di + 1] = src[si + 1] as number;
        dst[di + 2] = src[si + 2] as number;
      }
    }
  }

  pack(indices: readonly number[]): Record<string, HostTensor> {
    const c = this.cfg;
    const px = c.imageSize * c.imageSize * 3;
    const per = c.chunk * c.actionDim;
    indices.forEach((idx, b) => {
      const s = this.samples[idx] as SftSample;
      const e = this.enc[idx] as Encoded;
      this.putImage(this.front, s.front, b * px);
      this.putImage(this.wrist, s.wrist, b * px);
      this.state.set(s.state, b * c.actionDim);
      if (c.clockInput) this.clock[b] = this.clockOf(s, idx);
      for (let k = 0; k < c.maxTokens; k++) this.tokens[b * c.maxTokens + k] = BigInt(e.tokens[k] as number);
      for (let k = 0; k < per; k++) this.actions[b * per + k] = BigInt(e.actions[k] as number);
    });
    const n = this.batch;
    return {
      front: { dtype: 'uint8', shape: [n, c.imageSize, c.imageSize, 3], data: this.front },
      wrist: { dtype: 'uint8', shape: [n, c.imageSize, c.imageSize, 3], data: this.wrist },
      tokens: { dtype: 'int64', shape: [n, c.maxTokens], data: this.tokens },
      state: { dtype: 'float32', shape: [n, c.actionDim], data: this.state },
      actions: { dtype: 'int64', shape: [n, per], data: this.actions },
      ...(c.clockInput ? { clock: { dtype: 'float32' as const, shape: [n, 1], data: this.clock } } : {}),
    };
  }

  private clockOf(s: SftSample, idx: number): number {
    if (s.step === undefined)
      throw new Error(
        `sample ${idx} has no frame index ("step"), and this policy reads the episode clock; build the samples with expertDemoSamples or samplesFromDataset`,
      );
    const dt = Math.round((2 * this.rand() - 1) * this.clockJitter);
    return Math.max(0, s.step + dt);
  }
}

/** Linear warm-up, then cosine decay to a tenth of the peak by the last step. */
function learningRate(peak: number, step: number, warmup: number, total: number): number {
  if (warmup > 0 && step <= warmup) return (peak * step) / warmup;
  const progress = (step - warmup) / Math.max(1, total - warmup);
  return peak * (0.1 + 0.45 * (1 + Math.cos(Math.PI * Math.min(1, progress))));
}

function shuffled(n: number, rand: () => number): number[] {
  const a = [...Array(n).keys()];
  for (let i = n - 1; i > 0; i--) {
    const j = Math.floor(rand() * (i + 1));
    [a[i], a[j]] = [a[j] as number, a[i] as number];
  }
  return a;
}

/**
 * Supervised fine-tuning of tiny-vla on (observation, action chunk) samples: token cross-entropy
 * (soft Gaussian-bin targets by default), AdamW with a short warm-up and cosine decay, train/validation split, progress events, cancel via AbortSignal,
 * checkpoints and optional export.
 */
export async function trainSft(opts: SftOptions): Promise<SftResult> {
  const cfg = configFromSamples(opts.samples, opts.policyConfig);
  const rand = rng(opts.seed ?? 0);
  const order = shuffled(opts.samples.length, rand);
  const nVal =
    opts.samples.length > 1
      ? Math.min(opts.samples.length - 1, Math.round((opts.valFraction ?? 0.1) * opts.samples.length))
      : 0;
  const valIdx = order.slice(0, nVal);
  const trainIdx = order.slice(nVal);
  const batch = Math.min(opts.batchSize ?? 32, trainIdx.length);
  const perEpoch = Math.max(1, Math.floor(trainIdx.length / batch));
  const totalSteps = opts.steps ?? (opts.epochs ?? 10) * perEpoch;
  const lr = opts.lr ?? 1e-3;
  const warmup = Math.min(50, Math.floor(totalSteps / 10));
  const evalEvery = opts.evalEvery ?? perEpoch;

  const enc: Encoded[] = opts.samples.map((s) => ({
    tokens: tokenizeInstruction(s.instruction, cfg.vocab, cfg.maxTokens),
    actions: tokenizeActions(s.actionChunk, cfg.actionStats, cfg.bins),
  }));
  const shift = opts.augmentShift ?? Math.floor(cfg.imageSize / 16);
  const labelSigma = opts.labelSigma ?? 2;
  const packer = new BatchPacker(cfg, opts.samples, enc, batch, shift, rand, opts.clockJitter ?? cfg.chunk);
  const evalPacker = new BatchPacker(cfg, opts.samples, enc, batch);
  const trainer = await Trainer.create({
    model: tinyVla(cfg),
    batch,
    extraInputs: [{ name: 'actions', shape: [cfg.chunk * cfg.actionDim], dtype: 'int64' }],
    loss: (out, extra) =>
      labelSigma > 0
        ? gaussianBinCrossEntropy(out.logits as never, extra.actions as never, labelSigma)
        : crossEntropy(out.logits as never, extra.actions as never),
    optimizer: { weightDecay: opts.weightDecay ?? 0.01, maxGradNorm: 1.0 },
    seed: opts.seed ?? 0,
    threads: opts.threads,
    ...(opts.initialParams ? { params: opts.initialParams } : {}),
  });
  if (opts.resumeFrom) trainer.load(opts.resumeFrom);

  const validate = async (): Promise<number> => {
    if (!valIdx.length) return Number.NaN;
    let total = 0;
    let batches = 0;
    for (let start = 0; start < valIdx.length; start += batch) {
      // The graph has a fixed batch: fill the last batch cyclically from the validation split.
      const ids = Array.from({ length: batch }, (_, k) => valIdx[(start + k) % valIdx.length] as number);
      total += (await trainer.evaluate(evalPacker.pack(ids))).loss;
      batches += 1;
    }
    return total / batches;
  };

  const result: SftResult = {
    config: cfg,
    params: trainer.params,
    steps: 0,
    cancelled: false,
    firstLoss: Number.NaN,
    finalLoss: Number.NaN,
    initialValLoss: await validate(),
    finalValLoss: Number.NaN,
    history: [],
  };
  // Created now, so a missing folder cannot fail the run after its training is done.
  if (opts.checkpointDir) mkdirSync(opts.checkpointDir, { recursive: true });
  const ckptPath = opts.checkpointDir ? join(opts.checkpointDir, 'latest.ckpt') : undefined;
  const saveCkpt = () => {
    if (ckptPath) {
      trainer.save(ckptPath, { kind: 'sft', config: cfg, step: result.steps });
      result.checkpointPath = ckptPath;
    }
  };

  const t0 = performance.now();
  let epochOrder: number[] = [];
  let cursor = 0;
  let epoch = 0;
  let valLoss: number | undefined;
  try {
    for (let step = 1; step <= totalSteps; step++) {
      if (opts.signal?.aborted) {
        result.cancelled = true;
        break;
      }
      if (cursor + batch > epochOrder.length) {
        epochOrder = shuffled(trainIdx.length, rand).map((i) => trainIdx[i] as number);
        cursor = 0;
        epoch += 1;
      }
      const ids = epochOrder.slice(cursor, cursor + batch);
      cursor += batch;
      const stepLr = learningRate(lr, step, warmup, totalSteps);
      const r = await trainer.step(packer.pack(ids), stepLr);
      result.steps = step;
      if (step === 1) result.firstLoss = r.loss;
      result.finalLoss = r.loss;
      if (step % evalEvery === 0 || step === totalSteps) valLoss = await validate();
      if (opts.checkpointEvery && step % opts.checkpointEvery === 0) saveCkpt();
      const elapsed = (performance.now() - t0) / 1000;
      const p: SftProgress = {
        step,
        totalSteps,
        epoch,
        loss: r.loss,
        valLoss,
        gradNorm: r.gradNorm,
        skipped: r.skipped,
        lr: stepLr,
        tokensPerSec: (step * batch * cfg.chunk * cfg.actionDim) / Math.max(elapsed, 1e-9),
        etaSec: (elapsed / step) * (totalSteps - step),
      };
      result.history.push(p);
      opts.onProgress?.(p);
      // Let other work on this thread (progress forwarding, abort handlers) run.
      await new Promise((r2) => setImmediate(r2));
    }
    result.params = trainer.params;
    result.finalValLoss = valLoss ?? (await validate());
    saveCkpt();
    if (opts.exportPath) result.exported = exportTinyVla(cfg, trainer.params, opts.exportPath);
  } finally {
    await trainer.release();
  }
  return result;
}
