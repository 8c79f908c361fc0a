import type { Worker } from 'node:worker_threads';
import type { ParamValues } from '../../nn/model';
import { startWorker } from '../../util/worker';
import type { TokenPolicy } from '../policy';
import type { TrainingRow } from './batch';
import type { RolloutGroup } from './types';
import type { GrpoUpdateConfig, PolicyUpdater, UpdateMetrics } from './update';
import type { UpdaterReply, UpdaterRequest, UpdaterWorkerData } from './updater-protocol';

type Pending = { resolve: (m: UpdaterReply) => void; reject: (e: Error) => void };
/** A request before `call` numbers it (Omit over each member of the union). */
type Request = UpdaterRequest extends infer R ? (R extends unknown ? Omit<R, 'id'> : never) : never;

/**
 * GrpoUpdater in a worker thread of its own. ONNX Runtime's `run` holds the calling thread for
 * the whole training step, so an update in the thread that plays the policy would stall rollouts
 * and control loops; here they go on while the update trains, and the new weights arrive with
 * the update's result.
 */
export class ThreadedGrpoUpdater implements PolicyUpdater {
  private nextId = 0;
  private readonly waiting = new Map<number, Pending>();
  private failure: Error | null = null;

  private constructor(
    private readonly worker: Worker,
    public params: ParamValues,
    public temperature: number,
  ) {}

  static async create(
    policy: TokenPolicy,
    params: ParamValues,
    config: GrpoUpdateConfig = {},
  ): Promise<ThreadedGrpoUpdater> {
    if (!policy.spec) {
      throw new Error(
        `Policy "${policy.model.name}" cannot be rebuilt in a worker thread: it has no spec. Build it with tinyVlaTokenPolicy, stateMlpPolicy or buildPolicy, or run updates in this thread (GrpoUpdater).`,
      );
    }
    const workerData: UpdaterWorkerData = { policy: policy.spec, params, config };
    const worker = startWorker(new URL('./updater-worker', import.meta.url), { workerData });
    const updater = new ThreadedGrpoUpdater(worker, new Map(params), 0);
    const ready = updater.listen();
    try {
      updater.temperature = await ready;
    } catch (err) {
      await worker.terminate();
      throw err;
    }
    return updater;
  }

  async update(
    groups: readonly RolloutGroup[],
    random: () => number = Math.random,
    extra: readonly TrainingRow[] = [],
  ): Promise<UpdateMetrics> {
    const seed = Math.floor(random() * 2 ** 32);
    const reply = await this.call({ type: 'update', groups, seed, extra });
    if (reply.type !== 'updated') throw new Error(`GRPO update worker answered "${reply.type}" to an update`);
    this.params = reply.params;
    return reply.metrics;
  }

  async save(path: string, meta: Record<string, unknown>): Promise<void> {
    await this.call({ type: 'save', path, meta });
  }

  async restore(path: string): Promise<Record<string, unknown>> {
    const reply = await this.call({ type: 'restore', path });
    if (reply.type !== 'restored')
      throw new Error(`GRPO update worker answered "${reply.type}" to a restore`);
    this.params = reply.params;
    return reply.meta;
  }

  async release(): Promise<void> {
    this.fail(new Error('GRPO update worker released'));
    await this.worker.terminate();
  }

  private call(req: Request): Promise<UpdaterReply> {
    if (this.failure) return Promise.reject(this.failure);
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.waiting.set(id, { resolve, reject });
      this.worker.postMessage({ ...req, id } as UpdaterRequest);
    });
  }

  /** Route replies to their callers; resolves with the temperature once the worker is ready. */
  private listen(): Promise<number> {
    return new Promise((resolveReady, rejectReady) => {
      this.worker.on('message', (m: UpdaterReply) => {
        if (m.type === 'ready') return resolveReady(m.temperature);
        if (m.id === undefined) {
          const err = new Error(`GRPO update worker failed to start: ${'message' in m ? m.message : m.type}`);
          rejectReady(err);
          return this.fail(err);
        }
        const p = this.waiting.get(m.id);
        this.waiting.delete(m.id);
        if (m.type === 'error') p?.reject(new Error(m.message));
        else p?.resolve(m);
      });
      const stop = (why: string) => {
        const err = new Error(
          `GRPO update worker stopped (${why}); the run resumes from its last checkpoint`,
        );
        rejectReady(err);
        this.fail(err);
      };
      this.worker.on('error', (e) => stop(e.message));
      this.worker.on('exit', (code) => stop(`exit code ${code}`));
    });
  }

  private fail(err: Error): void {
    this.failure ??= err;
    for (const p of this.waiting.values()) p.reject(err);
    this.waiting.clear();
  }
}
