import { normAxis, type Shape, sizeOf, type Tensor } from '../tensor';
import { unbroadcast } from './reduce';
import { requireStatic } from './util';

/** Reshape; `shape` may contain one -1 (inferred) and 0 (copy the input dim). */
export function reshape(x: Tensor, shape: readonly number[]): Tensor {
  const resolved = shape.map((d, i) => (d === 0 ? (x.shape[i] as number) : d));
  const unknown = resolved.filter((d) => d === -1).length;
  if (unknown > 1) throw new Error(`reshape: more than one -1 in [${shape.join(',')}]`);
  let out = resolved;
  if (x.size >= 0) {
    const known = sizeOf(resolved.filter((d) => d !== -1));
    if (unknown === 1) {
      if (x.size % known) throw new Error(`reshape: cannot reshape ${x} to [${shape.join(',')}]`);
      out = resolved.map((d) => (d === -1 ? x.size / known : d));
    } else if (known !== x.size) {
      throw new Error(`reshape: cannot reshape ${x} to [${shape.join(',')}]`);
    }
  }
  if (out.length === x.rank && out.every((d, i) => d === x.shape[i])) return x;
  return x.graph.op1('Reshape', [x, x.graph.ints(out)], out, x.dtype, {}, ([g]) => [
    reshape(g as Tensor, x.shape),
  ]);
}

/** Collapse all axes after the first: [N, ...] -> [N, prod]. */
export function flatten(x: Tensor): Tensor {
  return reshape(x, [x.shape[0] as number, sizeOf(x.shape.slice(1))]);
}

export function transpose(x: Tensor, perm: readonly number[]): Tensor {
  if (perm.length !== x.rank) throw new Error(`transpose: perm [${perm.join(',')}] does not fit ${x}`);
  const shape = perm.map((p) => x.shape[p] as number);
  const inv = perm.map((_, i) => perm.indexOf(i));
  return x.graph.op1('Transpose', [x], shape, x.dtype, { perm: { ints: perm } }, ([g]) => [
    transpose(g as Tensor, inv),
  ]);
}

/** Swap the last two axes (matrix transpose over a batch). */
export function transposeLast2(x: Tensor): Tensor {
  const perm = x.shape.map((_, i) => i);
  const n = perm.length;
  [perm[n - 2], perm[n - 1]] = [perm[n - 1] as number, perm[n - 2] as number];
  return transpose(x, perm);
}

export function concat(xs: readonly Tensor[], axis: number): Tensor {
  const first = xs[0];
  if (!first) throw new Error('concat: no inputs');
  const ax = normAxis(axis, first.rank);
  for (const t of xs) {
    if (
      t.rank !== first.rank ||
      t.dtype !== first.dtype ||
      t.shape.some((d, i) => i !== ax && d !== first.shape[i])
    ) {
      throw new Error(`concat: ${t} does not fit ${first} along axis ${ax}`);
    }
  }
  const shape = [...first.shape];
  shape[ax] = xs.reduce((a, t) => a + (t.shape[ax] as number), 0);
  return first.graph.op1('Concat', xs, shape, first.dtype, { axis: { i: ax } }, ([g], needs) => {
    let start = 0;
    return xs.map((t, i) => {
      const len = t.shape[ax] as number;
      const part = needs[i] ? slice(g as Tensor, [start], [start + len], [ax]) : undefined;
      start += len;
      return part;
    });
  });
}

/** Slice with step 1 along `axes` (negative starts/ends count from the end). */
export function slice(
  x: Tensor,
  starts: readonly number[],
  ends: readonly number[],
  axes: readonly number[],
): Tensor {
  const shape = [...x.shape];
  const ax = axes.map((a) => normAxis(a, x.rank));
  const s0: number[] = [];
  const e0: number[] = [];
  ax.forEach((a, i) => {
    const d = x.shape[a] as number;
    if (d < 0) throw new Error('slice: cannot slice a dynamic axis');
    const clampIdx = (v: number) => Math.min(Math.max(v < 0 ? v + d : v, 0), d);
    const s = clampIdx(starts[i] as number);
    const e = clampIdx(ends[i] as number);
    s0.push(s);
    e0.push(e);
    shape[a] = Math.max(e - s, 0);
  });
  const g0 = x.graph;
  return g0.op1('Slice', [x, g0.ints(s0), g0.ints(e0), g0.ints(ax)], shape, x.dtype, {}, ([g]) => {
    requireStatic(x, 'slice gradient');
    const pads = new Array<number>(2 * x.rank).fill(0);
    ax.forEach((a, i) => {
      pads[a] = s0[i] as number;
      pads[x.rank + a] = (x.shape[a] as number) - (e0[i] as number);
    });
    return [pad(g as Tensor, pads)];
  });
}

/** Zero padding, ONNX pads layout [begin_0.., end_0..]. */
export function pad(x: Tensor, pads: readonly number[]): Tensor {
  const shape = x.shape.map((d, i) => d + (pads[i] as number) + (pads[i + x.rank] as number));
  return x.graph.op1('Pad', [x, x.graph.ints(pads)], shape, x.dtype, {}, ([g]) => {
    return [
      slice(
        g as Tensor,
        x.shape.map((_, i) => pads[i] as number),
        x.shape.map((d, i) => (pads[i] as number) + d),
        x.shape.map((_, i) => i),
      ),
    ];
  });
}

export function unsqueeze(x: Tensor, axes: readonly number[]): Tensor {
  const rank = x.rank + axes.length;
  const ax = axes.map((a) => normAxis(a, rank));
  const shape: number[] = [];
  let j = 0;
  for (let i = 0; i < rank; i++) shape.push(ax.includes(i) ? 1 : (x.shape[j++] as number));
  return x.graph.op1('Unsqueeze', [x, x.graph.ints(ax)], shape, x.dtype, {}, ([g]) => [
    reshape(g as Tensor, x.shape),
  ]);
}

export function squeeze(x: Tensor, axes: readonly number[]): Tensor {
  const ax = axes.map((a) => normAxis(a, x.rank));
  for (const a of ax) if (x.shape[a] !== 1) throw new Error(`squeeze: axis ${a} of ${x} is not 1`);
  const shape = x.shape.filter((_, i) => !ax.includes(i));
  return x.graph.op1('Squeeze', [x, x.graph.ints(ax)], shape, x.dtype, {}, ([g]) => [
    reshape(g as Tensor, x.shape),
  ]);
}

export function expand(x: Tensor, shape: Shape): Tensor {
  if (shape.length === x.rank && shape.every((d, i) => d === x.shape[i])) return x;
  return x.graph.op1('Expand', [x, x.graph.ints([...shape])], shape, x.dtype, {}, ([g]) => [
    unbroadcast(g as Tensor, x.shape),
  ]);
}

/** Embedding lookup / indexing along `axis` with int64 indices. Gradient: ScatterND with add. */
export function gather(data: Tensor, indices: Tensor, axis = 0): Tensor {
  if (indices.dtype !== 'int64' && indices.dtype !== 'int32')
    throw new Error(`gather: indices must be integer, got ${indices}`);
  const ax = normAxis(axis, data.rank);
  const shape = [...data.shape.slice(0, ax), ...indices.shape, ...data.shape.slice(ax + 1)];
  return data.graph.op1('Gather', [data, indices], shape, data.dtype, { axis: { i: ax } }, ([g]) => {
    if (ax !== 0) throw new Error('gather gradient: only axis 0 (embedding tables) is supported');
    requireStatic(data, 'gather gradient');
    const gr = data.graph;
    const zeros = gr.op1(
      'Expand',
      [gr.const(0, [], data.dtype), gr.ints([...data.shape])],
      data.shape,
      data.dtype,
    );
    const idx = gr.op1('Unsqueeze', [indices, gr.ints([indices.rank])], [...indices.shape, 1], indices.dtype);
    const idx64 =
      indices.dtype === 'int64' ? idx : gr.op1('Cast', [idx], idx.shape, 'int64', { to: { i: 7 } });
    return [
      gr.op1('ScatterND', [zeros, idx64, g as Tensor], data.shape, data.dtype, { reduction: { s: 'add' } }),
      undefined,
    ];
  });
}

/** One-hot encoding along a new last axis (not differentiable: labels are data). */
export function oneHot(indices: Tensor, depth: number, dtype: 'float32' | 'float64' = 'float32'): Tensor {
  const g = indices.graph;
  // ORT's CPU OneHot has no float64 kernel: build float32, then cast.
  const values = g.const([0, 1], [2], 'float32');
  const y = g.op1(
    'OneHot',
    [indices, g.const(depth, [], 'int64'), values],
    [...indices.shape, depth],
    'float32',
    { axis: { i: -1 } },
  );
  return dtype === 'float32' ? y : g.op1('Cast', [y], y.shape, dtype, { to: { i: 11 } });
}
