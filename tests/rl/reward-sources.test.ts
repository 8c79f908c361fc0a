import { describe, expect, it } from 'vitest';
import type { CameraFrame } from '../../core/hardware/robot';
import { rng } from '../../core/nn/model';
import { HumanLabelReward, SimSuccessReward, SuccessDetector } from '../../core/rl/reward';

describe('simulator reward', () => {
  it('is the success predicate, and refuses episodes that did not run in the simulator', async () => {
    const r = new SimSuccessReward();
    expect(await r.reward({ id: 'a', task: 't', instruction: 'i', simSuccess: true })).toBe(1);
    expect(await r.reward({ id: 'b', task: 't', instruction: 'i', simSuccess: false })).toBe(0);
    await expect(r.reward({ id: 'c', task: 't', instruction: 'i' })).rejects.toThrow(/person's label/);
  });
});

describe('human label reward', () => {
  it('waits for the label the UI gives, keeps early labels, and can be cancelled', async () => {
    const h = new HumanLabelReward();
    const seen: number[] = [];
    h.onPending((p) => seen.push(p.length));
    const ep = { id: 'e1', task: 't', instruction: 'i' };
    const p = h.reward(ep);
    expect(h.pending().map((x) => x.episode.id)).toEqual(['e1']);
    expect(h.label('e1', true)).toBe(true);
    expect(await p).toBe(1);
    expect(seen).toEqual([1, 0]);
    // a label given before the episode is asked about
    expect(h.label('e2', false)).toBe(false);
    expect(await h.reward({ ...ep, id: 'e2' })).toBe(0);
    const ac = new AbortController();
    const q = h.reward({ ...ep, id: 'e3' }, ac.signal);
    ac.abort(new Error('session stopped'));
    await expect(q).rejects.toThrow('session stopped');
    expect(h.pending()).toEqual([]);
  });
});

/** 32x32 noisy table; successful episodes show a red block somewhere. */
function frame(success: boolean, rand: () => number): Record<string, CameraFrame> {
  const w = 32;
  const data = new Uint8Array(w * w * 3);
  for (let i = 0; i < data.length; i++) data[i] = 90 + Math.floor(rand() * 60);
  if (success) {
    const x0 = Math.floor(rand() * 20);
    const y0 = Math.floor(rand() * 20);
    for (let y = y0; y < y0 + 12; y++)
      for (let x = x0; x < x0 + 12; x++) {
        data[(y * w + x) * 3] = 230;
        data[(y * w + x) * 3 + 1] = 20;
        data[(y * w + x) * 3 + 2] = 20;
      }
  }
  return { front: { width: w, height: w, data } };
}

describe('learned success detector', () => {
  it('learns from labelled final frames, reports held-out precision/recall, and labels on its own only when allowed and good', async () => {
    const rand = rng(4);
    const human = new HumanLabelReward();
    const det = new SuccessDetector({ human, minHeldOut: 8 });
    const ep = (id: string, success: boolean) => ({
      id,
      task: 't',
      instruction: 'i',
      finalImages: frame(success, rand),
    });
    // before training, the person is asked, and the answer becomes a label
    const asked = det.reward(ep('first', true));
    human.label('first', true);
    expect(await asked).toBe(1);
    expect(det.labelCount).toBe(1);
    expect(() => det.setAutoLabel(true)).toThrow(/Train the success detector/);
    for (let i = 0; i < 47; i++) det.addLabel(frame(i % 2 === 0, rand), i % 2 === 0);
    const q = await det.train(300, 1e-2);
    expect(q.heldOut).toBe(12);
    expect(q.precision).toBeGreaterThanOrEqual(0.9);
    expect(q.recall).toBeGreaterThanOrEqual(0.8);
    det.setAutoLabel(true);
    // now it labels without asking the person, and mostly right on fresh episodes
    let right = 0;
    for (let i = 0; i < 10; i++) {
      const e = ep(`auto-${i}`, i % 2 === 0);
      const r = await det.reward(e);
      expect(r).toBe((det.proposal(e.id) as number) >= 0.5 ? 1 : 0);
      if (r === (i % 2 === 0 ? 1 : 0)) right++;
    }
    expect(right).toBeGreaterThanOrEqual(8);
    expect(human.pending()).toEqual([]);
    // the person overrules: the correction becomes a training label
    det.overrule(ep('auto-1', true), true);
    expect(det.labelCount).toBe(49);
  }, 60_000);

  it('is refused auto-labelling when its labels carry no signal', async () => {
    const rand = rng(5);
    const det = new SuccessDetector({ human: new HumanLabelReward() });
    for (let i = 0; i < 40; i++) det.addLabel(frame(false, rand), rand() < 0.5);
    const q = await det.train(100);
    expect(q.precision < 0.9 || q.recall < 0.8).toBe(true);
    expect(() => det.setAutoLabel(true)).toThrow(/not good enough/);
  }, 60_000);
});
