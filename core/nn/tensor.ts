import type { Graph } from './graph';

/** Element types the builder knows. `float64` is used by gradient tests; models use `float32`. */
export type DType = 'float32' | 'float64' | 'int64' | 'int32' | 'uint8' | 'bool';

/** A dimension of -1 is dynamic (the batch axis of an exported inference graph); all others are static. */
export type Shape = readonly number[];

/** A symbolic tensor: a named value in one graph with a known shape and element type. */
export class Tensor {
  constructor(
    readonly graph: Graph,
    readonly name: string,
    readonly shape: Shape,
    readonly dtype: DType,
  ) {}

  get rank(): number {
    return this.shape.length;
  }

  /** Number of elements; -1 when a dimension is dynamic. */
  get size(): number {
    return this.shape.some((d) => d < 0) ? -1 : this.shape.reduce((a, b) => a * b, 1);
  }

  get isFloat(): boolean {
    return this.dtype === 'float32' || this.dtype === 'float64';
  }

  toString(): string {
    return `${this.name}:${this.dtype}[${this.shape.join(',')}]`;
  }
}

export function isStatic(shape: Shape): boolean {
  return shape.every((d) => d >= 0);
}

export function sizeOf(shape: Shape): number {
  return shape.reduce((a, b) => a * b, 1);
}

/** Numpy broadcasting of two shapes (a dynamic dim broadcasts with 1 or with another dynamic dim). */
export function broadcastShapes(a: Shape, b: Shape, what = 'broadcast'): number[] {
  const n = Math.max(a.length, b.length);
  const out: number[] = [];
  for (let i = 0; i < n; i++) {
    const da = a[a.length - n + i] ?? 1;
    const db = b[b.length - n + i] ?? 1;
    if (da === db || db === 1) out.push(da);
    else if (da === 1) out.push(db);
    else throw new Error(`${what}: shapes [${a.join(',')}] and [${b.join(',')}] do not broadcast`);
  }
  return out;
}

/** Normalize a possibly negative axis against a rank. */
export function normAxis(axis: number, rank: number): number {
  const a = axis < 0 ? axis + rank : axis;
  if (a < 0 || a >= rank) throw new Error(`axis ${axis} is out of range for rank ${rank}`);
  return a;
}
