import type { ModelDef, ParamValues } from '../../nn/model';
import { paramsFromCheckpoint, saveParamsCheckpoint } from '../policy-spec';

/**
 * An exponential moving average of the policy's weights over RL updates (Polyak averaging):
 * `avg <- decay avg + (1 - decay) w` after each update. Greedy decoding flips with small weight
 * changes, so the greedy success of the live weights swings from one update to the next; the
 * average follows the trend of the updates and leaves out much of their noise.
 */
export class WeightAverage {
  private readonly values: ParamValues;

  constructor(
    readonly decay: number,
    start: ParamValues,
  ) {
    if (!(decay >= 0 && decay < 1))
      throw new Error(`weight average decay must be in [0, 1) (e.g. 0.95), got ${decay}`);
    this.values = new Map([...start].map(([k, v]) => [k, Float32Array.from(v)]));
  }

  /** The average as it stands (updated in place by `update`). */
  get params(): ParamValues {
    return this.values;
  }

  update(params: ParamValues): void {
    const d = this.decay;
    for (const [name, avg] of this.values) {
      const w = params.get(name);
      if (!w || w.length !== avg.length)
        throw new Error(`weight average: parameter "${name}" is missing or resized`);
      for (let i = 0; i < avg.length; i++) avg[i] = d * (avg[i] as number) + (1 - d) * (w[i] as number);
    }
  }

  /** A checkpoint of the averaged parameters, readable by paramsFromCheckpoint. */
  save(path: string, model: ModelDef, meta: Record<string, unknown>): void {
    saveParamsCheckpoint(path, model, this.values, meta);
  }

  static load(path: string, model: ModelDef, decay: number): WeightAverage {
    return new WeightAverage(decay, paramsFromCheckpoint(model, path));
  }
}
