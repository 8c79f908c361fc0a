import type * as ort from 'onnxruntime-node';
import { type Checkpoint, checkCheckpointFits, loadCheckpoint, saveCheckpoint } from './checkpoint';
import { initParams, type ParamValues } from './model';
import { createSession, fromOrt, type HostTensor, type SessionOptions, toOrt } from './runtime';
import { buildEvalStep, buildTrainStep, names, type TrainStepSpec } from './train-step';

/** Session options (threads, spinning) apply to the training and the evaluation session. */
export interface TrainerOptions extends TrainStepSpec, SessionOptions {
  seed?: number;
  /** Start from these parameter values instead of a fresh initialisation. */
  params?: ParamValues;
}

export interface StepResult {
  loss: number;
  gradNorm: number;
  /** True when the loss or gradient was NaN/Inf and the update was skipped (weights unchanged). */
  skipped: boolean;
  metrics: Record<string, number>;
}

function sessionOpts(spec: TrainerOptions): SessionOptions {
  return { threads: spec.threads, spinning: spec.spinning, layoutOptimizations: false };
}

/**
 * Holds parameters and AdamW state between steps and runs the one-graph training step in ONNX
 * Runtime. `evaluate` runs forward + loss only (validation).
 */
export class Trainer {
  /** Current parameter values (replaced after every applied step). */
  params: ParamValues;
  private m = new Map<string, Float32Array>();
  private v = new Map<string, Float32Array>();
  /** Number of applied (not skipped) optimizer steps. */
  stepCount = 0;
  private evalSession?: ort.InferenceSession;

  private constructor(
    readonly spec: TrainerOptions,
    private readonly session: ort.InferenceSession,
    readonly metricNames: string[],
  ) {
    this.params = spec.params ? new Map(spec.params) : initParams(spec.model, spec.seed ?? 0);
    for (const p of spec.model.params) {
      const v = this.params.get(p.name);
      const n = p.shape.reduce((a, b) => a * b, 1);
      if (!v || v.length !== n)
        throw new Error(`initial value for parameter "${p.name}" is missing or has the wrong size`);
      this.m.set(p.name, new Float32Array(n));
      this.v.set(p.name, new Float32Array(n));
    }
  }

  static async create(spec: TrainerOptions): Promise<Trainer> {
    const built = buildTrainStep(spec);
    const session = await createSession(built.graph.toBytes(), sessionOpts(spec));
    return new Trainer(spec, session, built.metricNames);
  }

  private batchFeeds(batch: Record<string, HostTensor>): Record<string, ort.Tensor> {
    const feeds: Record<string, ort.Tensor> = {};
    const specs = [...this.spec.model.inputs, ...(this.spec.extraInputs ?? [])];
    for (const s of specs) {
      const t = batch[s.name];
      const want = [this.spec.batch, ...s.shape];
      if (!t) throw new Error(`batch is missing input "${s.name}" (shape [${want}], ${s.dtype})`);
      if (t.dtype !== s.dtype || t.shape.join(',') !== want.join(',')) {
        throw new Error(
          `batch input "${s.name}" is ${t.dtype}[${t.shape}], the graph needs ${s.dtype}[${want}]`,
        );
      }
      feeds[s.name] = toOrt(t);
    }
    return feeds;
  }

  private paramFeeds(feeds: Record<string, ort.Tensor>): void {
    for (const p of this.spec.model.params) {
      feeds[names.param(p.name)] = toOrt({
        dtype: 'float32',
        shape: p.shape,
        data: this.params.get(p.name) as Float32Array,
      });
    }
  }

  async step(batch: Record<string, HostTensor>, lr: number): Promise<StepResult> {
    const feeds = this.batchFeeds(batch);
    this.paramFeeds(feeds);
    for (const p of this.spec.model.params) {
      feeds[names.m(p.name)] = toOrt({
        dtype: 'float32',
        shape: p.shape,
        data: this.m.get(p.name) as Float32Array,
      });
      feeds[names.v(p.name)] = toOrt({
        dtype: 'float32',
        shape: p.shape,
        data: this.v.get(p.name) as Float32Array,
      });
    }
    feeds[names.step] = toOrt({ dtype: 'float32', shape: [], data: Float32Array.of(this.stepCount) });
    feeds[names.lr] = toOrt({ dtype: 'float32', shape: [], data: Float32Array.of(lr) });
    const out = await this.session.run(feeds);
    const scalar = (k: string) => Number((out[k] as ort.Tensor).data[0]);
    const skipped = Boolean((out[names.skipped] as ort.Tensor).data[0]);
    if (!skipped) {
      for (const p of this.spec.model.params) {
        this.params.set(p.name, (out[names.next(names.param(p.name))] as ort.Tensor).data as Float32Array);
        this.m.set(p.name, (out[names.next(names.m(p.name))] as ort.Tensor).data as Float32Array);
        this.v.set(p.name, (out[names.next(names.v(p.name))] as ort.Tensor).data as Float32Array);
      }
      this.stepCount = scalar(names.next(names.step));
    }
    const metrics: Record<string, number> = {};
    for (const k of this.metricNames) metrics[k] = scalar(names.metric(k));
    return { loss: scalar(names.loss), gradNorm: scalar(names.gradNorm), skipped, metrics };
  }

  /** Loss (and metrics) of a batch under the current parameters, without updating them. */
  async evaluate(
    batch: Record<string, HostTensor>,
  ): Promise<{ loss: number; metrics: Record<string, number> }> {
    if (!this.evalSession)
      this.evalSession = await createSession(
        buildEvalStep(this.spec).graph.toBytes(),
        sessionOpts(this.spec),
      );
    const feeds = this.batchFeeds(batch);
    this.paramFeeds(feeds);
    const out = await this.evalSession.run(feeds);
    const metrics: Record<string, number> = {};
    for (const k of this.metricNames)
      metrics[k] = Number(fromOrt(out[names.metric(k)] as ort.Tensor).data[0]);
    return { loss: Number((out[names.loss] as ort.Tensor).data[0]), metrics };
  }

  /** Parameters, AdamW moments and step count as a checkpoint. */
  toCheckpoint(meta: Record<string, unknown> = {}): Checkpoint {
    const tensors: Checkpoint['tensors'] = new Map();
    for (const p of this.spec.model.params) {
      tensors.set(names.param(p.name), { shape: p.shape, data: this.params.get(p.name) as Float32Array });
      tensors.set(names.m(p.name), { shape: p.shape, data: this.m.get(p.name) as Float32Array });
      tensors.set(names.v(p.name), { shape: p.shape, data: this.v.get(p.name) as Float32Array });
    }
    tensors.set(names.step, { shape: [], data: Float32Array.of(this.stepCount) });
    return { model: this.spec.model.name, meta, tensors };
  }

  save(path: string, meta: Record<string, unknown> = {}): void {
    saveCheckpoint(path, this.toCheckpoint(meta));
  }

  /** Restore parameters and optimizer state; throws naming every mismatch if it does not fit. */
  restore(ckpt: Checkpoint, source = 'checkpoint'): void {
    const expected = this.spec.model.params.flatMap((p) => [
      { name: names.param(p.name), shape: p.shape },
      { name: names.m(p.name), shape: p.shape },
      { name: names.v(p.name), shape: p.shape },
    ]);
    checkCheckpointFits(ckpt, this.spec.model.name, [...expected, { name: names.step, shape: [] }], source);
    for (const p of this.spec.model.params) {
      this.params.set(p.name, (ckpt.tensors.get(names.param(p.name)) as { data: Float32Array }).data);
      this.m.set(p.name, (ckpt.tensors.get(names.m(p.name)) as { data: Float32Array }).data);
      this.v.set(p.name, (ckpt.tensors.get(names.v(p.name)) as { data: Float32Array }).data);
    }
    this.stepCount = (ckpt.tensors.get(names.step)?.data[0] as number) ?? 0;
  }

  load(path: string): void {
    this.restore(loadCheckpoint(path), `checkpoint ${path}`);
  }

  async release(): Promise<void> {
    await this.session.release();
    await this.evalSession?.release();
  }
}
