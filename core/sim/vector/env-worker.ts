/**
 * Worker thread hosting several task environments for a VectorEnv. It steps its envs one after the
 * other and answers each request with all their results in one message; image bytes travel as
 * transferred ArrayBuffers (one copy out of the env, none across the thread boundary).
 */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { isMainThread, parentPort, workerData } from 'node:worker_threads';
import type { CameraFrame } from '../../hardware/robot';
import { type ChunkStep, playChunk, resetAlong } from '../chunk';
import { createTaskEnv } from '../env';
import type { CreateTaskEnv, EnvObservation, EnvStep, TaskEnv, TaskEnvOptions } from './contract';
import type { EnvMeta, WorkerInit, WorkerReply, WorkerRequest } from './protocol';

if (isMainThread || !parentPort)
  throw new Error('env-worker.ts runs only as a worker thread started by VectorEnv.');
const port = parentPort;
const init = workerData as WorkerInit;
const envs = new Map<number, { env: TaskEnv; opts: TaskEnvOptions }>();

const metaOf = (env: TaskEnv): EnvMeta => ({
  taskId: env.taskId,
  instruction: env.instruction,
  maxSteps: env.maxSteps,
  jointLimits: env.jointLimits,
});

/** An extensionless file URL names a .js module in the built app and a .ts source in development. */
function resolveModule(url: string): string {
  if (!url.startsWith('file:') || /\.[cm]?[jt]s$/.test(url)) return url;
  for (const ext of ['.js', '.ts']) if (existsSync(fileURLToPath(url + ext))) return url + ext;
  return url;
}

async function loadFactory(): Promise<CreateTaskEnv> {
  if (!init.factoryModule) return createTaskEnv;
  const url = resolveModule(init.factoryModule);
  const mod = (await import(url)) as { createTaskEnv?: CreateTaskEnv };
  if (typeof mod.createTaskEnv !== 'function') {
    throw new Error(`Env module ${url} does not export createTaskEnv(opts).`);
  }
  return mod.createTaskEnv;
}

/** Copy each frame into its own buffer (the env may reuse its own) and list it for transfer. */
function detachImages(obs: EnvObservation, transfer: ArrayBuffer[]): EnvObservation {
  const images: Record<string, CameraFrame> = {};
  for (const [name, frame] of Object.entries(obs.images)) {
    const data = frame.data.slice();
    transfer.push(data.buffer);
    images[name] = { width: frame.width, height: frame.height, data };
  }
  return { state: obs.state, images };
}

function envAt(index: number): TaskEnv {
  const slot = envs.get(index);
  if (!slot) throw new Error(`Env ${index} is not hosted by this worker.`);
  return slot.env;
}

/**
 * Run one call on every listed env, even when one of them throws, so that every env without an
 * error has advanced exactly once; the first error is reported.
 */
function eachEnv<I extends { index: number }, R>(
  items: I[],
  fn: (item: I) => R,
): { results: R[]; error?: EnvError } {
  const results: R[] = [];
  let error: EnvError | undefined;
  for (const item of items) {
    try {
      results.push(fn(item));
    } catch (err) {
      error ??= { index: item.index, message: err instanceof Error ? err.message : String(err) };
    }
  }
  return error ? { results, error } : { results };
}

interface EnvError {
  index: number;
  message: string;
}

function reply(id: number, out: { results: unknown[]; error?: EnvError }, transfer: ArrayBuffer[]): void {
  if (out.error) {
    port.postMessage({
      id,
      ok: false,
      message: out.error.message,
      envIndex: out.error.index,
    } satisfies WorkerReply);
  } else {
    port.postMessage(
      {
        id,
        ok: true,
        results: out.results as EnvObservation[] | EnvStep[] | ChunkStep[][],
      } satisfies WorkerReply,
      transfer,
    );
  }
}

async function handle(req: WorkerRequest, create: CreateTaskEnv): Promise<void> {
  const transfer: ArrayBuffer[] = [];
  let current: number | undefined;
  try {
    switch (req.op) {
      case 'reset': {
        const results = eachEnv(req.items, ({ index, seed, prefix }) =>
          detachImages(resetAlong(envAt(index), seed, prefix), transfer),
        );
        reply(req.id, results, transfer);
        return;
      }
      case 'step': {
        const results = eachEnv(req.items, ({ index, action }): EnvStep => {
          const s = envAt(index).step(action);
          return { obs: detachImages(s.obs, transfer), success: s.success, info: s.info };
        });
        reply(req.id, results, transfer);
        return;
      }
      case 'chunk': {
        const results = eachEnv(req.items, ({ index, actions, limit, images }) =>
          playChunk(envAt(index), actions, limit, images).map((s) => ({
            obs: detachImages(s.obs, transfer),
            success: s.success,
          })),
        );
        reply(req.id, results, transfer);
        return;
      }
      case 'setTask': {
        current = req.index;
        const slot = envs.get(req.index);
        if (!slot) throw new Error(`Env ${req.index} is not hosted by this worker.`);
        const opts = { ...slot.opts, task: req.task };
        const env = await create(opts);
        slot.env.close();
        envs.set(req.index, { env, opts });
        port.postMessage({ id: req.id, ok: true, results: metaOf(env) } satisfies WorkerReply);
        return;
      }
      case 'close': {
        for (const { env } of envs.values()) env.close();
        envs.clear();
        port.postMessage({ id: req.id, ok: true, results: null } satisfies WorkerReply);
        return;
      }
    }
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    port.postMessage({ id: req.id, ok: false, message, envIndex: current } satisfies WorkerReply);
  }
}

async function start(): Promise<CreateTaskEnv | null> {
  try {
    const create = await loadFactory();
    const meta: { index: number; meta: EnvMeta }[] = [];
    for (const spec of init.envs) {
      const { index, ...opts } = spec;
      const env = await create(opts);
      envs.set(index, { env, opts });
      meta.push({ index, meta: metaOf(env) });
    }
    port.postMessage({ type: 'ready', meta } satisfies WorkerReply);
    return create;
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    port.postMessage({ type: 'init-error', message } satisfies WorkerReply);
    return null;
  }
}

// Requests are handled strictly in order, after startup: each env sees its calls in call order.
const started = start();
let queue: Promise<unknown> = started;
port.on('message', (req: WorkerRequest) => {
  queue = queue.then(async () => {
    const create = await started;
    if (create) return handle(req, create);
    if (req.op === 'close') {
      for (const { env } of envs.values()) env.close();
      envs.clear();
      port.postMessage({ id: req.id, ok: true, results: null } satisfies WorkerReply);
    } else port.postMessage({ id: req.id, ok: false, message: 'envs failed to start' } satisfies WorkerReply);
  });
});
