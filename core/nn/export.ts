import { readFileSync, renameSync, writeFileSync } from 'node:fs';
import onnxProto from 'onnx-proto';
import type * as ort from 'onnxruntime-node';
import { Graph } from './graph';
import {
  declareInputs,
  declareOutputs,
  declareParamInitializers,
  type InputSpec,
  type ModelDef,
  type ParamValues,
} from './model';
import { createSession } from './runtime';

const { onnx } = onnxProto;

/** JSON written beside an exported model: what the graph takes and returns, plus model extras. */
export interface ExportSidecar {
  format: 'pushcut-policy';
  version: 1;
  model: string;
  inputs: InputSpec[];
  outputs: string[];
  /** Model-specific data (normalisation stats, feature names, vocab, action chunk/bins...). */
  extra: Record<string, unknown>;
}

/** The inference graph: batch axis dynamic, parameters baked in as initializers. */
export function buildInferenceGraph(model: ModelDef, params: ParamValues): Graph {
  const g = new Graph(model.name);
  const inputs = declareInputs(g, model, -1);
  const p = declareParamInitializers(g, model, params);
  declareOutputs(g, model, model.forward(inputs, p));
  return g;
}

export function sidecarPath(onnxPath: string): string {
  return `${onnxPath.replace(/\.onnx$/, '')}.json`;
}

function writeAtomic(path: string, data: Uint8Array | string): void {
  const tmp = `${path}.tmp-${process.pid}`;
  writeFileSync(tmp, data);
  renameSync(tmp, path);
}

/** Write `<path>.onnx` (standalone inference model) and its `.json` sidecar. */
export function exportModel(
  model: ModelDef,
  params: ParamValues,
  path: string,
  extra: Record<string, unknown> = {},
): { onnxPath: string; jsonPath: string } {
  const onnxPath = path.endsWith('.onnx') ? path : `${path}.onnx`;
  const g = buildInferenceGraph(model, params);
  const sidecar: ExportSidecar = {
    format: 'pushcut-policy',
    version: 1,
    model: model.name,
    inputs: model.inputs,
    outputs: model.outputs,
    extra,
  };
  writeAtomic(onnxPath, g.toBytes(`pushcut ${model.name}`));
  const jsonPath = sidecarPath(onnxPath);
  writeAtomic(jsonPath, `${JSON.stringify(sidecar, null, 2)}\n`);
  return { onnxPath, jsonPath };
}

export interface LoadedModel {
  session: ort.InferenceSession;
  sidecar: ExportSidecar;
  onnxPath: string;
}

/**
 * Load an exported model and its sidecar, checking that the file decodes and that its inputs and
 * outputs are the ones the sidecar (and `expectModel`, if given) describe.
 */
export async function loadExportedModel(
  onnxPath: string,
  opts: { expectModel?: string; threads?: number } = {},
): Promise<LoadedModel> {
  const jsonPath = sidecarPath(onnxPath);
  const fail = (why: string): never => {
    throw new Error(`cannot load policy ${onnxPath}: ${why}`);
  };
  let sidecar: ExportSidecar;
  try {
    sidecar = JSON.parse(readFileSync(jsonPath, 'utf8'));
  } catch (e) {
    return fail(
      `its sidecar ${jsonPath} is missing or not valid JSON (${(e as Error).message}); export the policy again`,
    );
  }
  if (sidecar.format !== 'pushcut-policy' || sidecar.version !== 1)
    fail(`sidecar ${jsonPath} is not a pushcut policy description`);
  if (opts.expectModel && sidecar.model !== opts.expectModel)
    fail(`it is a "${sidecar.model}" model, expected "${opts.expectModel}"`);
  let bytes: Uint8Array;
  try {
    bytes = readFileSync(onnxPath);
  } catch (e) {
    return fail(`cannot read the file (${(e as Error).message})`);
  }
  let proto: onnxProto.onnx.ModelProto;
  try {
    proto = onnx.ModelProto.decode(bytes);
  } catch (e) {
    return fail(
      `the file is corrupt or not an ONNX model (${(e as Error).message}); export the policy again`,
    );
  }
  const graph = proto.graph;
  if (!graph) return fail('the file holds no graph (corrupt or truncated); export the policy again');
  const graphInputs = graph.input ?? [];
  const inits = new Set((graph.initializer ?? []).map((t) => String(t.name)));
  const gotInputs = graphInputs.map((i) => String(i.name)).filter((n) => !inits.has(n));
  const wantInputs = sidecar.inputs.map((i) => i.name);
  const gotOutputs = (graph.output ?? []).map((o) => String(o.name));
  const diff = (a: string[], b: string[]) => a.filter((x) => !b.includes(x));
  const problems: string[] = [];
  for (const n of diff(wantInputs, gotInputs)) problems.push(`input "${n}" is missing`);
  for (const n of diff(gotInputs, wantInputs)) problems.push(`unexpected input "${n}"`);
  for (const n of diff(sidecar.outputs, gotOutputs)) problems.push(`output "${n}" is missing`);
  for (const spec of sidecar.inputs) {
    const vi = graphInputs.find((i) => i.name === spec.name);
    const dims = vi?.type?.tensorType?.shape?.dim?.slice(1).map((d) => Number(d.dimValue ?? 0));
    if (vi && dims && dims.join(',') !== spec.shape.join(','))
      problems.push(`input "${spec.name}" has shape [N,${dims}], sidecar says [N,${spec.shape}]`);
  }
  if (problems.length)
    fail(`the model file does not match its sidecar: ${problems.join('; ')}. Export the policy again`);
  let session: ort.InferenceSession;
  try {
    session = await createSession(bytes, { threads: opts.threads });
  } catch (e) {
    return fail(`ONNX Runtime rejected it (${(e as Error).message})`);
  }
  return { session, sidecar, onnxPath };
}
