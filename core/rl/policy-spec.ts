import { isAbsolute } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { TinyVlaConfig } from '../../models/tiny-vla/config';
import { loadCheckpoint, saveCheckpoint } from '../nn/checkpoint';
import { initParams, type ModelDef, type ParamValues } from '../nn/model';
import { type StateMlpConfig, stateMlpPolicy } from './policies/state-mlp';
import { tinyVlaTokenPolicy } from './policies/tiny-vla';
import type { TokenPolicy } from './policy';

/**
 * A policy described by plain data, so a worker thread can rebuild it: the built-in state MLP,
 * or any module exporting a factory `(options) => TokenPolicy | Promise<TokenPolicy>`
 * (how tiny-vla plugs in without core/rl depending on it).
 */
export type PolicySpec =
  | { kind: 'tiny-vla'; config: TinyVlaConfig }
  | { kind: 'state-mlp'; config: StateMlpConfig }
  | { kind: 'module'; module: string; export: string; options?: unknown };

export async function buildPolicy(spec: PolicySpec): Promise<TokenPolicy> {
  if (spec.kind === 'tiny-vla') return tinyVlaTokenPolicy(spec.config);
  if (spec.kind === 'state-mlp') return stateMlpPolicy(spec.config);
  // a file path (POSIX or Windows) or a URL
  const target = isAbsolute(spec.module) ? pathToFileURL(spec.module).href : spec.module;
  const mod = (await import(target)) as Record<string, unknown>;
  const factory = mod[spec.export];
  if (typeof factory !== 'function') {
    throw new Error(`Policy module ${spec.module} has no factory function "${spec.export}"`);
  }
  const policy = (await factory(spec.options)) as TokenPolicy;
  // The spec it was built from rebuilds it in a worker (robot sessions then train off the e-stop thread).
  return policy.spec ? policy : { ...policy, spec };
}

/**
 * Parameter values from a checkpoint (a trainer checkpoint stores them as `param/<name>`; plain
 * names are accepted too). Missing or mis-shaped parameters are named in the error.
 */
export function paramsFromCheckpoint(model: ModelDef, path: string): ParamValues {
  const ckpt = loadCheckpoint(path);
  const out: ParamValues = new Map();
  const problems: string[] = [];
  for (const p of model.params) {
    const t = ckpt.tensors.get(`param/${p.name}`) ?? ckpt.tensors.get(p.name);
    if (!t) problems.push(`missing "${p.name}"`);
    else if (t.shape.join() !== p.shape.join())
      problems.push(`"${p.name}" is [${t.shape}], the policy needs [${p.shape}]`);
    else out.set(p.name, t.data);
  }
  if (problems.length) {
    throw new Error(
      `Checkpoint ${path} (model "${ckpt.model}") does not fit policy "${model.name}": ${problems.slice(0, 5).join('; ')}${problems.length > 5 ? ` and ${problems.length - 5} more` : ''}. Start RL from a checkpoint of the same policy.`,
    );
  }
  return out;
}

/** Write parameter values as a checkpoint (`param/<name>`, as a trainer stores them) that paramsFromCheckpoint reads. */
export function saveParamsCheckpoint(
  path: string,
  model: ModelDef,
  params: ParamValues,
  meta: Record<string, unknown>,
): void {
  const tensors = new Map(
    model.params.map((p) => [
      `param/${p.name}`,
      { shape: p.shape, data: params.get(p.name) as Float32Array },
    ]),
  );
  saveCheckpoint(path, { model: model.name, meta, tensors });
}

export function initialParams(model: ModelDef, checkpoint?: string, seed = 0): ParamValues {
  return checkpoint ? paramsFromCheckpoint(model, checkpoint) : initParams(model, seed);
}
