/**
 * N task environments stepped in worker threads: batched actions in, batched observations out.
 *
 * Envs are dealt round-robin over the workers; each worker steps its envs in sequence and answers
 * with one message per call, image buffers transferred rather than copied. Results always come back
 * in env order. A worker that dies rejects the pending call with an error naming its envs, makes the
 * VectorEnv unusable (close it and create a new one), and close() still returns promptly.
 *
 *   const v = await VectorEnv.create({ envs: { task: 'lift_red_cube', count: 8 }, workers: 2 });
 *   const obs = await v.reset([1, 2, 3, 4, 5, 6, 7, 8]);        // EnvObservation[8]
 *   const steps = await v.step(obs.map((o) => o.state));         // EnvStep[8], env order
 *   await v.reset([9], [3]);                                     // reset env 3 only
 *   await v.close();
 */
import { availableParallelism } from 'node:os';
import type { Worker } from 'node:worker_threads';
import { startWorker } from '../../util/worker';
import type { ChunkImages, ChunkStep } from '../chunk';
import type { EnvObservation, EnvStep, TaskEnvOptions } from './contract';
import type {
  ChunkItem,
  EnvMeta,
  EnvSlotSpec,
  ResetItem,
  WorkerInit,
  WorkerReply,
  WorkerRequest,
} from './protocol';

export type { EnvMeta } from './protocol';

export interface VectorEnvSpec {
  task: string;
  controlHz?: number;
}

export interface VectorEnvOptions {
  /** One spec per env, or `count` copies of one task. */
  envs: VectorEnvSpec[] | (VectorEnvSpec & { count: number });
  /** Worker threads (default: available CPU cores), never more than envs. */
  workers?: number;
  /** Camera size for every env, or false for state-only observations (default: the env's own, 64x64). */
  cameras?: { width: number; height: number } | false;
  /** Every env's TaskEnvOptions.layoutSpread (LIBERO-style layouts); default: random layouts. */
  layoutSpread?: number;
  /** Module URL exporting `createTaskEnv` (default: core/sim/env). Tests pass a small probe env. */
  factoryModule?: string | URL;
}

const CLOSE_GRACE_MS = 2000;
/** Pending-call id of a worker's startup (env creation). */
const INIT_ID = 0;

type Pending = { resolve: (value: unknown) => void; reject: (err: Error) => void };

class WorkerHandle {
  readonly pending = new Map<number, Pending>();
  exited = false;
  constructor(
    readonly id: number,
    readonly worker: Worker,
    /** Global env indices hosted by this worker. */
    readonly envs: number[],
  ) {}

  describe(): string {
    return `Simulation worker ${this.id} (envs ${this.envs.join(', ')})`;
  }
}

export class VectorEnv {
  private nextId = 1;
  private broken: Error | null = null;
  private closed = false;
  private closing: Promise<void> | null = null;

  private constructor(
    private readonly handles: WorkerHandle[],
    /** Worker hosting each env. */
    private readonly owner: WorkerHandle[],
    private readonly metas: EnvMeta[],
  ) {}

  /** Start the workers and create every env in them. Rejects if any env cannot be created. */
  static async create(opts: VectorEnvOptions): Promise<VectorEnv> {
    const specs: VectorEnvSpec[] = Array.isArray(opts.envs)
      ? opts.envs
      : Array.from({ length: opts.envs.count }, () => {
          const { count: _count, ...spec } = opts.envs as VectorEnvSpec & { count: number };
          return spec;
        });
    if (!Array.isArray(opts.envs) && !(Number.isInteger(opts.envs.count) && opts.envs.count > 0)) {
      throw new Error(`VectorEnv: count must be a positive whole number of envs, got ${opts.envs.count}.`);
    }
    if (specs.length === 0) throw new Error('VectorEnv needs at least one env (envs: [] given).');
    if (opts.workers !== undefined && !(Number.isInteger(opts.workers) && opts.workers > 0)) {
      throw new Error(`VectorEnv: workers must be a positive whole number, got ${opts.workers}.`);
    }
    const nWorkers = Math.min(specs.length, opts.workers ?? availableParallelism());
    const perWorker: EnvSlotSpec[][] = Array.from({ length: nWorkers }, () => []);
    specs.forEach((spec, index) => {
      const slot: EnvSlotSpec = { index, task: spec.task };
      if (opts.cameras !== undefined) slot.cameras = opts.cameras;
      if (opts.layoutSpread !== undefined) slot.layoutSpread = opts.layoutSpread;
      if (spec.controlHz !== undefined) slot.controlHz = spec.controlHz;
      perWorker[index % nWorkers]?.push(slot);
    });
    const factoryModule = opts.factoryModule === undefined ? undefined : String(opts.factoryModule);

    const handles: WorkerHandle[] = [];
    const owner: WorkerHandle[] = new Array(specs.length);
    const metas: EnvMeta[] = new Array(specs.length);
    const ready: Promise<void>[] = [];
    for (let w = 0; w < nWorkers; w++) {
      const envs = perWorker[w] ?? [];
      const init: WorkerInit = { envs };
      if (factoryModule) init.factoryModule = factoryModule;
      const worker = startWorker(new URL('./env-worker', import.meta.url), { workerData: init });
      const handle = new WorkerHandle(
        w,
        worker,
        envs.map((e) => e.index),
      );
      handles.push(handle);
      for (const e of envs) owner[e.index] = handle;
      ready.push(
        new Promise<unknown>((resolve, reject) => handle.pending.set(INIT_ID, { resolve, reject })).then(
          (meta) => {
            for (const m of meta as { index: number; meta: EnvMeta }[]) metas[m.index] = m.meta;
          },
        ),
      );
    }
    const vec = new VectorEnv(handles, owner, metas);
    for (const h of handles) vec.attach(h);
    try {
      await Promise.all(ready);
    } catch (err) {
      await vec.close();
      throw err;
    }
    return vec;
  }

  /** Number of envs. */
  get size(): number {
    return this.metas.length;
  }

  /** Task id, instruction, step budget and joint limits of each env, in env order. */
  get envs(): readonly EnvMeta[] {
    return this.metas;
  }

  get workerCount(): number {
    return this.handles.length;
  }

  /** Worker threads still running (0 after close()). */
  liveWorkers(): number {
    return this.handles.filter((h) => !h.exited).length;
  }

  /**
   * Reset envs by seed. With `indices`, reset only those envs (seeds[k] goes to env indices[k]);
   * otherwise seeds[i] goes to env i. Observations come back in the same order as the seeds.
   * `prefixes[k]`, when given, is replayed after the reset (see resetAlong).
   */
  async reset(
    seeds: number[],
    indices?: number[],
    prefixes?: (number[][] | undefined)[],
  ): Promise<EnvObservation[]> {
    const targets = this.targets(seeds.length, indices, 'reset', 'seeds');
    return this.scatter<EnvObservation>('reset', targets, (k) => ({
      seed: seeds[k] as number,
      prefix: prefixes?.[k],
    }));
  }

  /** Step envs with one action each (actions[i] for env i, or for env indices[i]). */
  async step(actions: number[][], indices?: number[]): Promise<EnvStep[]> {
    const targets = this.targets(actions.length, indices, 'step', 'actions');
    return this.scatter<EnvStep>('step', targets, (k) => ({ action: actions[k] as number[] }));
  }

  /**
   * Execute one action chunk per listed env, each in a single worker round trip: env indices[k]
   * plays actions[k] open-loop, stopping early on success or after limits[k] steps. Returns each
   * env's executed steps; with images 'last' only the final step carries camera frames.
   */
  async stepChunk(
    actions: number[][][],
    indices: number[],
    limits: number[],
    images: ChunkImages,
  ): Promise<ChunkStep[][]> {
    const targets = this.targets(actions.length, indices, 'stepChunk', 'chunks');
    if (limits.length !== actions.length) {
      throw new Error(`VectorEnv.stepChunk: ${actions.length} chunks but ${limits.length} step limits.`);
    }
    return this.scatter<ChunkStep[]>('chunk', targets, (k) => ({
      actions: actions[k] as number[][],
      limit: limits[k] as number,
      images,
    }));
  }

  /** Replace env i with a fresh env of another task (same camera and control settings). */
  async setTask(index: number, task: string): Promise<EnvMeta> {
    this.usable();
    const handle = this.owner[this.checkIndex(index)] as WorkerHandle;
    const meta = (await this.request(handle, { op: 'setTask', index, task })) as EnvMeta;
    this.metas[index] = meta;
    return meta;
  }

  /** Close every env and stop the workers. Safe to call more than once; never hangs. */
  close(): Promise<void> {
    this.closing ??= this.shutdown();
    return this.closing;
  }

  private async shutdown(): Promise<void> {
    this.closed = true;
    await Promise.all(
      this.handles.map(async (h) => {
        if (!h.exited) {
          const id = this.nextId++;
          const done = new Promise<void>((resolve) => {
            const timer = setTimeout(resolve, CLOSE_GRACE_MS);
            h.pending.set(id, {
              resolve: () => {
                clearTimeout(timer);
                resolve();
              },
              reject: () => {
                clearTimeout(timer);
                resolve();
              },
            });
            h.worker.once('exit', () => {
              clearTimeout(timer);
              resolve();
            });
          });
          try {
            h.worker.ref();
            h.worker.postMessage({ id, op: 'close' } satisfies WorkerRequest);
            await done;
          } catch {
            // The worker is already gone; terminate() below is enough.
          }
        }
        this.rejectAll(h, new Error('VectorEnv was closed while this call was running.'));
        await h.worker.terminate();
        h.exited = true;
      }),
    );
  }

  private attach(h: WorkerHandle): void {
    h.worker.on('message', (msg: WorkerReply) => {
      if ('type' in msg) {
        const p = h.pending.get(INIT_ID);
        h.pending.delete(INIT_ID);
        if (msg.type === 'ready') p?.resolve(msg.meta);
        else p?.reject(new Error(`${h.describe()} could not create its envs: ${msg.message}`));
        if (h.pending.size === 0) h.worker.unref();
        return;
      }
      const p = h.pending.get(msg.id);
      if (!p) return;
      h.pending.delete(msg.id);
      if (h.pending.size === 0) h.worker.unref();
      if (msg.ok) p.resolve(msg.results);
      else {
        const where =
          msg.envIndex === undefined
            ? h.describe()
            : `Env ${msg.envIndex} (${this.metas[msg.envIndex]?.taskId})`;
        const rest = msg.envIndex === undefined ? '' : ' (every other env in this call completed it)';
        p.reject(new Error(`${where}: ${msg.message}${rest}`));
      }
    });
    h.worker.on('error', (err) => this.fail(h, `crashed: ${err.message}`));
    h.worker.on('messageerror', (err) =>
      this.fail(h, `sent a message that could not be read: ${err.message}`),
    );
    h.worker.on('exit', (code) => {
      h.exited = true;
      if (!this.closed) this.fail(h, `exited unexpectedly with code ${code}`);
    });
  }

  private fail(h: WorkerHandle, what: string): void {
    const err = new Error(
      `${h.describe()} ${what}. This VectorEnv can no longer step; close() it and create a new one.`,
    );
    if (this.closed) return;
    this.broken ??= err;
    this.rejectAll(h, err);
  }

  private rejectAll(h: WorkerHandle, err: Error): void {
    const pending = [...h.pending.values()];
    h.pending.clear();
    for (const p of pending) p.reject(err);
  }

  private usable(): void {
    if (this.closed) throw new Error('VectorEnv is closed; create a new one.');
    if (this.broken) throw this.broken;
  }

  private checkIndex(i: number): number {
    if (!Number.isInteger(i) || i < 0 || i >= this.size) {
      throw new Error(`Env index ${i} is out of range: this VectorEnv has envs 0..${this.size - 1}.`);
    }
    return i;
  }

  private targets(n: number, indices: number[] | undefined, op: string, what: string): number[] {
    if (!indices) {
      if (n !== this.size) throw new Error(`VectorEnv.${op}: got ${n} ${what} for ${this.size} envs.`);
      return Array.from({ length: n }, (_, i) => i);
    }
    if (indices.length !== n) throw new Error(`VectorEnv.${op}: ${n} ${what} but ${indices.length} indices.`);
    if (new Set(indices).size !== indices.length) throw new Error(`VectorEnv.${op}: indices repeat an env.`);
    return indices.map((i) => this.checkIndex(i));
  }

  private async scatter<T>(
    op: 'reset' | 'step' | 'chunk',
    targets: number[],
    item: (k: number) => Omit<ResetItem, 'index'> | { action: number[] } | Omit<ChunkItem, 'index'>,
  ): Promise<T[]> {
    this.usable();
    const byWorker = new Map<WorkerHandle, { ks: number[]; items: ({ index: number } & object)[] }>();
    targets.forEach((index, k) => {
      const h = this.owner[index] as WorkerHandle;
      let batch = byWorker.get(h);
      if (!batch) {
        batch = { ks: [], items: [] };
        byWorker.set(h, batch);
      }
      batch.ks.push(k);
      batch.items.push({ index, ...item(k) });
    });
    const out: T[] = new Array(targets.length);
    await Promise.all(
      [...byWorker].map(async ([h, batch]) => {
        const results = (await this.request(h, { op, items: batch.items } as WorkerRequestBody)) as T[];
        batch.ks.forEach((k, j) => {
          out[k] = results[j] as T;
        });
      }),
    );
    return out;
  }

  private request(h: WorkerHandle, body: WorkerRequestBody): Promise<unknown> {
    if (h.exited) return Promise.reject(this.broken ?? new Error(`${h.describe()} has exited.`));
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      h.pending.set(id, { resolve, reject });
      h.worker.ref();
      h.worker.postMessage({ id, ...body } as WorkerRequest);
    });
  }
}

type WorkerRequestBody = WorkerRequest extends infer R
  ? R extends { id: number }
    ? Omit<R, 'id'>
    : never
  : never;

export type { EnvObservation, EnvStep, TaskEnvOptions };
