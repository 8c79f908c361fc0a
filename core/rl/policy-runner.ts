import type * as ort from 'onnxruntime-node';
import { buildForwardGraph } from '../nn/model';
import { createSession, type HostTensor, runSession } from '../nn/runtime';
import { DEFAULT_GREEDY, type GreedyDecoding, sampleTokens } from '../nn/token-sampling';
import { sliceRow } from './grpo/rows';
import type { ChunkDecision } from './grpo/types';
import type { PolicyObservation, PolicyState, TokenPolicy } from './policy';

export interface ActResult {
  /** One decision per observation: model inputs (row), tokens, behaviour log-probs. */
  decisions: ChunkDecision[];
  /** Per observation, joint targets for each chunk step. */
  actions: number[][][];
}

/**
 * Batched policy inference in ONNX Runtime with the parameters fed as inputs, so the same session
 * runs whatever parameters the learner has produced (no rebuild per update). One session per
 * batch size, built on first use.
 */
export class PolicyRunner {
  private sessions = new Map<number, Promise<ort.InferenceSession>>();

  /** `greedy`: how temperature 0 decodes (token-sampling.ts). */
  constructor(
    readonly policy: TokenPolicy,
    private readonly threads?: number,
    readonly greedy: GreedyDecoding = DEFAULT_GREEDY,
  ) {}

  private session(batch: number): Promise<ort.InferenceSession> {
    let s = this.sessions.get(batch);
    if (!s) {
      s = createSession(buildForwardGraph(this.policy.model, batch).toBytes(), { threads: this.threads });
      this.sessions.set(batch, s);
    }
    return s;
  }

  async logits(state: PolicyState, inputs: Record<string, HostTensor>, batch: number): Promise<Float32Array> {
    const feeds: Record<string, HostTensor> = { ...inputs };
    for (const p of this.policy.model.params) {
      const data = state.params.get(p.name);
      if (!data)
        throw new Error(`policy parameters lack "${p.name}"; the checkpoint does not match the policy`);
      feeds[p.name] = { dtype: 'float32', shape: p.shape, data };
    }
    const out = await runSession(await this.session(batch), feeds, [this.policy.logitsOutput]);
    return out[this.policy.logitsOutput]?.data as Float32Array;
  }

  /**
   * Sample (temperature > 0) or decode greedily (temperature 0) one action chunk per observation.
   * `random` is one stream for the whole batch, or one per observation; a `null` stream decodes
   * that observation greedily, with its log-probs at `temperature`.
   */
  async act(
    state: PolicyState,
    obs: readonly PolicyObservation[],
    temperature: number,
    random: (() => number) | readonly ((() => number) | null)[] = Math.random,
  ): Promise<ActResult> {
    const p = this.policy;
    const inputs = p.encode(obs);
    const logits = await this.logits(state, inputs, obs.length);
    const per = p.chunk * p.actionDims;
    const decisions: ChunkDecision[] = [];
    const actions: number[][][] = [];
    obs.forEach((o, i) => {
      const rowLogits = logits.subarray(i * per * p.bins, (i + 1) * per * p.bins);
      const draw = typeof random === 'function' ? random : random[i];
      if (draw === undefined)
        throw new Error(`act: ${random.length} random streams for ${obs.length} observations`);
      const s = sampleTokens(rowLogits, per, p.bins, temperature, draw, this.greedy);
      const row: Record<string, HostTensor> = {};
      for (const [k, t] of Object.entries(inputs)) row[k] = sliceRow(t, i);
      decisions.push({ inputs: row, tokens: s.tokens, behaviourLogp: s.logp });
      actions.push(p.decode(s.tokens, o));
    });
    return { decisions, actions };
  }

  async release(): Promise<void> {
    for (const s of this.sessions.values()) await (await s).release();
    this.sessions.clear();
  }
}
