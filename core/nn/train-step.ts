import { grad } from './autodiff';
import { Graph } from './graph';
import { declareInputs, type InputSpec, type ModelDef } from './model';
import { type AdamWConfig, adamwUpdate } from './optim';
import { Tensor } from './tensor';

/** Builds the scalar loss from the model outputs and the extra (non-model) batch inputs. */
export type LossFn = (
  outputs: Record<string, Tensor>,
  extras: Record<string, Tensor>,
) => Tensor | { loss: Tensor; metrics?: Record<string, Tensor> };

export interface TrainStepSpec {
  model: ModelDef;
  /** Fixed batch size of the training graph. */
  batch: number;
  loss: LossFn;
  /** Loss-only batch inputs such as labels, advantages, masks (batch axis implied). */
  extraInputs?: InputSpec[];
  optimizer?: AdamWConfig;
}

/** Graph tensor names used by the training-step and eval graphs. */
export const names = {
  param: (n: string) => `param/${n}`,
  m: (n: string) => `adam_m/${n}`,
  v: (n: string) => `adam_v/${n}`,
  next: (n: string) => `${n}:next`,
  step: 'step',
  lr: 'lr',
  loss: 'loss',
  gradNorm: 'grad_norm',
  skipped: 'skipped',
  metric: (n: string) => `metric/${n}`,
};

interface Built {
  graph: Graph;
  metricNames: string[];
}

function forwardAndLoss(
  g: Graph,
  spec: TrainStepSpec,
): { params: Record<string, Tensor>; loss: Tensor; metrics: Record<string, Tensor> } {
  const inputs = declareInputs(g, spec.model, spec.batch);
  const extras: Record<string, Tensor> = {};
  for (const s of spec.extraInputs ?? []) {
    if (inputs[s.name]) throw new Error(`extra input "${s.name}" clashes with a model input`);
    extras[s.name] = g.input(s.name, [spec.batch, ...s.shape], s.dtype);
  }
  const params: Record<string, Tensor> = {};
  for (const p of spec.model.params) params[p.name] = g.input(names.param(p.name), p.shape, 'float32');
  const outputs = spec.model.forward(inputs, params);
  const res = spec.loss(outputs, extras);
  const loss = res instanceof Tensor ? res : res.loss;
  const metrics = res instanceof Tensor ? {} : (res.metrics ?? {});
  if (loss.size !== 1) throw new Error(`loss function returned ${loss}; it must return a scalar`);
  return { params, loss, metrics };
}

/**
 * One ONNX graph per training step. Inputs: the model's batch inputs, extra loss inputs, `lr`,
 * `step`, and for each parameter its value and AdamW moments. Outputs: `loss`, `grad_norm`,
 * `skipped`, metrics, and the next parameters/moments/step (`<input>:next`).
 */
export function buildTrainStep(spec: TrainStepSpec): Built {
  const g = new Graph(`${spec.model.name}_train_step`);
  const { params, loss, metrics } = forwardAndLoss(g, spec);
  const step = g.input(names.step, [], 'float32');
  const lr = g.input(names.lr, [], 'float32');
  const list = spec.model.params;
  const grads = grad(
    loss,
    list.map((p) => params[p.name] as Tensor),
  );
  const slots = list.map((p, i) => ({
    param: params[p.name] as Tensor,
    grad: grads[i] as Tensor,
    m: g.input(names.m(p.name), p.shape, 'float32'),
    v: g.input(names.v(p.name), p.shape, 'float32'),
    decay: p.decay ?? p.shape.length >= 2,
  }));
  const upd = adamwUpdate(slots, loss, step, lr, spec.optimizer);
  g.output(loss, names.loss);
  g.output(upd.gradNorm, names.gradNorm);
  g.output(upd.skipped, names.skipped);
  for (const [k, t] of Object.entries(metrics)) g.output(t, names.metric(k));
  g.output(upd.step, names.next(names.step));
  list.forEach((p, i) => {
    g.output(upd.params[i] as Tensor, names.next(names.param(p.name)));
    g.output(upd.m[i] as Tensor, names.next(names.m(p.name)));
    g.output(upd.v[i] as Tensor, names.next(names.v(p.name)));
  });
  return { graph: g, metricNames: Object.keys(metrics) };
}

/** Forward + loss (no update), for validation loss. Outputs `loss` and metrics. */
export function buildEvalStep(spec: TrainStepSpec): Built {
  const g = new Graph(`${spec.model.name}_eval_step`);
  const { loss, metrics } = forwardAndLoss(g, spec);
  g.output(loss, names.loss);
  for (const [k, t] of Object.entries(metrics)) g.output(t, names.metric(k));
  return { graph: g, metricNames: Object.keys(metrics) };
}
