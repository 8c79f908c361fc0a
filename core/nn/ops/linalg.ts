import { broadcastShapes, type Tensor } from '../tensor';
import { add, mul } from './elementwise';
import { unbroadcast } from './reduce';
import { reshape, transposeLast2 } from './shape';
import { sameDType } from './util';

/** Batched matrix product (both operands rank >= 2, leading axes broadcast). */
export function matmul(a: Tensor, b: Tensor): Tensor {
  sameDType('MatMul', a, b);
  if (a.rank < 2 || b.rank < 2) throw new Error(`matmul: operands need rank >= 2, got ${a} and ${b}`);
  const m = a.shape[a.rank - 2] as number;
  const k = a.shape[a.rank - 1] as number;
  const k2 = b.shape[b.rank - 2] as number;
  const n = b.shape[b.rank - 1] as number;
  if (k !== k2) throw new Error(`matmul: inner dims differ, ${a} x ${b}`);
  const batch = broadcastShapes(a.shape.slice(0, -2), b.shape.slice(0, -2), 'MatMul');
  return a.graph.op1('MatMul', [a, b], [...batch, m, n], a.dtype, {}, ([g], needs) => [
    needs[0] ? unbroadcast(matmul(g as Tensor, transposeLast2(b)), a.shape) : undefined,
    needs[1] ? matmulGradB(a, g as Tensor, b) : undefined,
  ]);
}

/**
 * dL/dB of A x B. A 2-D B shared by a batch of A's rows takes one product over the flattened batch
 * (aᵀ g with the leading axes folded into the contraction) instead of a batched product summed
 * afterwards, which materialised a [batch, k, n] tensor.
 */
function matmulGradB(a: Tensor, g: Tensor, b: Tensor): Tensor {
  if (b.rank === 2 && a.rank > 2 && a.size >= 0) {
    const k = a.shape[a.rank - 1] as number;
    const n = g.shape[g.rank - 1] as number;
    return matmul(transposeLast2(reshape(a, [-1, k])), reshape(g, [-1, n]));
  }
  return unbroadcast(matmul(transposeLast2(a), g), b.shape);
}

/**
 * Gemm: alpha * op(A) op(B) + beta * C for 2-D A, B (op = optional transpose); C broadcasts to
 * [M, N]. Gradients via MatMul.
 */
export function gemm(
  a: Tensor,
  b: Tensor,
  c?: Tensor,
  opts: { transA?: boolean; transB?: boolean; alpha?: number; beta?: number } = {},
): Tensor {
  const { transA = false, transB = false, alpha = 1, beta = 1 } = opts;
  if (a.rank !== 2 || b.rank !== 2) throw new Error(`gemm: operands must be 2-D, got ${a} and ${b}`);
  const [m, k] = transA ? [a.shape[1], a.shape[0]] : [a.shape[0], a.shape[1]];
  const [k2, n] = transB ? [b.shape[1], b.shape[0]] : [b.shape[0], b.shape[1]];
  if (k !== k2) throw new Error(`gemm: inner dims differ, ${a} x ${b}`);
  const shape = [m as number, n as number];
  if (c) broadcastShapes(shape, c.shape, 'Gemm');
  const attrs = {
    transA: { i: transA ? 1 : 0 },
    transB: { i: transB ? 1 : 0 },
    alpha: { f: alpha },
    beta: { f: beta },
  };
  return a.graph.op1('Gemm', c ? [a, b, c] : [a, b], shape, a.dtype, attrs, ([gIn], needs) => {
    const g = gIn as Tensor;
    // Y = A' B' with A' = op(A): dA' = g B'^T, dB' = A'^T g.
    let ga: Tensor | undefined;
    let gb: Tensor | undefined;
    if (needs[0])
      ga = transA
        ? gemm(b, g, undefined, { transA: transB, transB: true })
        : gemm(g, b, undefined, { transB: !transB });
    if (needs[1])
      gb = transB
        ? gemm(g, a, undefined, { transA: true, transB: transA })
        : gemm(a, g, undefined, { transA: !transA });
    if (ga && alpha !== 1) ga = mul(ga, alpha);
    if (gb && alpha !== 1) gb = mul(gb, alpha);
    const gc = c && needs[2] ? unbroadcast(beta !== 1 ? mul(g, beta) : g, c.shape) : undefined;
    return [ga, gb, gc];
  });
}

/** y = x W + b over the last axis (x: [..., in], W: [in, out], b: [out]). */
export function linear(x: Tensor, w: Tensor, b?: Tensor): Tensor {
  if (x.rank === 2 && b && x.shape[0] !== -1) return gemm(x, w, b);
  const y = matmul(x, w);
  return b ? add(y, b) : y;
}
