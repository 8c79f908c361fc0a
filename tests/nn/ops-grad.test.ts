import { describe, expect, it } from 'vitest';
import * as op from '../../core/nn/ops';
import { checkGrad, type GradCase } from './gradcheck';

const F64 = 'float64' as const;
const F32 = 'float32' as const;
const positive = (_i: number, r: () => number) => 0.2 + r() * 2;

const cases: GradCase[] = [
  { name: 'add broadcast', dtype: F64, inputs: [[3, 4], [4]], build: ([a, b]) => op.add(a!, b!) },
  {
    name: 'add broadcast both',
    dtype: F64,
    inputs: [
      [3, 1],
      [1, 5],
    ],
    build: ([a, b]) => op.add(a!, b!),
  },
  {
    name: 'sub broadcast',
    dtype: F64,
    inputs: [
      [2, 3, 4],
      [3, 1],
    ],
    build: ([a, b]) => op.sub(a!, b!),
  },
  {
    name: 'mul broadcast',
    dtype: F64,
    inputs: [
      [2, 3, 4],
      [1, 3, 1],
    ],
    build: ([a, b]) => op.mul(a!, b!),
  },
  { name: 'mul fan-out', dtype: F64, inputs: [[3, 4]], build: ([a]) => op.mul(a!, op.add(a!, op.exp(a!))) },
  {
    name: 'div broadcast',
    dtype: F64,
    inputs: [[3, 4], [4]],
    build: ([a, b]) => op.div(a!, b!),
    values: positive,
  },
  { name: 'pow', dtype: F64, inputs: [[3, 4], [4]], build: ([a, b]) => op.pow(a!, b!), values: positive },
  { name: 'pow const', dtype: F64, inputs: [[5]], build: ([a]) => op.pow(a!, 3) },
  { name: 'neg', dtype: F64, inputs: [[4]], build: ([a]) => op.neg(a!) },
  { name: 'exp', dtype: F64, inputs: [[4, 2]], build: ([a]) => op.exp(a!) },
  { name: 'log', dtype: F64, inputs: [[4, 2]], build: ([a]) => op.log(a!), values: positive },
  { name: 'sqrt', dtype: F64, inputs: [[6]], build: ([a]) => op.sqrt(a!), values: positive },
  { name: 'relu', dtype: F64, inputs: [[3, 5]], build: ([a]) => op.relu(a!) },
  { name: 'tanh', dtype: F64, inputs: [[3, 5]], build: ([a]) => op.tanh(a!) },
  { name: 'sigmoid', dtype: F64, inputs: [[3, 5]], build: ([a]) => op.sigmoid(a!) },
  { name: 'gelu (erf)', dtype: F32, inputs: [[3, 5]], build: ([a]) => op.gelu(a!) },
  { name: 'silu', dtype: F64, inputs: [[3, 5]], build: ([a]) => op.silu(a!) },
  { name: 'clip', dtype: F64, inputs: [[10]], build: ([a]) => op.clip(a!, -0.5, 0.7) },
  {
    name: 'where',
    dtype: F64,
    inputs: [[3, 4], [4]],
    build: ([a, b]) => op.where(op.greater(a!, 0), a!, b!),
  },
  {
    name: 'maximum',
    dtype: F64,
    inputs: [
      [3, 4],
      [3, 4],
    ],
    build: ([a, b]) => op.maximum(a!, b!),
  },
  {
    name: 'cast f32->f64->f32',
    dtype: F32,
    inputs: [[4]],
    build: ([a]) => op.cast(op.mul(op.cast(a!, 'float64'), 2), 'float32'),
  },
  {
    name: 'matmul 2d',
    dtype: F64,
    inputs: [
      [3, 4],
      [4, 5],
    ],
    build: ([a, b]) => op.matmul(a!, b!),
  },
  {
    name: 'matmul batched broadcast',
    dtype: F64,
    inputs: [
      [2, 3, 4],
      [4, 5],
    ],
    build: ([a, b]) => op.matmul(a!, b!),
  },
  {
    name: 'matmul rank 4 by 2-D',
    dtype: F64,
    inputs: [
      [2, 2, 3, 4],
      [4, 5],
    ],
    build: ([a, b]) => op.matmul(a!, b!),
  },
  { name: 'gemm', dtype: F32, inputs: [[3, 4], [4, 5], [5]], build: ([a, b, c]) => op.gemm(a!, b!, c!) },
  {
    name: 'gemm transB',
    dtype: F32,
    inputs: [
      [3, 4],
      [5, 4],
      [1, 5],
    ],
    build: ([a, b, c]) => op.gemm(a!, b!, c!, { transB: true, alpha: 0.5 }),
  },
  {
    name: 'gemm transA transB',
    dtype: F32,
    inputs: [
      [4, 3],
      [5, 4],
    ],
    build: ([a, b]) => op.gemm(a!, b!, undefined, { transA: true, transB: true }),
  },
  { name: 'reduceSum axes', dtype: F64, inputs: [[2, 3, 4]], build: ([a]) => op.reduceSum(a!, [1]) },
  {
    name: 'reduceMean keepdims',
    dtype: F64,
    inputs: [[2, 3, 4]],
    build: ([a]) => op.reduceMean(a!, [0, 2], true),
  },
  { name: 'reduceMax', dtype: F64, inputs: [[3, 5]], build: ([a]) => op.reduceMax(a!, [1]) },
  {
    name: 'reshape+transpose',
    dtype: F64,
    inputs: [[2, 6]],
    build: ([a]) => op.transpose(op.reshape(a!, [2, 3, 2]), [2, 0, 1]),
  },
  {
    name: 'concat',
    dtype: F64,
    inputs: [
      [2, 3],
      [2, 2],
    ],
    build: ([a, b]) => op.concat([a!, b!, a!], 1),
  },
  { name: 'slice', dtype: F64, inputs: [[4, 5]], build: ([a]) => op.slice(a!, [1, 1], [3, -1], [0, 1]) },
  {
    name: 'unsqueeze/squeeze/expand',
    dtype: F64,
    inputs: [[3]],
    build: ([a]) => op.expand(op.unsqueeze(op.squeeze(op.unsqueeze(a!, [0]), [0]), [0]), [4, 3]),
  },
  {
    name: 'gather rows (repeated index)',
    dtype: F64,
    inputs: [[5, 3]],
    build: ([a]) => op.gather(a!, a!.graph.const([0, 2, 2, 4], [2, 2], 'int64')),
  },
  {
    name: 'gather int32 indices',
    dtype: F32,
    inputs: [[4, 2]],
    build: ([a]) => op.gather(a!, a!.graph.const([3, 1, 3], [3], 'int32')),
  },
  { name: 'softmax', dtype: F64, inputs: [[3, 5]], build: ([a]) => op.softmax(a!) },
  { name: 'logSoftmax axis 1 of 3', dtype: F64, inputs: [[2, 4, 3]], build: ([a]) => op.logSoftmax(a!, 1) },
  {
    name: 'layerNorm',
    dtype: F64,
    inputs: [[3, 6], [6], [6]],
    build: ([a, s, b]) => op.layerNorm(a!, s!, b!),
  },
  {
    name: 'conv stride 1 pad 1',
    dtype: F32,
    inputs: [[2, 3, 5, 5], [4, 3, 3, 3], [4]],
    build: ([x, w, b]) => op.conv2d(x!, w!, b!, { pad: 1 }),
  },
  {
    name: 'conv stride 2 pad 2 k5 odd',
    dtype: F32,
    inputs: [[1, 2, 7, 6], [3, 2, 5, 5], [3]],
    build: ([x, w, b]) => op.conv2d(x!, w!, b!, { stride: 2, pad: 2 }),
  },
  {
    name: 'conv stride 2 no pad',
    dtype: F32,
    inputs: [
      [2, 2, 6, 6],
      [2, 2, 3, 3],
    ],
    build: ([x, w]) => op.conv2d(x!, w!, undefined, { stride: 2 }),
  },
  {
    name: 'conv stride 1 no pad',
    dtype: F32,
    inputs: [[2, 2, 5, 5], [3, 2, 3, 3], [3]],
    build: ([x, w, b]) => op.conv2d(x!, w!, b!),
  },
  {
    name: 'conv 1x1',
    dtype: F32,
    inputs: [
      [2, 3, 4, 4],
      [2, 3, 1, 1],
    ],
    build: ([x, w]) => op.conv2d(x!, w!),
  },
  {
    name: 'conv non-square kernel',
    dtype: F32,
    inputs: [
      [1, 2, 5, 6],
      [2, 2, 3, 2],
    ],
    build: ([x, w]) => op.conv2d(x!, w!, undefined, { pad: 1 }),
  },
  { name: 'maxPool 2x2', dtype: F32, inputs: [[2, 2, 4, 6]], build: ([x]) => op.maxPool(x!, { kernel: 2 }) },
  {
    name: 'maxPool 3 stride 2 overlap',
    dtype: F32,
    inputs: [[1, 2, 5, 5]],
    build: ([x]) => op.maxPool(x!, { kernel: 3, stride: 2 }),
  },
  {
    name: 'averagePool 2x2',
    dtype: F32,
    inputs: [[2, 3, 4, 4]],
    build: ([x]) => op.averagePool(x!, { kernel: 2 }),
  },
  {
    name: 'averagePool 3 s2 p1',
    dtype: F32,
    inputs: [[1, 2, 5, 5]],
    build: ([x]) => op.averagePool(x!, { kernel: 3, stride: 2, pad: 1 }),
  },
  { name: 'globalAveragePool', dtype: F32, inputs: [[2, 3, 4, 4]], build: ([x]) => op.globalAveragePool(x!) },
];

describe('op gradients vs central finite differences', () => {
  for (const c of cases) {
    it(`${c.name} (${c.dtype})`, async () => {
      const r = await checkGrad(c);
      expect(r.checked).toBeGreaterThan(0);
      expect(r.worst).toBeLessThanOrEqual(1);
    });
  }
});
