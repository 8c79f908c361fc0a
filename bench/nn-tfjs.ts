/**
 * The benchmark baselines in TensorFlow.js: the 2-layer MLP and tiny-vla with identical shapes,
 * the same token cross-entropy and the same AdamW (global-norm clip 1.0, bias correction,
 * decoupled weight decay), written with tfjs ops.
 */
import { mkdtempSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { buildSync } from 'esbuild';
import '@tensorflow/tfjs-backend-cpu';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import type { TinyVlaConfig } from '../models/tiny-vla/config';

/**
 * tfjs-core's Node entry has no gradients registered and its ESM files use extensionless imports
 * Node cannot load, so bundle register_all_gradients with esbuild and require it (the kernel and
 * gradient registries are global, so the registrations reach the loaded tfjs-core).
 */
function registerGradients(): void {
  const require = createRequire(import.meta.url);
  const entry = require.resolve('@tensorflow/tfjs-core/dist/register_all_gradients.js');
  const out = join(mkdtempSync(join(tmpdir(), 'tfjs-grads-')), 'grads.cjs');
  buildSync({
    entryPoints: [entry],
    bundle: true,
    format: 'cjs',
    platform: 'node',
    outfile: out,
    logLevel: 'error',
  });
  require(out);
}
registerGradients();

export async function selectTfBackend(name: 'wasm' | 'cpu'): Promise<void> {
  if (name === 'wasm') {
    const require = createRequire(import.meta.url);
    const dist = dirname(require.resolve('@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm.wasm'));
    setWasmPaths(`${join(dist)}/`);
  }
  await tf.setBackend(name);
  await tf.ready();
}

type Vars = Record<string, tf.Variable>;

function normal(shape: number[], std: number): tf.Variable {
  return tf.variable(tf.randomNormal(shape, 0, std));
}

class TfAdamW {
  private readonly m = new Map<string, tf.Variable>();
  private readonly v = new Map<string, tf.Variable>();
  private t = 0;
  constructor(
    private readonly vars: Vars,
    private readonly lr = 1e-3,
    private readonly wd = 0.01,
  ) {
    for (const [k, p] of Object.entries(vars)) {
      this.m.set(k, tf.variable(tf.zerosLike(p)));
      this.v.set(k, tf.variable(tf.zerosLike(p)));
    }
  }

  /** One step: loss, gradients, clip, AdamW. Returns the loss. */
  step(loss: () => tf.Scalar): number {
    this.t += 1;
    const t = this.t;
    const out = tf.tidy(() => {
      const { value, grads } = tf.variableGrads(loss, Object.values(this.vars));
      const names = Object.keys(this.vars);
      const norm = tf.sqrt(tf.addN(names.map((k) => tf.sum(tf.square(grads[this.vars[k]!.name]!)))));
      const scale = tf.minimum(tf.div(1, tf.add(norm, 1e-6)), 1);
      for (const k of names) {
        const p = this.vars[k]!;
        const g = tf.mul(grads[p.name]!, scale);
        const m = this.m.get(k)!;
        const v = this.v.get(k)!;
        m.assign(tf.add(tf.mul(m, 0.9), tf.mul(g, 0.1)));
        v.assign(tf.add(tf.mul(v, 0.999), tf.mul(tf.square(g), 0.001)));
        const mhat = tf.div(m, 1 - 0.9 ** t);
        const vhat = tf.div(v, 1 - 0.999 ** t);
        const decayed = p.rank >= 2 ? tf.mul(p, 1 - this.lr * this.wd) : p;
        p.assign(tf.sub(decayed, tf.mul(this.lr, tf.div(mhat, tf.add(tf.sqrt(vhat), 1e-8)))));
      }
      return value;
    });
    const v = out.dataSync()[0] as number;
    out.dispose();
    return v;
  }
}

function crossEntropy(logits: tf.Tensor, labels: tf.Tensor, classes: number): tf.Scalar {
  const lsm = tf.logSoftmax(logits);
  const oh = tf.oneHot(labels, classes);
  return tf.neg(tf.mean(tf.sum(tf.mul(lsm, oh), -1))) as tf.Scalar;
}

/** MLP 512 -> 1024 -> 256 with ReLU, softmax cross-entropy over 256 classes. */
export function tfMlp(batch: number) {
  const vars: Vars = {
    w1: normal([512, 1024], 0.04),
    b1: tf.variable(tf.zeros([1024])),
    w2: normal([1024, 256], 0.03),
    b2: tf.variable(tf.zeros([256])),
  };
  const x = tf.randomNormal([batch, 512]);
  const y = tf.randomUniformInt([batch], 0, 256);
  const opt = new TfAdamW(vars);
  return {
    step: () =>
      opt.step(() => {
        const h = tf.relu(tf.add(tf.matMul(x, vars.w1!), vars.b1!));
        return crossEntropy(tf.add(tf.matMul(h, vars.w2!), vars.b2!), y, 256);
      }),
  };
}

function gelu(x: tf.Tensor): tf.Tensor {
  return tf.mul(tf.mul(x, 0.5), tf.add(tf.erf(tf.mul(x, Math.SQRT1_2)), 1));
}

function layerNorm(x: tf.Tensor, s: tf.Tensor, b: tf.Tensor): tf.Tensor {
  const { mean, variance } = tf.moments(x, -1, true);
  return tf.add(tf.mul(tf.mul(tf.sub(x, mean), tf.rsqrt(tf.add(variance, 1e-5))), s), b);
}

/** tiny-vla in tfjs (NHWC convs), same layer sizes as models/tiny-vla/model.ts. */
export function tfTinyVla(cfg: TinyVlaConfig, batch: number) {
  const w = cfg.width;
  const convs: [number, number, number, number][] = [
    [16, 5, 2, 2],
    [32, 3, 2, 1],
    [32, 3, 2, 1],
    [32, 3, 2, 1],
  ];
  const vars: Vars = {};
  const flat = 32 * (cfg.imageSize / 16) ** 2;
  for (const cam of ['front', 'wrist']) {
    let cin = 3;
    convs.forEach(([co, k], i) => {
      vars[`${cam}${i}w`] = normal([k, k, cin, co], Math.sqrt(2 / (cin * k * k)));
      vars[`${cam}${i}b`] = tf.variable(tf.zeros([co]));
      cin = co;
    });
    vars[`${cam}pw`] = normal([flat, w.image], Math.sqrt(1 / flat));
    vars[`${cam}pb`] = tf.variable(tf.zeros([w.image]));
  }
  const lin = (name: string, i: number, o: number) => {
    vars[`${name}w`] = normal([i, o], Math.sqrt(1 / i));
    vars[`${name}b`] = tf.variable(tf.zeros([o]));
  };
  vars.emb = normal([cfg.vocab.length, 32], 0.5);
  lin('text', 32, w.text);
  lin('state', cfg.actionDim, w.text);
  lin('fuse', 2 * w.image + 2 * w.text, w.context);
  vars.fls = tf.variable(tf.ones([w.context]));
  vars.flb = tf.variable(tf.zeros([w.context]));
  lin('hin', w.context, w.head);
  const nTok = cfg.chunk * cfg.actionDim;
  vars.query = normal([nTok, w.head], 0.5);
  vars.hls = tf.variable(tf.ones([w.head]));
  vars.hlb = tf.variable(tf.zeros([w.head]));
  lin('hmid', w.head, w.head);
  lin('hout', w.head, cfg.bins);

  const s = cfg.imageSize;
  const front = tf.randomUniformInt([batch, s, s, 3], 0, 256);
  const wrist = tf.randomUniformInt([batch, s, s, 3], 0, 256);
  const tokens = tf.randomUniformInt([batch, cfg.maxTokens], 0, cfg.vocab.length);
  const state = tf.randomNormal([batch, cfg.actionDim]);
  const labels = tf.randomUniformInt([batch, nTok], 0, cfg.bins);
  const v = (k: string) => vars[k] as tf.Variable;

  const encode = (cam: string, img: tf.Tensor): tf.Tensor => {
    let x: tf.Tensor4D = tf.sub(tf.mul(tf.cast(img, 'float32'), 1 / (255 * 0.25)), 2) as tf.Tensor4D;
    convs.forEach(([, , stride, pad], i) => {
      x = tf.relu(
        tf.add(tf.conv2d(x, v(`${cam}${i}w`) as tf.Tensor4D, stride, pad), v(`${cam}${i}b`)),
      ) as tf.Tensor4D;
    });
    return tf.add(tf.matMul(tf.reshape(x, [batch, flat]), v(`${cam}pw`)), v(`${cam}pb`));
  };
  const forward = (): tf.Tensor => {
    const f = encode('front', front);
    const wr = encode('wrist', wrist);
    const mask = tf.cast(tf.notEqual(tokens, 0), 'float32');
    // One-hot x table instead of tf.gather: tfjs-wasm lacks UnsortedSegmentSum (gather's gradient).
    const oh = tf.reshape(tf.oneHot(tf.reshape(tokens, [-1]), cfg.vocab.length), [-1, cfg.vocab.length]);
    const emb = tf.reshape(tf.matMul(oh, v('emb')), [batch, cfg.maxTokens, 32]);
    const pooled = tf.div(
      tf.sum(tf.mul(emb, tf.expandDims(mask, 2)), 1),
      tf.maximum(tf.sum(mask, 1, true), 1),
    );
    const text = gelu(tf.add(tf.matMul(pooled, v('textw')), v('textb')));
    const st = gelu(tf.add(tf.matMul(state, v('statew')), v('stateb')));
    const fused = tf.add(tf.matMul(tf.concat([f, wr, text, st], 1), v('fusew')), v('fuseb'));
    const ctx = gelu(layerNorm(fused, v('fls'), v('flb')));
    const h0 = tf.add(tf.expandDims(tf.add(tf.matMul(ctx, v('hinw')), v('hinb')), 1), v('query'));
    const h1 = tf.reshape(gelu(layerNorm(h0, v('hls'), v('hlb'))), [batch * nTok, w.head]);
    const h2 = gelu(tf.add(tf.matMul(h1, v('hmidw')), v('hmidb')));
    return tf.reshape(tf.add(tf.matMul(h2, v('houtw')), v('houtb')), [batch, nTok, cfg.bins]);
  };
  const opt = new TfAdamW(vars);
  return {
    step: () => opt.step(() => crossEntropy(forward(), labels, cfg.bins)),
    infer: () => {
      const out = tf.tidy(forward);
      out.dataSync();
      out.dispose();
    },
  };
}
