import type { Worker } from 'node:worker_threads';
import { startWorker } from '../util/worker';
import type {
  ApiErrorShape,
  CommandArgs,
  CommandName,
  CommandResult,
  EventName,
  EventPayload,
  ServerFrame,
  StudioApi,
} from './contract';
import { ApiError } from './errors';

type Pending = { resolve: (v: unknown) => void; reject: (e: Error) => void };

/** The Studio as seen from a shell: same API, running in its own worker thread. */
export class StudioClient implements StudioApi {
  private nextId = 1;
  private pending = new Map<number, Pending>();
  private listeners = new Map<EventName, Set<(p: unknown) => void>>();
  private anyListeners = new Set<(name: EventName, payload: unknown) => void>();

  private constructor(private readonly worker: Worker) {
    worker.on('message', (frame: ServerFrame) => this.receive(frame));
    worker.on('error', (err) => this.failAll(`The Studio worker crashed: ${err.message}`));
    worker.on('exit', (code) => this.failAll(`The Studio worker exited (code ${code})`));
  }

  /** `workerModule` defaults to the studio-worker beside this file (bundled shells pass its path). */
  static start(shell: 'electron' | 'web' | 'test', version: string, workerModule?: URL): StudioClient {
    const module = workerModule ?? new URL('./studio-worker', import.meta.url);
    const worker = startWorker(module, { workerData: { shell, version } });
    return new StudioClient(worker);
  }

  invoke<C extends CommandName>(command: C, args: CommandArgs<C>): Promise<CommandResult<C>> {
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve: resolve as (v: unknown) => void, reject });
      this.worker.postMessage({ type: 'invoke', id, command, args });
    });
  }

  on<E extends EventName>(event: E, listener: (payload: EventPayload<E>) => void): () => void {
    let set = this.listeners.get(event);
    if (!set) {
      set = new Set();
      this.listeners.set(event, set);
    }
    const l = listener as (p: unknown) => void;
    set.add(l);
    return () => set.delete(l);
  }

  /** Every event, for relays (WebSocket, IPC) that forward all of them. */
  onAny(listener: (name: EventName, payload: unknown) => void): () => void {
    this.anyListeners.add(listener);
    return () => this.anyListeners.delete(listener);
  }

  async close(): Promise<void> {
    const exited = new Promise((r) => this.worker.once('exit', r));
    this.worker.postMessage({ type: 'close' });
    const timeout = setTimeout(() => void this.worker.terminate(), 3000);
    await exited;
    clearTimeout(timeout);
  }

  private receive(frame: ServerFrame): void {
    if (frame.type === 'event') {
      for (const l of this.listeners.get(frame.name) ?? []) l(frame.payload);
      for (const l of this.anyListeners) l(frame.name, frame.payload);
      return;
    }
    const p = this.pending.get(frame.id);
    if (!p) return;
    this.pending.delete(frame.id);
    if (frame.ok) p.resolve(frame.value);
    else p.reject(toApiError(frame.error));
  }

  private failAll(message: string): void {
    for (const p of this.pending.values()) p.reject(new ApiError('failed', message));
    this.pending.clear();
  }
}

function toApiError(e: ApiErrorShape): ApiError {
  return new ApiError(e.code, e.message, e.field);
}
