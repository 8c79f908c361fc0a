import type * as ort from 'onnxruntime-node';
import { buildInferenceGraph, exportModel, loadExportedModel } from '../../core/nn/export';
import type { ParamValues } from '../../core/nn/model';
import { createSession, type HostTensor, runSession, type SessionOptions } from '../../core/nn/runtime';
import type { GreedyDecoding } from '../../core/nn/token-sampling';
import type { TinyVlaConfig } from './config';
import { TINY_VLA, tinyVla } from './model';
import { type Sampled, sample } from './sampling';
import { detokenizeActions, tokenizeInstruction } from './tokenizer';

/** One observation as the policy takes it: RGB uint8 HWC images at config.imageSize. */
export interface VlaObservation {
  front: Uint8Array;
  wrist: Uint8Array;
  /** Joint state in robot units (degrees; gripper 0-100), config.actionDim values. */
  state: readonly number[];
  instruction: string;
  /** Env steps since the episode began (the clock; needed by policies with `clockInput`). */
  step?: number;
}

/** Nearest-neighbour resize of an RGB uint8 HWC image. */
export function resizeRgb(
  src: Uint8Array,
  width: number,
  height: number,
  outW: number,
  outH: number,
): Uint8Array {
  if (width === outW && height === outH) return src;
  const out = new Uint8Array(outW * outH * 3);
  for (let y = 0; y < outH; y++) {
    const sy = Math.min(height - 1, Math.floor(((y + 0.5) * height) / outH));
    for (let x = 0; x < outW; x++) {
      const sx = Math.min(width - 1, Math.floor(((x + 0.5) * width) / outW));
      const si = (sy * width + sx) * 3;
      const di = (y * outW + x) * 3;
      out[di] = src[si] as number;
      out[di + 1] = src[si + 1] as number;
      out[di + 2] = src[si + 2] as number;
    }
  }
  return out;
}

/** Pack observations into the model's batch tensors (validating sizes). */
export function encodeObservations(
  cfg: TinyVlaConfig,
  obs: readonly VlaObservation[],
): Record<string, HostTensor> {
  const n = obs.length;
  const px = cfg.imageSize * cfg.imageSize * 3;
  const front = new Uint8Array(n * px);
  const wrist = new Uint8Array(n * px);
  const tokens = new BigInt64Array(n * cfg.maxTokens);
  const state = new Float32Array(n * cfg.actionDim);
  const clock = new Float32Array(n);
  obs.forEach((o, i) => {
    for (const [name, img] of [
      ['front', o.front],
      ['wrist', o.wrist],
    ] as const) {
      if (img.length !== px) {
        throw new Error(
          `observation ${i}: ${name} image has ${img.length} bytes, tiny-vla needs ${cfg.imageSize}x${cfg.imageSize} RGB (${px}); resize it with resizeRgb()`,
        );
      }
    }
    if (o.state.length !== cfg.actionDim)
      throw new Error(
        `observation ${i}: state has ${o.state.length} values, the policy needs ${cfg.actionDim}`,
      );
    front.set(o.front, i * px);
    wrist.set(o.wrist, i * px);
    tokenizeInstruction(o.instruction, cfg.vocab, cfg.maxTokens).forEach((t, k) => {
      tokens[i * cfg.maxTokens + k] = BigInt(t);
    });
    state.set(o.state, i * cfg.actionDim);
    if (cfg.clockInput) {
      if (o.step === undefined || !Number.isFinite(o.step) || o.step < 0)
        throw new Error(
          `observation ${i}: this policy reads the episode clock; give the env steps since the episode began as "step" (got ${o.step})`,
        );
      clock[i] = o.step;
    }
  });
  const s = cfg.imageSize;
  return {
    front: { dtype: 'uint8', shape: [n, s, s, 3], data: front },
    wrist: { dtype: 'uint8', shape: [n, s, s, 3], data: wrist },
    tokens: { dtype: 'int64', shape: [n, cfg.maxTokens], data: tokens },
    state: { dtype: 'float32', shape: [n, cfg.actionDim], data: state },
    ...(cfg.clockInput ? { clock: { dtype: 'float32' as const, shape: [n, 1], data: clock } } : {}),
  };
}

export interface ActOptions {
  /** 0 = greedy (default); rollouts use e.g. 1.6. */
  temperature?: number;
  /** How temperature 0 decodes: each position's median bin (default) or argmax. */
  greedy?: GreedyDecoding;
  rand?: () => number;
}

export interface ActResult {
  /** Per observation: action chunk [chunk][dim] in robot units. */
  actions: number[][][];
  /** Per observation: sampled tokens and their log-probs (at the sampling temperature). */
  samples: Sampled[];
}

/**
 * Intra-op threads for a policy session unless the caller says otherwise. One thread: the control
 * loop runs batch 1, where a thread pool only adds hand-offs, and on a loaded machine (training
 * and rollouts beside it) one thread also gave the lowest batch-16 p50 (bench/results/nn.md).
 */
export const POLICY_THREADS = 1;

/** Runs a tiny-vla inference graph in ONNX Runtime. */
export class TinyVlaPolicy {
  private constructor(
    readonly config: TinyVlaConfig,
    private readonly session: ort.InferenceSession,
  ) {}

  /**
   * From in-memory parameters (e.g. straight from a Trainer). `session` is a thread count or full
   * session options (threads default to POLICY_THREADS).
   */
  static async fromParams(
    config: TinyVlaConfig,
    params: ParamValues,
    session?: number | SessionOptions,
  ): Promise<TinyVlaPolicy> {
    const bytes = buildInferenceGraph(tinyVla(config), params).toBytes();
    const opts = typeof session === 'number' ? { threads: session } : (session ?? {});
    return new TinyVlaPolicy(
      config,
      await createSession(bytes, { ...opts, threads: opts.threads ?? POLICY_THREADS }),
    );
  }

  /** From an exported `.onnx` + `.json` pair. */
  static async load(onnxPath: string, threads?: number): Promise<TinyVlaPolicy> {
    const m = await loadExportedModel(onnxPath, {
      expectModel: TINY_VLA,
      threads: threads ?? POLICY_THREADS,
    });
    const config = m.sidecar.extra.config as TinyVlaConfig | undefined;
    if (!config)
      throw new Error(
        `cannot load policy ${onnxPath}: its sidecar has no tiny-vla config; export the policy again`,
      );
    return new TinyVlaPolicy(config, m.session);
  }

  /** Raw logits [N * chunk * dims * bins]. */
  async logits(obs: readonly VlaObservation[]): Promise<Float32Array> {
    const out = await runSession(this.session, encodeObservations(this.config, obs), ['logits']);
    return out.logits?.data as Float32Array;
  }

  async act(obs: readonly VlaObservation[], opts: ActOptions = {}): Promise<ActResult> {
    const logits = await this.logits(obs);
    const per = this.config.chunk * this.config.actionDim * this.config.bins;
    const res: ActResult = { actions: [], samples: [] };
    obs.forEach((_, i) => {
      const s = sample(
        logits.subarray(i * per, (i + 1) * per),
        this.config.bins,
        opts.temperature ?? 0,
        opts.rand,
        opts.greedy,
      );
      res.samples.push(s);
      res.actions.push(detokenizeActions(s.tokens, this.config));
    });
    return res;
  }

  async release(): Promise<void> {
    await this.session.release();
  }
}

/** Export a trained tiny-vla: standalone ONNX + sidecar with config, normalisation stats, names, vocab. */
export function exportTinyVla(
  config: TinyVlaConfig,
  params: ParamValues,
  path: string,
): { onnxPath: string; jsonPath: string } {
  return exportModel(tinyVla(config), params, path, {
    config,
    normalization: { state: config.stateStats, action: config.actionStats, method: 'q01/q99 to [-1, 1]' },
    featureNames: {
      state: config.stateNames,
      action: config.actionNames,
      images: ['observation.images.front', 'observation.images.wrist'],
      ...(config.clockInput ? { clock: 'env steps since the episode began (frame_index)' } : {}),
    },
    vocab: config.vocab,
    action: {
      chunk: config.chunk,
      dims: config.actionDim,
      bins: config.bins,
      decode: 'a = 0.5 (t + 1)(q99 - q01) + q01, t = bin centre in [-1, 1]',
    },
  });
}
