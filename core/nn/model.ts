import { gaussian, mulberry32 } from '../util/rng';
import { Graph, typedArrayFor } from './graph';
import { type DType, Tensor } from './tensor';

export type ParamInit =
  | { kind: 'zeros' }
  | { kind: 'ones' }
  | { kind: 'normal'; std: number }
  | { kind: 'uniform'; bound: number };

export interface ParamSpec {
  name: string;
  shape: number[];
  init: ParamInit;
  /** Apply AdamW weight decay (default: true for rank >= 2 tensors, false for biases and norms). */
  decay?: boolean;
}

export interface InputSpec {
  name: string;
  /** Shape without the batch axis. */
  shape: number[];
  dtype: DType;
}

/**
 * A model: named inputs (batch axis implied), parameters, and a forward function building the
 * graph. The same definition builds the training-step graph, the eval graph and the export.
 */
export interface ModelDef {
  name: string;
  inputs: InputSpec[];
  params: ParamSpec[];
  /** Output names in the order `forward` returns them. */
  outputs: string[];
  forward(inputs: Record<string, Tensor>, params: Record<string, Tensor>): Record<string, Tensor>;
}

export type ParamValues = Map<string, Float32Array>;

/** Deterministic PRNG (mulberry32) so a seed always gives the same initial weights. */
export const rng = mulberry32;

export function initParams(model: ModelDef, seed = 0): ParamValues {
  const rand = rng(seed);
  const gauss = () => gaussian(rand);
  const out: ParamValues = new Map();
  for (const p of model.params) {
    const n = p.shape.reduce((a, b) => a * b, 1);
    const v = new Float32Array(n);
    const init = p.init;
    if (init.kind === 'ones') v.fill(1);
    else if (init.kind === 'normal') for (let i = 0; i < n; i++) v[i] = gauss() * init.std;
    else if (init.kind === 'uniform') for (let i = 0; i < n; i++) v[i] = (rand() * 2 - 1) * init.bound;
    out.set(p.name, v);
  }
  return out;
}

export function paramCount(model: ModelDef): number {
  return model.params.reduce((a, p) => a + p.shape.reduce((x, y) => x * y, 1), 0);
}

/** Declare the model's inputs on a graph with the given batch size (-1: dynamic). */
export function declareInputs(g: Graph, model: ModelDef, batch: number): Record<string, Tensor> {
  const inputs: Record<string, Tensor> = {};
  for (const s of model.inputs) inputs[s.name] = g.input(s.name, [batch, ...s.shape], s.dtype);
  return inputs;
}

/** Parameters as graph inputs (training / eval graphs). */
export function declareParamInputs(g: Graph, model: ModelDef, prefix = ''): Record<string, Tensor> {
  const params: Record<string, Tensor> = {};
  for (const p of model.params) params[p.name] = g.input(prefix + p.name, p.shape, 'float32');
  return params;
}

/** Parameters baked in as initializers (export). */
export function declareParamInitializers(
  g: Graph,
  model: ModelDef,
  values: ParamValues,
): Record<string, Tensor> {
  const params: Record<string, Tensor> = {};
  for (const p of model.params) {
    const v = values.get(p.name);
    if (!v) throw new Error(`missing value for parameter "${p.name}"`);
    params[p.name] = g.initializer(p.name, p.shape, 'float32', typedArrayFor('float32', v));
  }
  return params;
}

/** Mark the model's named outputs as graph outputs; a missing one is a bug in the model. */
export function declareOutputs(g: Graph, model: ModelDef, out: Record<string, Tensor>): void {
  for (const name of model.outputs) {
    const t = out[name];
    if (!(t instanceof Tensor))
      throw new Error(`model ${model.name}: forward did not return output "${name}"`);
    g.output(t, name);
  }
}

/** Build a forward-only graph (params as inputs) returning the model outputs. */
export function buildForwardGraph(model: ModelDef, batch: number): Graph {
  const g = new Graph(`${model.name}_forward`);
  const inputs = declareInputs(g, model, batch);
  const params = declareParamInputs(g, model);
  declareOutputs(g, model, model.forward(inputs, params));
  return g;
}
