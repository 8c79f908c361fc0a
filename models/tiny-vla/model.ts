import type { ModelDef, ParamSpec } from '../../core/nn/model';
import * as op from '../../core/nn/ops';
import type { Tensor } from '../../core/nn/tensor';
import { type TinyVlaConfig, validateConfig } from './config';

export const TINY_VLA = 'tiny-vla';

/** Convolution stack per camera: [out channels, kernel, stride, pad]; each halves the side. */
const CONVS: [number, number, number, number][] = [
  [16, 5, 2, 2],
  [32, 3, 2, 1],
  [32, 3, 2, 1],
  [32, 3, 2, 1],
];

/**
 * Keypoint encoder: convolutions down to a 16x16 map (stride 2 while the map is larger, at least
 * three layers), 32 keypoints per camera.
 */
function keypointConvs(imageSize: number): [number, number, number, number][] {
  const halvings = Math.max(0, Math.round(Math.log2(imageSize / 16)));
  return Array.from({ length: Math.max(3, halvings) }, (_, i) => {
    const stride = i < halvings ? 2 : 1;
    return i === 0 ? [16, 5, stride, 2] : [32, 3, stride, 1];
  });
}

const convsOf = (c: TinyVlaConfig) => (c.encoder === 'keypoints' ? keypointConvs(c.imageSize) : CONVS);

const usesState = (c: TinyVlaConfig) => c.stateInput !== false;

/**
 * The clock enters as overlapping triangular bumps centred every CLOCK_SPACING env steps (an
 * interpolated one-hot over time), clamped at the last centre: a smooth code the fusion layer can
 * threshold anywhere, where one raw scalar would start with every unit's threshold at step 0.
 */
const CLOCK_SPACING = 32;
const CLOCK_CENTRES = 13;

/** Fused embeddings beside the two cameras: text, then state and clock when the config feeds them. */
const extraEmbeddings = (c: TinyVlaConfig) => 1 + (usesState(c) ? 1 : 0) + (c.clockInput ? 1 : 0);

const he = (fanIn: number) => ({ kind: 'normal' as const, std: Math.sqrt(2 / fanIn) });
const xavier = (fanIn: number) => ({ kind: 'normal' as const, std: Math.sqrt(1 / fanIn) });

function linearParams(name: string, fanIn: number, fanOut: number, init = xavier(fanIn)): ParamSpec[] {
  return [
    { name: `${name}.w`, shape: [fanIn, fanOut], init },
    { name: `${name}.b`, shape: [fanOut], init: { kind: 'zeros' } },
  ];
}

const TEXT_EMB = 32;

function params(c: TinyVlaConfig): ParamSpec[] {
  const w = c.width;
  const out: ParamSpec[] = [];
  const convs = convsOf(c);
  const channels = convs[convs.length - 1]![0];
  const flat = c.encoder === 'keypoints' ? 2 * channels : channels * (c.imageSize / 16) ** 2;
  for (const cam of ['front', 'wrist']) {
    let cin = 3;
    convs.forEach(([co, k], i) => {
      out.push({ name: `${cam}.conv${i}.w`, shape: [co, cin, k, k], init: he(cin * k * k) });
      out.push({ name: `${cam}.conv${i}.b`, shape: [co], init: { kind: 'zeros' } });
      cin = co;
    });
    out.push(...linearParams(`${cam}.proj`, flat, w.image));
  }
  out.push({ name: 'text.emb', shape: [c.vocab.length, TEXT_EMB], init: { kind: 'normal', std: 0.5 } });
  out.push(...linearParams('text.proj', c.text === 'positional' ? c.maxTokens * TEXT_EMB : TEXT_EMB, w.text));
  if (usesState(c)) out.push(...linearParams('state.proj', c.actionDim, w.text));
  if (c.clockInput) out.push(...linearParams('clock.proj', CLOCK_CENTRES, w.text));
  out.push(...linearParams('fuse', 2 * w.image + extraEmbeddings(c) * w.text, w.context));
  out.push(
    { name: 'fuse.ln.s', shape: [w.context], init: { kind: 'ones' } },
    { name: 'fuse.ln.b', shape: [w.context], init: { kind: 'zeros' } },
  );
  out.push(...linearParams('head.in', w.context, w.head));
  out.push({
    name: 'head.query',
    shape: [c.chunk * c.actionDim, w.head],
    init: { kind: 'normal', std: 0.5 },
  });
  out.push(
    { name: 'head.ln.s', shape: [w.head], init: { kind: 'ones' } },
    { name: 'head.ln.b', shape: [w.head], init: { kind: 'zeros' } },
  );
  out.push(...linearParams('head.mid', w.head, w.head, he(w.head)));
  out.push(...linearParams('head.out', w.head, c.bins, { kind: 'normal', std: 0.01 }));
  return out;
}

/** uint8 HWC image -> float NCHW in roughly [-2, 2]. */
function imageIn(img: Tensor): Tensor {
  const x = op.transpose(op.cast(img, 'float32'), [0, 3, 1, 2]);
  return op.sub(op.mul(x, 1 / (255 * 0.25)), 2);
}

/** Per channel, the softmax-weighted mean (x, y) in [-1, 1] over the feature map: [N, 2C]. */
function spatialSoftmax(x: Tensor): Tensor {
  const [n, ch, h, w] = x.shape as [number, number, number, number];
  const attention = op.softmax(op.reshape(x, [n, ch, h * w]), 2);
  const coords: number[] = [];
  for (let y = 0; y < h; y++)
    for (let i = 0; i < w; i++) coords.push((2 * i + 1) / w - 1, (2 * y + 1) / h - 1);
  const xy = op.matmul(attention, x.graph.const(coords, [h * w, 2]));
  return op.reshape(xy, [n, 2 * ch]);
}

function encodeCamera(c: TinyVlaConfig, cam: string, img: Tensor, p: Record<string, Tensor>): Tensor {
  const convs = convsOf(c);
  let x = imageIn(img);
  convs.forEach(([, , stride, pad], i) => {
    x = op.conv2d(x, p[`${cam}.conv${i}.w`]!, p[`${cam}.conv${i}.b`], { stride, pad });
    // The keypoint layer's raw responses feed the spatial softmax.
    if (c.encoder !== 'keypoints' || i < convs.length - 1) x = op.relu(x);
  });
  const features = c.encoder === 'keypoints' ? spatialSoftmax(x) : op.flatten(x);
  return op.linear(features, p[`${cam}.proj.w`]!, p[`${cam}.proj.b`]);
}

/** Joint state normalised with q01/q99 inside the graph, then embedded. */
function stateEmbedding(c: TinyVlaConfig, state: Tensor, p: Record<string, Tensor>): Tensor {
  const g = state.graph;
  const lo = g.const(c.stateStats.q01, [c.actionDim]);
  const span = g.const(
    c.stateStats.q99.map((v, i) => Math.max(v - (c.stateStats.q01[i] as number), 1e-6)),
    [c.actionDim],
  );
  const st = op.clip(op.sub(op.mul(op.div(op.sub(state, lo), span), 2), 1), -1.5, 1.5);
  return op.gelu(op.linear(st, p['state.proj.w']!, p['state.proj.b']));
}

/** Episode clock [N, 1] in env steps -> triangular bumps [N, CLOCK_CENTRES] -> embedding. */
function clockEmbedding(clock: Tensor, p: Record<string, Tensor>): Tensor {
  const g = clock.graph;
  const t = op.clip(op.mul(clock, 1 / CLOCK_SPACING), 0, CLOCK_CENTRES - 1);
  const centres = g.const(
    Array.from({ length: CLOCK_CENTRES }, (_, i) => i),
    [CLOCK_CENTRES],
  );
  const bumps = op.relu(op.sub(g.const(1, []), op.abs(op.sub(t, centres))));
  return op.gelu(op.linear(bumps, p['clock.proj.w']!, p['clock.proj.b']));
}

/** Instruction tokens [N, maxTokens] -> [N, TEXT_EMB] (mean) or [N, maxTokens * TEXT_EMB] (positional); padding is zeroed. */
function encodeInstruction(c: TinyVlaConfig, tokens: Tensor, p: Record<string, Tensor>): Tensor {
  const g = tokens.graph;
  const mask = op.unsqueeze(op.cast(op.not(op.equal(tokens, g.const(0, [], 'int64'))), 'float32'), [2]);
  const emb = op.mul(op.gather(p['text.emb']!, tokens), mask);
  if (c.text === 'positional') return op.reshape(emb, [-1, c.maxTokens * TEXT_EMB]);
  return op.div(op.reduceSum(emb, [1]), op.maximum(op.reduceSum(mask, [1]), 1));
}

/**
 * tiny-vla: front + wrist RGB, instruction tokens, joint state (and the episode clock when the
 * config asks) -> logits [N, chunk*dims, bins]
 * for every action token of the chunk in one forward pass.
 */
export function tinyVla(c: TinyVlaConfig): ModelDef {
  validateConfig(c);
  const s = c.imageSize;
  return {
    name: TINY_VLA,
    inputs: [
      { name: 'front', shape: [s, s, 3], dtype: 'uint8' },
      { name: 'wrist', shape: [s, s, 3], dtype: 'uint8' },
      { name: 'tokens', shape: [c.maxTokens], dtype: 'int64' },
      { name: 'state', shape: [c.actionDim], dtype: 'float32' },
      ...(c.clockInput ? [{ name: 'clock', shape: [1], dtype: 'float32' as const }] : []),
    ],
    params: params(c),
    outputs: ['logits'],
    forward: ({ front, wrist, tokens, state, clock }, p) => {
      const f = encodeCamera(c, 'front', front!, p);
      const w = encodeCamera(c, 'wrist', wrist!, p);
      const text = op.gelu(op.linear(encodeInstruction(c, tokens!, p), p['text.proj.w']!, p['text.proj.b']));
      const parts = [f, w, text];
      if (usesState(c)) parts.push(stateEmbedding(c, state!, p));
      if (c.clockInput) parts.push(clockEmbedding(clock!, p));
      const fused = op.linear(op.concat(parts, 1), p['fuse.w']!, p['fuse.b']);
      const ctx = op.gelu(op.layerNorm(fused, p['fuse.ln.s']!, p['fuse.ln.b']!));
      // Head: context + one learned query per action token, shared MLP -> bins.
      const h0 = op.add(op.unsqueeze(op.linear(ctx, p['head.in.w']!, p['head.in.b']), [1]), p['head.query']!);
      const h1 = op.gelu(op.layerNorm(h0, p['head.ln.s']!, p['head.ln.b']!));
      const h2 = op.gelu(op.add(op.matmul(h1, p['head.mid.w']!), p['head.mid.b']!));
      const logits = op.add(op.matmul(h2, p['head.out.w']!), p['head.out.b']!);
      return { logits };
    },
  };
}
