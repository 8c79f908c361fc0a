import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { exportModel, loadExportedModel } from '../../core/nn/export';
import { buildForwardGraph, initParams, type ModelDef, rng } from '../../core/nn/model';
import * as op from '../../core/nn/ops';
import { createSession, hostTensor, runSession } from '../../core/nn/runtime';
import { onnxCheck } from './onnx-check';

const dir = mkdtempSync(join(tmpdir(), 'nn-export-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const convNet: ModelDef = {
  name: 'convnet',
  inputs: [
    { name: 'image', shape: [3, 8, 8], dtype: 'float32' },
    { name: 'ids', shape: [4], dtype: 'int64' },
  ],
  params: [
    { name: 'c1', shape: [4, 3, 3, 3], init: { kind: 'normal', std: 0.3 } },
    { name: 'c1b', shape: [4], init: { kind: 'zeros' } },
    { name: 'emb', shape: [10, 4], init: { kind: 'normal', std: 1 } },
    { name: 'ln_s', shape: [20], init: { kind: 'ones' } },
    { name: 'ln_b', shape: [20], init: { kind: 'zeros' } },
    { name: 'w', shape: [20, 5], init: { kind: 'normal', std: 0.2 } },
  ],
  outputs: ['probs', 'feat'],
  forward: ({ image, ids }, p) => {
    const c = op.maxPool(op.gelu(op.conv2d(image!, p.c1!, p.c1b, { stride: 1, pad: 1 })), { kernel: 2 });
    const img = op.flatten(op.averagePool(c, { kernel: 2 }));
    const txt = op.reduceMean(op.gather(p.emb!, ids!), [1]);
    const feat = op.layerNorm(op.concat([img, txt], 1), p.ln_s!, p.ln_b!);
    return { probs: op.softmax(op.matmul(op.silu(feat), p.w!)), feat };
  },
};

describe('export', () => {
  it('exports a standalone model that passes the ONNX checker and matches the training-time forward', async () => {
    const params = initParams(convNet, 5);
    const { onnxPath, jsonPath } = exportModel(convNet, params, join(dir, 'convnet'), { vocab: ['a', 'b'] });
    onnxCheck(onnxPath);
    expect(JSON.parse(readFileSync(jsonPath, 'utf8')).extra.vocab).toEqual(['a', 'b']);

    const rand = rng(2);
    const batch = 3;
    const feeds = {
      image: hostTensor(
        'float32',
        [batch, 3, 8, 8],
        Array.from({ length: batch * 192 }, () => rand()),
      ),
      ids: hostTensor(
        'int64',
        [batch, 4],
        Array.from({ length: batch * 4 }, () => Math.floor(rand() * 10)),
      ),
    };
    const fwd = await createSession(buildForwardGraph(convNet, batch).toBytes(), { threads: 1 });
    const paramFeeds = Object.fromEntries(
      [...params].map(([k, v]) => [
        k,
        hostTensor('float32', convNet.params.find((p) => p.name === k)!.shape, v),
      ]),
    );
    const ref = await runSession(fwd, { ...feeds, ...paramFeeds });
    const loaded = await loadExportedModel(onnxPath, { expectModel: 'convnet', threads: 1 });
    const got = await runSession(loaded.session, feeds);
    for (const k of ['probs', 'feat']) {
      const a = ref[k]!.data as Float32Array;
      const b = got[k]!.data as Float32Array;
      expect(b.length).toBe(a.length);
      for (let i = 0; i < a.length; i++) expect(b[i]).toBeCloseTo(a[i] as number, 5);
    }
  });

  it('a corrupt or mismatched model file gives a clear error', async () => {
    const { onnxPath, jsonPath } = exportModel(convNet, initParams(convNet), join(dir, 'bad'));
    const bytes = readFileSync(onnxPath);
    writeFileSync(onnxPath, bytes.subarray(0, Math.floor(bytes.length / 3)));
    await expect(loadExportedModel(onnxPath)).rejects.toThrow(
      /cannot load policy .*bad\.onnx: .*(corrupt|rejected)/,
    );
    writeFileSync(onnxPath, bytes);
    await expect(loadExportedModel(onnxPath, { expectModel: 'tiny-vla' })).rejects.toThrow(
      /"convnet" model, expected "tiny-vla"/,
    );
    const side = JSON.parse(readFileSync(jsonPath, 'utf8'));
    side.inputs[1].name = 'tokens';
    writeFileSync(jsonPath, JSON.stringify(side));
    await expect(loadExportedModel(onnxPath)).rejects.toThrow(/input "tokens" is missing/);
    rmSync(jsonPath);
    await expect(loadExportedModel(onnxPath)).rejects.toThrow(/sidecar .* missing/);
  });
});
