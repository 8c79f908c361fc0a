import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { initParams } from '../../core/nn/model';
import { buildPolicy, paramsFromCheckpoint } from '../../core/rl/policy-spec';
import { defaultTinyVlaConfig } from '../../models/tiny-vla/config';
import { saveParams } from './helpers/weak-policy';

const dir = mkdtempSync(join(tmpdir(), 'pushcut-policy-spec-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const module = fileURLToPath(new URL('../../core/rl/policies/tiny-vla.ts', import.meta.url));

describe('policy specs (how a worker rebuilds a policy)', () => {
  it('builds tiny-vla by kind or from a module file path, and reads its weights from a checkpoint', async () => {
    const config = defaultTinyVlaConfig({ imageSize: 16 });
    const a = await buildPolicy({ kind: 'tiny-vla', config });
    const b = await buildPolicy({ kind: 'module', module, export: 'tinyVlaTokenPolicy', options: config });
    expect(b.model.params.map((p) => p.shape)).toEqual(a.model.params.map((p) => p.shape));
    const params = initParams(a.model, 1);
    const path = join(dir, 'a.ckpt');
    saveParams(path, a, params);
    expect(paramsFromCheckpoint(b.model, path).get(a.model.params[0]!.name)).toEqual(
      params.get(a.model.params[0]!.name),
    );
    const other = await buildPolicy({
      kind: 'tiny-vla',
      config: defaultTinyVlaConfig({ imageSize: 16, chunk: 4 }),
    });
    expect(() => paramsFromCheckpoint(other.model, path)).toThrow(
      /does not fit policy .*Start RL from a checkpoint/,
    );
  });

  it('gives a module policy without a spec of its own the spec it was built from', async () => {
    const spec = {
      kind: 'module' as const,
      module: fileURLToPath(new URL('./helpers/specless-policy.ts', import.meta.url)),
      export: 'speclessPolicy',
      options: { instructions: ['do A'], actionLow: [0], actionHigh: [1], chunk: 2, bins: 4, hidden: 4 },
    };
    const policy = await buildPolicy(spec);
    expect(policy.spec).toEqual(spec);
    expect(policy.model.params.length).toBeGreaterThan(0);
    // a factory's own spec is kept
    expect(
      (
        await buildPolicy({
          kind: 'module',
          module,
          export: 'tinyVlaTokenPolicy',
          options: defaultTinyVlaConfig({ imageSize: 16 }),
        })
      ).spec?.kind,
    ).toBe('tiny-vla');
  });

  it('names a missing factory', async () => {
    await expect(buildPolicy({ kind: 'module', module, export: 'nope' })).rejects.toThrow(
      /no factory function "nope"/,
    );
  });
});
