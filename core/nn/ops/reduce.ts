import { normAxis, type Tensor } from '../tensor';
import { expand, reshape } from './shape';
import { requireStatic } from './util';

function reducedShape(
  x: Tensor,
  axes: readonly number[],
  keepdims: boolean,
): { axes: number[]; shape: number[] } {
  const ax = axes.length ? axes.map((a) => normAxis(a, x.rank)) : x.shape.map((_, i) => i);
  const shape: number[] = [];
  x.shape.forEach((d, i) => {
    if (!ax.includes(i)) shape.push(d);
    else if (keepdims) shape.push(1);
  });
  return { axes: ax, shape };
}

/** Broadcast a reduced gradient back to the input shape. */
function spread(g: Tensor, x: Tensor, axes: number[]): Tensor {
  requireStatic(x, 'reduce gradient');
  const kept = x.shape.map((d, i) => (axes.includes(i) ? 1 : d));
  return expand(reshape(g, kept), x.shape);
}

/** Sum over `axes` (all axes when empty). */
export function reduceSum(x: Tensor, axes: readonly number[] = [], keepdims = false): Tensor {
  const r = reducedShape(x, axes, keepdims);
  return x.graph.op1(
    'ReduceSum',
    [x, x.graph.ints(r.axes)],
    r.shape,
    x.dtype,
    { keepdims: { i: keepdims ? 1 : 0 } },
    ([g]) => [spread(g as Tensor, x, r.axes)],
  );
}

export function reduceMean(x: Tensor, axes: readonly number[] = [], keepdims = false): Tensor {
  const r = reducedShape(x, axes, keepdims);
  return x.graph.op1(
    'ReduceMean',
    [x],
    r.shape,
    x.dtype,
    { axes: { ints: r.axes }, keepdims: { i: keepdims ? 1 : 0 } },
    ([g]) => {
      const count = r.axes.reduce((a, i) => a * (x.shape[i] as number), 1);
      return [spread(mulScalar(g as Tensor, 1 / count), x, r.axes)];
    },
  );
}

/** Max over axes; the gradient is shared equally among tied maxima. */
export function reduceMax(x: Tensor, axes: readonly number[] = [], keepdims = false): Tensor {
  const r = reducedShape(x, axes, keepdims);
  const y = x.graph.op1(
    'ReduceMax',
    [x],
    r.shape,
    x.dtype,
    { axes: { ints: r.axes }, keepdims: { i: keepdims ? 1 : 0 } },
    ([g]) => {
      const g2 = x.graph;
      const yk = spread(y, x, r.axes);
      const mask = g2.op1('Cast', [g2.op1('Equal', [x, yk], x.shape, 'bool')], x.shape, x.dtype, {
        to: { i: dtypeCodeOf(x) },
      });
      const ties = spread(reduceSumRaw(mask, r.axes), x, r.axes);
      const gs = spread(g as Tensor, x, r.axes);
      return [g2.op1('Div', [g2.op1('Mul', [gs, mask], x.shape, x.dtype), ties], x.shape, x.dtype)];
    },
  );
  return y;
}

function reduceSumRaw(x: Tensor, axes: number[]): Tensor {
  const shape = x.shape.map((d, i) => (axes.includes(i) ? 1 : d));
  return x.graph.op1('ReduceSum', [x, x.graph.ints(axes)], shape, x.dtype, { keepdims: { i: 1 } });
}

function mulScalar(t: Tensor, s: number): Tensor {
  return t.graph.op1('Mul', [t, t.graph.const(s, [], t.dtype)], t.shape, t.dtype);
}

function dtypeCodeOf(t: Tensor): number {
  return t.dtype === 'float64' ? 11 : 1;
}

/**
 * Sum a gradient of a broadcast result back to the operand's shape: ReduceSum over the broadcast
 * axes, then Reshape (drops the leading axes the operand did not have).
 */
export function unbroadcast(g: Tensor, shape: readonly number[]): Tensor {
  if (g.shape.length === shape.length && g.shape.every((d, i) => d === shape[i])) return g;
  requireStatic(g, 'broadcast gradient');
  const lead = g.rank - shape.length;
  const axes: number[] = [];
  for (let i = 0; i < g.rank; i++) {
    if (i < lead) axes.push(i);
    else if (shape[i - lead] === 1 && g.shape[i] !== 1) axes.push(i);
  }
  const summed = axes.length ? reduceSumRaw(g, axes) : g;
  return reshape(summed, shape);
}
