import type { CameraFrame } from '../../hardware/robot';
import type { ModelDef, ParamValues } from '../../nn/model';
import { buildForwardGraph } from '../../nn/model';
import { abs, add, exp, linear, log, maximum, mul, neg, reduceMean, relu, reshape, sub } from '../../nn/ops';
import { createSession, runSession } from '../../nn/runtime';
import { Trainer } from '../../nn/trainer';
import type { HumanLabelReward } from './human-label';
import type { Reward, RewardEpisode, RewardSource } from './types';

/** Final frames are shrunk to this side before classification. */
const SIDE = 16;

function shrink(frame: CameraFrame): Float32Array {
  const out = new Float32Array(SIDE * SIDE * 3);
  for (let y = 0; y < SIDE; y++) {
    const sy = Math.min(frame.height - 1, Math.floor(((y + 0.5) * frame.height) / SIDE));
    for (let x = 0; x < SIDE; x++) {
      const sx = Math.min(frame.width - 1, Math.floor(((x + 0.5) * frame.width) / SIDE));
      for (let c = 0; c < 3; c++)
        out[(y * SIDE + x) * 3 + c] = (frame.data[(sy * frame.width + sx) * 3 + c] as number) / 255;
    }
  }
  return out;
}

function detectorModel(hidden: number): ModelDef {
  const n = SIDE * SIDE * 3;
  return {
    name: `success_detector_${SIDE}px_h${hidden}`,
    inputs: [{ name: 'image', shape: [n], dtype: 'float32' }],
    params: [
      { name: 'w1', shape: [n, hidden], init: { kind: 'normal', std: Math.sqrt(2 / n) } },
      { name: 'b1', shape: [hidden], init: { kind: 'zeros' } },
      { name: 'w2', shape: [hidden, 1], init: { kind: 'normal', std: 0.01 } },
      { name: 'b2', shape: [1], init: { kind: 'zeros' } },
    ],
    outputs: ['logit'],
    forward: (x, p) => {
      const h = relu(linear(x.image!, p.w1!, p.b1));
      const z = linear(h, p.w2!, p.b2);
      return { logit: reshape(z, [z.shape[0] as number]) };
    },
  };
}

export interface DetectorQuality {
  precision: number;
  recall: number;
  /** Held-out labels the numbers come from. */
  heldOut: number;
  trainLabels: number;
}

export interface SuccessDetectorOptions {
  /** Camera whose final frame is classified. Default 'front'. */
  camera?: string;
  /** The person's labels: asked whenever the detector may not label on its own. */
  human: HumanLabelReward;
  /** Auto-labelling needs at least this precision and recall on held-out labels. */
  minPrecision?: number;
  minRecall?: number;
  minHeldOut?: number;
  hidden?: number;
  /** Every k-th label is held out for validation. Default 4. */
  holdOutEvery?: number;
}

/**
 * The learned success detector: a small image classifier on the final frame that a person has
 * labelled, trained with the NN engine. It reports precision/recall on held-out labels; once the
 * person allows it (`setAutoLabel(true)`) and it is good enough, it labels episodes itself;
 * otherwise it proposes a label and the person decides. `overrule` corrects it (and the
 * correction becomes a training label).
 */
export class SuccessDetector implements RewardSource {
  readonly kind = 'detector';
  private readonly model: ModelDef;
  private params: ParamValues | null = null;
  private labels: { x: Float32Array; y: number }[] = [];
  private auto = false;
  private lastQuality: DetectorQuality | null = null;
  private readonly proposals = new Map<string, number>();

  constructor(readonly opts: SuccessDetectorOptions) {
    this.model = detectorModel(opts.hidden ?? 32);
  }

  /** A final frame a person labelled. */
  addLabel(images: Record<string, CameraFrame>, success: boolean): void {
    const frame = images[this.opts.camera ?? 'front'];
    if (!frame)
      throw new Error(`The success detector needs the "${this.opts.camera ?? 'front'}" camera's final frame`);
    this.labels.push({ x: shrink(frame), y: success ? 1 : 0 });
  }

  get labelCount(): number {
    return this.labels.length;
  }

  private split() {
    const k = this.opts.holdOutEvery ?? 4;
    return {
      train: this.labels.filter((_, i) => i % k !== k - 1),
      held: this.labels.filter((_, i) => i % k === k - 1),
    };
  }

  /** Train from scratch on the training split; returns held-out precision and recall. */
  async train(steps = 300, lr = 1e-2): Promise<DetectorQuality> {
    const { train, held } = this.split();
    if (train.length < 2 || !train.some((l) => l.y === 1) || !train.some((l) => l.y === 0)) {
      throw new Error(
        'The success detector needs labelled successes and failures before it can train; label more episodes',
      );
    }
    const batch = 16;
    const n = SIDE * SIDE * 3;
    const trainer = await Trainer.create({
      model: this.model,
      batch,
      threads: 1,
      extraInputs: [{ name: 'label', shape: [], dtype: 'float32' }],
      // binary cross-entropy with logits: max(z, 0) - z y + log(1 + exp(-|z|))
      loss: (out, x) => {
        const z = out.logit!;
        return reduceMean(add(sub(maximum(z, 0), mul(z, x.label!)), log(add(exp(neg(abs(z))), 1))));
      },
    });
    let s = 12345;
    const rand = () => {
      s = (s * 16807) % 2147483647;
      return s / 2147483647;
    };
    for (let i = 0; i < steps; i++) {
      const image = new Float32Array(batch * n);
      const label = new Float32Array(batch);
      for (let b = 0; b < batch; b++) {
        const l = train[Math.floor(rand() * train.length)] as { x: Float32Array; y: number };
        image.set(l.x, b * n);
        label[b] = l.y;
      }
      await trainer.step(
        {
          image: { dtype: 'float32', shape: [batch, n], data: image },
          label: { dtype: 'float32', shape: [batch], data: label },
        },
        lr,
      );
    }
    this.params = new Map(trainer.params);
    await trainer.release();
    let tp = 0;
    let fp = 0;
    let fn = 0;
    if (held.length) {
      const p = await this.predict(held.map((h) => h.x));
      p.forEach((prob, i) => {
        const yes = prob >= 0.5;
        const y = held[i]?.y === 1;
        if (yes && y) tp++;
        else if (yes && !y) fp++;
        else if (!yes && y) fn++;
      });
    }
    this.lastQuality = {
      precision: tp + fp ? tp / (tp + fp) : 0,
      recall: tp + fn ? tp / (tp + fn) : 0,
      heldOut: held.length,
      trainLabels: train.length,
    };
    return this.lastQuality;
  }

  get quality(): DetectorQuality | null {
    return this.lastQuality;
  }

  /** Whether held-out precision/recall clear the thresholds (auto-labelling may be switched on). */
  get goodEnough(): boolean {
    const q = this.lastQuality;
    return (
      !!q &&
      q.heldOut >= (this.opts.minHeldOut ?? 8) &&
      q.precision >= (this.opts.minPrecision ?? 0.9) &&
      q.recall >= (this.opts.minRecall ?? 0.8)
    );
  }

  /** The person lets the detector label on its own (refused until it is good enough). */
  setAutoLabel(on: boolean): void {
    if (on && !this.goodEnough) {
      const q = this.lastQuality;
      throw new Error(
        q
          ? `The success detector is not good enough to label on its own yet (precision ${(q.precision * 100).toFixed(0)}%, recall ${(q.recall * 100).toFixed(0)}% on ${q.heldOut} held-out labels); label more episodes and retrain`
          : 'Train the success detector before letting it label episodes',
      );
    }
    this.auto = on;
  }

  get autoLabel(): boolean {
    return this.auto;
  }

  /** Success probability per final frame. */
  async probability(images: Record<string, CameraFrame>): Promise<number> {
    const frame = images[this.opts.camera ?? 'front'];
    if (!frame)
      throw new Error(`The success detector needs the "${this.opts.camera ?? 'front'}" camera's final frame`);
    return (await this.predict([shrink(frame)]))[0] as number;
  }

  /** The detector's proposal for an episode the person is asked about (shown in the UI). */
  proposal(episodeId: string): number | undefined {
    return this.proposals.get(episodeId);
  }

  async reward(episode: RewardEpisode, signal?: AbortSignal): Promise<Reward> {
    const images = episode.finalImages;
    if (this.params && images) {
      const p = await this.probability(images);
      this.proposals.set(episode.id, p);
      if (this.auto && this.goodEnough) return p >= 0.5 ? 1 : 0;
    }
    const r = await this.opts.human.reward(episode, signal);
    if (images) this.addLabel(images, r === 1);
    return r;
  }

  /** The person overrules a label the detector gave: the correction is kept as a training label. */
  overrule(episode: RewardEpisode, success: boolean): void {
    if (episode.finalImages) this.addLabel(episode.finalImages, success);
  }

  private async predict(xs: Float32Array[]): Promise<number[]> {
    if (!this.params) throw new Error('The success detector is not trained yet');
    const n = SIDE * SIDE * 3;
    const session = await createSession(buildForwardGraph(this.model, xs.length).toBytes(), { threads: 1 });
    const image = new Float32Array(xs.length * n);
    for (const [i, x] of xs.entries()) image.set(x, i * n);
    const feeds: Parameters<typeof runSession>[1] = {
      image: { dtype: 'float32', shape: [xs.length, n], data: image },
    };
    for (const p of this.model.params)
      feeds[p.name] = { dtype: 'float32', shape: p.shape, data: this.params.get(p.name)! };
    const out = await runSession(session, feeds, ['logit']);
    await session.release();
    return Array.from(out.logit?.data as Float32Array, (z) => 1 / (1 + Math.exp(-z)));
  }
}
