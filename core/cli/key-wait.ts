import type { RecordingSession } from '../data/recorder';
import type { ControlLoop } from '../hardware/control-loop';
import type { Key, KeyReader } from './keys';

export type Waited<T extends string> = T | 'timeout' | 'interrupt';

/**
 * Wait for one of `accept`'s keys (mapped to its meaning), the time limit (`ms`, Infinity for
 * none) or Ctrl-C. Other keys are ignored; once input ends only the clock and Ctrl-C count.
 */
export async function waitForKey<T extends string>(
  keys: KeyReader,
  accept: Partial<Record<Key, T>>,
  ms: number,
  signal: AbortSignal,
  /** Keys that are not in `accept` (e.g. keyboard jogging). */
  onOther?: (key: Key) => void,
): Promise<Waited<T>> {
  const deadline = performance.now() + ms;
  const aborted = new Promise<'interrupt'>((resolve) => {
    if (signal.aborted) resolve('interrupt');
    signal.addEventListener('abort', () => resolve('interrupt'), { once: true });
  });
  let inputEnded = false;
  for (;;) {
    if (signal.aborted) return 'interrupt';
    const left = deadline - performance.now();
    if (left <= 0) return 'timeout';
    const wait = Number.isFinite(left) ? left : undefined;
    const k = inputEnded
      ? await Promise.race([
          aborted,
          new Promise<'timeout'>((r) => setTimeout(() => r('timeout'), wait ?? 2 ** 30)),
        ])
      : await Promise.race([aborted, keys.next(wait)]);
    if (k === 'interrupt') return 'interrupt';
    if (k === 'timeout') return 'timeout';
    if (k === null) {
      inputEnded = true;
      continue;
    }
    const meaning = accept[k];
    if (meaning) return meaning;
    onOther?.(k);
  }
}

/** Record every control tick into the open episode of `rec` (frames at the loop's rate). */
export function recordTicks(loop: ControlLoop, rec: RecordingSession): () => void {
  return loop.onTick((t) => {
    if (rec.progress().state !== 'recording') return;
    rec.addFrame({
      state: t.obs.state,
      action: t.commanded ?? t.raw ?? t.obs.state,
      images: t.obs.images,
    });
  });
}
