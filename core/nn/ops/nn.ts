import { normAxis, type Tensor } from '../tensor';
import { add, div, exp, mul, sqrt, sub } from './elementwise';
import { matmul } from './linalg';
import { reduceMean, reduceSum, unbroadcast } from './reduce';
import { expand, reshape, transpose, transposeLast2 } from './shape';
import { lift, requireStatic } from './util';

export interface ConvOptions {
  stride?: number;
  pad?: number;
  dilation?: number;
}

function outSize(size: number, k: number, stride: number, pad: number, dilation = 1): number {
  return Math.floor((size + 2 * pad - dilation * (k - 1) - 1) / stride) + 1;
}

/** 2-D convolution, NCHW input, weight [O, C, kh, kw], optional bias [O], square stride/pad. */
export function conv2d(x: Tensor, w: Tensor, b?: Tensor, opts: ConvOptions = {}): Tensor {
  const { stride = 1, pad = 0, dilation = 1 } = opts;
  if (x.rank !== 4 || w.rank !== 4)
    throw new Error(`conv2d: expects NCHW input and OIHW weight, got ${x} and ${w}`);
  const [n, c, h, wd] = x.shape as [number, number, number, number];
  const [o, ci, kh, kw] = w.shape as [number, number, number, number];
  if (c !== ci) throw new Error(`conv2d: input has ${c} channels, weight expects ${ci}`);
  const ho = outSize(h, kh, stride, pad, dilation);
  const wo = outSize(wd, kw, stride, pad, dilation);
  if (ho < 1 || wo < 1) throw new Error(`conv2d: ${x} is too small for kernel ${kh}x${kw}`);
  const attrs = {
    kernel_shape: { ints: [kh, kw] },
    strides: { ints: [stride, stride] },
    pads: { ints: [pad, pad, pad, pad] },
    dilations: { ints: [dilation, dilation] },
  };
  return x.graph.op1('Conv', b ? [x, w, b] : [x, w], [n, o, ho, wo], x.dtype, attrs, ([gIn], needs) => {
    if (dilation !== 1) throw new Error('conv2d gradient: dilation > 1 is not supported');
    requireStatic(x, 'conv2d gradient');
    const g = gIn as Tensor;
    const gr = x.graph;
    let gx: Tensor | undefined;
    if (needs[0]) {
      gx =
        stride === 1 && kh === kw && pad <= kh - 1
          ? // Stride 1: the input gradient is the full convolution of g with the flipped, transposed
            // kernel, and ORT's Conv runs it about twice as fast as ConvTranspose.
            conv2d(g, transpose(flipKernel(w), [1, 0, 2, 3]), undefined, { pad: kh - 1 - pad })
          : // ConvTranspose with the same weights; output_padding restores the rows the forward
            // stride dropped.
            gr.op1('ConvTranspose', [g, w], x.shape, x.dtype, {
              kernel_shape: { ints: [kh, kw] },
              strides: { ints: [stride, stride] },
              pads: { ints: [pad, pad, pad, pad] },
              output_padding: { ints: [(h + 2 * pad - kh) % stride, (wd + 2 * pad - kw) % stride] },
            });
    }
    const gw = needs[1] ? convWeightGrad(x, g, kh, kw, stride, pad) : undefined;
    const gb = b && needs[2] ? reduceSum(g, [0, 2, 3]) : undefined;
    return [gx, gw, gb];
  });
}

/** Kernel [O, C, kh, kw] reversed along both spatial axes (a Slice with step -1). */
function flipKernel(w: Tensor): Tensor {
  const [, , kh, kw] = w.shape as [number, number, number, number];
  const gr = w.graph;
  const ends = gr.ints([-kh - 1, -kw - 1]);
  return gr.op1(
    'Slice',
    [w, gr.ints([kh - 1, kw - 1]), ends, gr.ints([2, 3]), gr.ints([-1, -1])],
    w.shape,
    w.dtype,
  );
}

/**
 * conv2d's weight gradient as batched MatMuls: a Conv with one-hot kernels lays out the input's
 * kh*kw windows per channel (im2col through ORT's own Conv), and each sample's windows meet its
 * output gradient in one product, summed over the batch. ORT's Conv with the batch as channels
 * (the textbook form) runs one small GEMM per input channel and took about twice as long on
 * tiny-vla's layers (35 against 16 ms per step at 64 px).
 */
function convWeightGrad(x: Tensor, g: Tensor, kh: number, kw: number, stride: number, pad: number): Tensor {
  const [n, c, h, wd] = x.shape as [number, number, number, number];
  const [, o, ho, wo] = g.shape as [number, number, number, number];
  const kk = kh * kw;
  const eye = new Float64Array(kk * kk);
  for (let i = 0; i < kk; i++) eye[i * kk + i] = 1;
  const windows = x.graph.op1(
    'Conv',
    [reshape(x, [n * c, 1, h, wd]), x.graph.const(eye, [kk, 1, kh, kw], x.dtype)],
    [n * c, kk, ho, wo],
    x.dtype,
    {
      kernel_shape: { ints: [kh, kw] },
      strides: { ints: [stride, stride] },
      pads: { ints: [pad, pad, pad, pad] },
    },
  );
  const perSample = matmul(
    reshape(g, [n, o, ho * wo]),
    transposeLast2(reshape(windows, [n, c * kk, ho * wo])),
  );
  return reshape(reduceSum(perSample, [0]), [o, c, kh, kw]);
}

export interface PoolOptions {
  kernel: number;
  stride?: number;
  pad?: number;
}

/** Max pooling. Gradient: scatter-add into the argmax positions (MaxPool's Indices output). */
export function maxPool(x: Tensor, opts: PoolOptions): Tensor {
  const { kernel, stride = kernel, pad = 0 } = opts;
  const [n, c, h, w] = x.shape as [number, number, number, number];
  const shape = [n, c, outSize(h, kernel, stride, pad), outSize(w, kernel, stride, pad)];
  const attrs = {
    kernel_shape: { ints: [kernel, kernel] },
    strides: { ints: [stride, stride] },
    pads: { ints: [pad, pad, pad, pad] },
  };
  const gr = x.graph;
  let indices: Tensor | undefined;
  const [y] = gr.node(
    'MaxPool',
    [x],
    [
      { shape, dtype: x.dtype },
      { shape, dtype: 'int64' },
    ],
    attrs,
    ([g]) => {
      requireStatic(x, 'maxPool gradient');
      const total = x.size;
      const zeros = gr.op1('Expand', [gr.const(0, [], x.dtype), gr.ints([total])], [total], x.dtype);
      const flatIdx = reshape(indices as Tensor, [-1]);
      const flatG = reshape(g as Tensor, [-1]);
      const scattered = gr.op1('ScatterElements', [zeros, flatIdx, flatG], [total], x.dtype, {
        axis: { i: 0 },
        reduction: { s: 'add' },
      });
      return [reshape(scattered, x.shape)];
    },
  );
  indices = gr.nodes[gr.nodes.length - 1]?.outputs[1];
  return y as Tensor;
}

/** Average pooling (padding counted in the average). Gradient: depthwise ConvTranspose of 1/k^2. */
export function averagePool(x: Tensor, opts: PoolOptions): Tensor {
  const { kernel, stride = kernel, pad = 0 } = opts;
  const [n, c, h, w] = x.shape as [number, number, number, number];
  const shape = [n, c, outSize(h, kernel, stride, pad), outSize(w, kernel, stride, pad)];
  const attrs = {
    kernel_shape: { ints: [kernel, kernel] },
    strides: { ints: [stride, stride] },
    pads: { ints: [pad, pad, pad, pad] },
    count_include_pad: { i: 1 },
  };
  return x.graph.op1('AveragePool', [x], shape, x.dtype, attrs, ([g]) => {
    requireStatic(x, 'averagePool gradient');
    const gr = x.graph;
    const k = gr.const(
      new Array(c * kernel * kernel).fill(1 / (kernel * kernel)),
      [c, 1, kernel, kernel],
      x.dtype,
    );
    const op = [(h + 2 * pad - kernel) % stride, (w + 2 * pad - kernel) % stride];
    return [
      gr.op1('ConvTranspose', [g as Tensor, k], x.shape, x.dtype, {
        kernel_shape: { ints: [kernel, kernel] },
        strides: { ints: [stride, stride] },
        pads: { ints: [pad, pad, pad, pad] },
        output_padding: { ints: op },
        group: { i: c },
      }),
    ];
  });
}

export function globalAveragePool(x: Tensor): Tensor {
  const shape = [...x.shape.slice(0, 2), ...x.shape.slice(2).map(() => 1)];
  return x.graph.op1('GlobalAveragePool', [x], shape, x.dtype, {}, ([g]) => {
    const count = x.shape.slice(2).reduce((a, d) => a * d, 1);
    return [div(expand(g as Tensor, x.shape), count)];
  });
}

/** LayerNormalization over the axes from `axis` to the end; scale/bias have those axes' shape. */
export function layerNorm(x: Tensor, scale: Tensor, bias: Tensor, eps = 1e-5, axis = -1): Tensor {
  const ax = normAxis(axis, x.rank);
  const normShape = x.shape.slice(ax);
  if (scale.shape.join() !== normShape.join() || bias.shape.join() !== normShape.join()) {
    throw new Error(`layerNorm: scale ${scale} / bias ${bias} must have shape [${normShape.join(',')}]`);
  }
  return x.graph.op1(
    'LayerNormalization',
    [x, scale, bias],
    x.shape,
    x.dtype,
    { axis: { i: ax }, epsilon: { f: eps } },
    ([gIn], needs) => {
      const g = gIn as Tensor;
      const axes = normShape.map((_, i) => ax + i);
      const xc = sub(x, reduceMean(x, axes, true));
      const inv = div(lift(x, 1), sqrt(add(reduceMean(mul(xc, xc), axes, true), eps)));
      const xhat = mul(xc, inv);
      let gx: Tensor | undefined;
      if (needs[0]) {
        const gh = mul(g, scale);
        gx = mul(
          inv,
          sub(sub(gh, reduceMean(gh, axes, true)), mul(xhat, reduceMean(mul(gh, xhat), axes, true))),
        );
      }
      return [
        gx,
        needs[1] ? unbroadcast(mul(g, xhat), scale.shape) : undefined,
        needs[2] ? unbroadcast(g, bias.shape) : undefined,
      ];
    },
  );
}

export function softmax(x: Tensor, axis = -1): Tensor {
  const ax = normAxis(axis, x.rank);
  const y: Tensor = x.graph.op1('Softmax', [x], x.shape, x.dtype, { axis: { i: ax } }, ([g]) => [
    mul(y, sub(g as Tensor, reduceSum(mul(g as Tensor, y), [ax], true))),
  ]);
  return y;
}

export function logSoftmax(x: Tensor, axis = -1): Tensor {
  const ax = normAxis(axis, x.rank);
  const y: Tensor = x.graph.op1('LogSoftmax', [x], x.shape, x.dtype, { axis: { i: ax } }, ([g]) => [
    sub(g as Tensor, mul(exp(y), reduceSum(g as Tensor, [ax], true))),
  ]);
  return y;
}
