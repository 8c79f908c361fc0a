import { dtypeCode } from '../graph';
import { broadcastShapes, type DType, type Tensor } from '../tensor';
import { unbroadcast } from './reduce';
import { lift, sameDType, type TensorLike } from './util';

// Each op: forward node + gradient rule (g = gradient of the output).

type PartialGrad = (g: Tensor, a: Tensor, b: Tensor, y: Tensor) => Tensor;

/** Binary broadcasting op; each operand's gradient rule runs only when that operand needs one. */
function binary(op: string, a: Tensor, bIn: TensorLike, ga?: PartialGrad, gb?: PartialGrad): Tensor {
  const b = lift(a, bIn);
  sameDType(op, a, b);
  const shape = broadcastShapes(a.shape, b.shape, op);
  const y: Tensor = a.graph.op1(
    op,
    [a, b],
    shape,
    a.dtype,
    {},
    ga &&
      gb &&
      (([g], needs) => [
        needs[0] ? unbroadcast(ga(g as Tensor, a, b, y), a.shape) : undefined,
        needs[1] ? unbroadcast(gb(g as Tensor, a, b, y), b.shape) : undefined,
      ]),
  );
  return y;
}

export const add = (a: Tensor, b: TensorLike): Tensor =>
  binary(
    'Add',
    a,
    b,
    (g) => g,
    (g) => g,
  );
export const sub = (a: Tensor, b: TensorLike): Tensor =>
  binary(
    'Sub',
    a,
    b,
    (g) => g,
    (g) => neg(g),
  );
export const mul = (a: Tensor, b: TensorLike): Tensor =>
  binary(
    'Mul',
    a,
    b,
    (g, _x, w) => mul(g, w),
    (g, x) => mul(g, x),
  );
export const div = (a: Tensor, b: TensorLike): Tensor =>
  binary(
    'Div',
    a,
    b,
    (g, _x, w) => div(g, w),
    (g, _x, w, y) => neg(div(mul(g, y), w)),
  );
/** x ** p; the exponent's gradient g * y * log(x) is only built when the exponent needs one. */
export const pow = (a: Tensor, b: TensorLike): Tensor =>
  binary(
    'Pow',
    a,
    b,
    (g, x, p) => mul(g, mul(p, pow(x, sub(p, 1)))),
    (g, x, _p, y) => mul(g, mul(y, log(x))),
  );
/** Elementwise max/min (the gradient goes to the larger/smaller operand; ties to `a`). */
export const maximum = (a: Tensor, b: TensorLike): Tensor => {
  const bb = lift(a, b);
  return where(greaterOrEqual(a, bb), a, bb);
};
export const minimum = (a: Tensor, b: TensorLike): Tensor => {
  const bb = lift(a, b);
  return where(lessOrEqual(a, bb), a, bb);
};

function unary(
  op: string,
  x: Tensor,
  grad?: (g: Tensor, x: Tensor, y: Tensor) => Tensor,
  attrs = {},
): Tensor {
  const y: Tensor = x.graph.op1(
    op,
    [x],
    x.shape,
    x.dtype,
    attrs,
    grad && (([g]) => [grad(g as Tensor, x, y)]),
  );
  return y;
}

export const neg = (x: Tensor): Tensor => unary('Neg', x, (g) => neg(g));
export const exp = (x: Tensor): Tensor => unary('Exp', x, (g, _x, y) => mul(g, y));
export const log = (x: Tensor): Tensor => unary('Log', x, (g, x0) => div(g, x0));
export const sqrt = (x: Tensor): Tensor => unary('Sqrt', x, (g, _x, y) => div(mul(g, 0.5), y));
export const abs = (x: Tensor): Tensor => unary('Abs', x, (g, x0) => mul(g, sign(x0)));
export const sign = (x: Tensor): Tensor => unary('Sign', x);
export const relu = (x: Tensor): Tensor =>
  unary('Relu', x, (g, x0) => mul(g, cast(greater(x0, 0), x0.dtype)));
export const tanh = (x: Tensor): Tensor => unary('Tanh', x, (g, _x, y) => mul(g, sub(lift(y, 1), mul(y, y))));
export const sigmoid = (x: Tensor): Tensor =>
  unary('Sigmoid', x, (g, _x, y) => mul(g, mul(y, sub(lift(y, 1), y))));
export const erf = (x: Tensor): Tensor =>
  unary('Erf', x, (g, x0) => mul(g, mul(exp(neg(mul(x0, x0))), 2 / Math.sqrt(Math.PI))));

/** GELU, exact erf form: 0.5 x (1 + erf(x / sqrt 2)). Composed from primitives, so its gradient is too. */
export const gelu = (x: Tensor): Tensor => mul(mul(x, 0.5), add(erf(mul(x, Math.SQRT1_2)), 1));
/** SiLU / swish: x * sigmoid(x). */
export const silu = (x: Tensor): Tensor => mul(x, sigmoid(x));

/** Clip to [min, max]; the gradient passes where min <= x <= max. */
export function clip(x: Tensor, min?: TensorLike, max?: TensorLike): Tensor {
  const lo = min === undefined ? undefined : lift(x, min);
  const hi = max === undefined ? undefined : lift(x, max);
  return x.graph.op1('Clip', [x, lo, hi], x.shape, x.dtype, {}, ([g], needs) => {
    if (!needs[0]) return [undefined];
    let mask = g as Tensor;
    if (lo) mask = mul(mask, cast(greaterOrEqual(x, lo), x.dtype));
    if (hi) mask = mul(mask, cast(lessOrEqual(x, hi), x.dtype));
    return [mask];
  });
}

export function where(cond: Tensor, a: TensorLike, b: TensorLike): Tensor {
  const ta = typeof a === 'number' ? undefined : a;
  const tb = typeof b === 'number' ? undefined : b;
  const like = ta ?? tb;
  if (!like) throw new Error('where: at least one branch must be a tensor');
  const x = lift(like, a);
  const y = lift(like, b);
  sameDType('Where', x, y);
  const shape = broadcastShapes(broadcastShapes(cond.shape, x.shape, 'Where'), y.shape, 'Where');
  return cond.graph.op1('Where', [cond, x, y], shape, x.dtype, {}, ([g], needs) => {
    const zero = lift(x, 0);
    return [
      undefined,
      needs[1] ? unbroadcast(where(cond, g as Tensor, zero), x.shape) : undefined,
      needs[2] ? unbroadcast(where(cond, zero, g as Tensor), y.shape) : undefined,
    ];
  });
}

export function cast(x: Tensor, to: DType): Tensor {
  if (x.dtype === to) return x;
  const isF = (d: DType) => d === 'float32' || d === 'float64';
  return x.graph.op1(
    'Cast',
    [x],
    x.shape,
    to,
    { to: { i: dtypeCode(to) } },
    isF(x.dtype) && isF(to) ? ([g]) => [cast(g as Tensor, x.dtype)] : undefined,
  );
}

function compare(op: string, a: Tensor, b: TensorLike): Tensor {
  const bb = lift(a, b);
  sameDType(op, a, bb);
  return a.graph.op1(op, [a, bb], broadcastShapes(a.shape, bb.shape, op), 'bool');
}

export const equal = (a: Tensor, b: TensorLike): Tensor => compare('Equal', a, b);
export const greater = (a: Tensor, b: TensorLike): Tensor => compare('Greater', a, b);
export const less = (a: Tensor, b: TensorLike): Tensor => compare('Less', a, b);
export const greaterOrEqual = (a: Tensor, b: TensorLike): Tensor => compare('GreaterOrEqual', a, b);
export const lessOrEqual = (a: Tensor, b: TensorLike): Tensor => compare('LessOrEqual', a, b);

export const isNan = (x: Tensor): Tensor => x.graph.op1('IsNaN', [x], x.shape, 'bool');
export const isInf = (x: Tensor): Tensor => x.graph.op1('IsInf', [x], x.shape, 'bool');
export const not = (x: Tensor): Tensor => x.graph.op1('Not', [x], x.shape, 'bool');
export const or = (a: Tensor, b: Tensor): Tensor =>
  a.graph.op1('Or', [a, b], broadcastShapes(a.shape, b.shape, 'Or'), 'bool');
export const and = (a: Tensor, b: Tensor): Tensor =>
  a.graph.op1('And', [a, b], broadcastShapes(a.shape, b.shape, 'And'), 'bool');
