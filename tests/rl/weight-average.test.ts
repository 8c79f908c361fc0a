import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { ModelDef } from '../../core/nn/model';
import { WeightAverage } from '../../core/rl/grpo/weight-average';
import { paramsFromCheckpoint } from '../../core/rl/policy-spec';

const dir = mkdtempSync(join(tmpdir(), 'pushcut-weight-average-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const params = (a: number[], b: number[]) =>
  new Map([
    ['a', Float32Array.from(a)],
    ['b', Float32Array.from(b)],
  ]);

describe('WeightAverage', () => {
  it('moves each weight by (1 - decay) of its distance to the new value', () => {
    const start = params([0, 2], [10]);
    const avg = new WeightAverage(0.75, start);
    avg.update(params([4, 6], [2]));
    expect([...(avg.params.get('a') as Float32Array)]).toEqual([1, 3]);
    expect([...(avg.params.get('b') as Float32Array)]).toEqual([8]);
    avg.update(params([5, 7], [0]));
    expect([...(avg.params.get('a') as Float32Array)]).toEqual([2, 4]);
    expect([...(avg.params.get('b') as Float32Array)]).toEqual([6]);
    // the weights it started from are copied, not averaged in place
    expect([...(start.get('a') as Float32Array)]).toEqual([0, 2]);
  });

  it('refuses a decay outside [0, 1) and a parameter that went missing', () => {
    expect(() => new WeightAverage(1, params([0], [0]))).toThrow(/decay must be in \[0, 1\)/);
    expect(() => new WeightAverage(-0.1, params([0], [0]))).toThrow(/decay must be in \[0, 1\)/);
    const avg = new WeightAverage(0.5, params([0], [0]));
    expect(() => avg.update(new Map([['a', Float32Array.of(1)]]))).toThrow(/"b" is missing/);
  });

  it('saves a checkpoint that loads back as the policy parameters', () => {
    const model = {
      name: 'two-tensors',
      params: [
        { name: 'a', shape: [2] },
        { name: 'b', shape: [1] },
      ],
    } as unknown as ModelDef;
    const avg = new WeightAverage(0.5, params([1, 2], [3]));
    avg.update(params([3, 4], [5]));
    const path = join(dir, 'average.ckpt');
    avg.save(path, model, { updates: 1 });
    expect([...(paramsFromCheckpoint(model, path).get('a') as Float32Array)]).toEqual([2, 3]);
    const loaded = WeightAverage.load(path, model, 0.5);
    loaded.update(params([4, 5], [6]));
    expect([...(loaded.params.get('b') as Float32Array)]).toEqual([5]);
  });
});
