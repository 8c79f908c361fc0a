import { availableParallelism } from 'node:os';
import * as ort from 'onnxruntime-node';
import type { DType } from './tensor';

/** A tensor's values on the host, as ONNX Runtime takes and returns them. */
export interface HostTensor {
  dtype: DType;
  shape: readonly number[];
  data: Float32Array | Float64Array | BigInt64Array | Int32Array | Uint8Array;
}

const ORT_TYPE: Record<DType, ort.Tensor.Type> = {
  float32: 'float32',
  float64: 'float64',
  int64: 'int64',
  int32: 'int32',
  uint8: 'uint8',
  bool: 'bool',
};

export function toOrt(t: HostTensor): ort.Tensor {
  return new ort.Tensor(ORT_TYPE[t.dtype], t.data as never, [...t.shape]);
}

export function fromOrt(t: ort.Tensor): HostTensor {
  const dtype = (Object.entries(ORT_TYPE).find(([, v]) => v === t.type)?.[0] ?? 'float32') as DType;
  return { dtype, shape: [...t.dims], data: t.data as HostTensor['data'] };
}

export function hostTensor(dtype: DType, shape: readonly number[], values: ArrayLike<number>): HostTensor {
  const data =
    dtype === 'float32'
      ? Float32Array.from(values)
      : dtype === 'float64'
        ? Float64Array.from(values)
        : dtype === 'int64'
          ? BigInt64Array.from(Array.from(values, (v) => BigInt(Math.trunc(v))))
          : dtype === 'int32'
            ? Int32Array.from(values)
            : Uint8Array.from(values);
  return { dtype, shape, data };
}

export interface SessionOptions {
  /** Intra-op threads; defaults to os.availableParallelism(). */
  threads?: number;
  /**
   * Let idle pool threads busy-wait for the next kernel (ORT's default). Off by default: on a
   * shared or loaded machine a spinning pool competes with the thread doing the work, and a
   * 2-layer MLP training step on a 2-core VM at load ~5 ran about 3x slower with spinning on
   * (bench/results/nn.md). Turn it on only on an otherwise idle machine with spare cores.
   */
  spinning?: boolean;
  /**
   * ORT's layout transforms (level 'all': NCHWc convolutions). On by default. Training steps turn
   * them off: the only convolutions they would touch there are the constant one-hot ones that lay
   * out conv2d's weight-gradient windows, and converting those outputs back to NCHW cost more than
   * it saved (tiny-vla's step ~10% slower).
   */
  layoutOptimizations?: boolean;
}

/** The onnxruntime-node options createSession uses (exported for benchmarks and tests). */
export function sessionOptions(opts: SessionOptions = {}): ort.InferenceSession.SessionOptions {
  const spin = opts.spinning ? '1' : '0';
  return {
    intraOpNumThreads: opts.threads ?? availableParallelism(),
    interOpNumThreads: 1,
    executionMode: 'sequential',
    graphOptimizationLevel: opts.layoutOptimizations === false ? 'extended' : 'all',
    executionProviders: ['cpu'],
    extra: { session: { intra_op: { allow_spinning: spin }, inter_op: { allow_spinning: spin } } },
  };
}

/** An ONNX Runtime session over model bytes, with CPU threads set from the machine. */
export async function createSession(
  model: Uint8Array | string,
  opts: SessionOptions = {},
): Promise<ort.InferenceSession> {
  const options = sessionOptions(opts);
  return typeof model === 'string'
    ? ort.InferenceSession.create(model, options)
    : ort.InferenceSession.create(model, options);
}

/** Run a session on host tensors; returns the requested outputs (all when omitted) as host tensors. */
export async function runSession(
  session: ort.InferenceSession,
  feeds: Record<string, HostTensor>,
  outputs?: readonly string[],
): Promise<Record<string, HostTensor>> {
  const ortFeeds: Record<string, ort.Tensor> = {};
  for (const [k, v] of Object.entries(feeds)) ortFeeds[k] = toOrt(v);
  const res = outputs ? await session.run(ortFeeds, [...outputs]) : await session.run(ortFeeds);
  const out: Record<string, HostTensor> = {};
  for (const [k, v] of Object.entries(res)) out[k] = fromOrt(v);
  return out;
}
