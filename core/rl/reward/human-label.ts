import type { Reward, RewardEpisode, RewardSource } from './types';

export interface PendingLabel {
  episode: RewardEpisode;
  since: number;
}

/**
 * Reward from a person: `reward()` waits until the UI calls `label(id, success)` (a key press,
 * a pedal, a button). A label that arrives before the episode is asked about is kept.
 */
export class HumanLabelReward implements RewardSource {
  readonly kind = 'human';
  private waiting = new Map<
    string,
    { episode: RewardEpisode; since: number; resolve: (r: Reward) => void }
  >();
  private early = new Map<string, Reward>();
  private listeners = new Set<(pending: PendingLabel[]) => void>();

  reward(episode: RewardEpisode, signal?: AbortSignal): Promise<Reward> {
    const given = this.early.get(episode.id);
    if (given !== undefined) {
      this.early.delete(episode.id);
      return Promise.resolve(given);
    }
    if (this.waiting.has(episode.id)) throw new Error(`Episode ${episode.id} is already waiting for a label`);
    return new Promise<Reward>((resolve, reject) => {
      const onAbort = () => {
        this.waiting.delete(episode.id);
        this.emit();
        reject(signal?.reason ?? new Error('Labelling was cancelled'));
      };
      if (signal?.aborted) return onAbort();
      signal?.addEventListener('abort', onAbort, { once: true });
      this.waiting.set(episode.id, {
        episode,
        since: Date.now(),
        resolve: (r) => {
          signal?.removeEventListener('abort', onAbort);
          resolve(r);
        },
      });
      this.emit();
    });
  }

  /** Called by the API when the person labels an episode. Returns false if it was labelled in advance. */
  label(episodeId: string, success: boolean): boolean {
    const r: Reward = success ? 1 : 0;
    const w = this.waiting.get(episodeId);
    if (!w) {
      this.early.set(episodeId, r);
      return false;
    }
    this.waiting.delete(episodeId);
    w.resolve(r);
    this.emit();
    return true;
  }

  pending(): PendingLabel[] {
    return [...this.waiting.values()].map((w) => ({ episode: w.episode, since: w.since }));
  }

  /** Called whenever the set of episodes awaiting a label changes (the UI shows the prompt). */
  onPending(listener: (pending: PendingLabel[]) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private emit(): void {
    const p = this.pending();
    for (const l of this.listeners) l(p);
  }
}
