import { type DType, Tensor } from '../tensor';

export type TensorLike = Tensor | number;

/** Turn a number into a scalar constant of `like`'s dtype (in `like`'s graph). */
export function lift(like: Tensor, v: TensorLike, dtype: DType = like.dtype): Tensor {
  return v instanceof Tensor ? v : like.graph.const(v, [], dtype);
}

export function requireStatic(t: Tensor, what: string): void {
  if (t.shape.some((d) => d < 0)) {
    throw new Error(
      `${what}: needs a static shape, got [${t.shape.join(',')}] (build training graphs with a fixed batch size)`,
    );
  }
}

export function sameDType(op: string, a: Tensor, b: Tensor): void {
  if (a.dtype !== b.dtype) throw new Error(`${op}: dtype mismatch ${a} vs ${b} (insert cast())`);
}
