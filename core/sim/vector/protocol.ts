/** Messages between VectorEnv (main thread) and its env workers. */
import type { JointLimit } from '../../hardware/robot';
import type { ChunkImages, ChunkStep } from '../chunk';
import type { EnvObservation, EnvStep, TaskEnvOptions } from './contract';

export interface EnvSlotSpec extends TaskEnvOptions {
  /** Index of the env in the VectorEnv. */
  index: number;
}

export interface WorkerInit {
  /** Module URL exporting `createTaskEnv`; default: core/sim/env. */
  factoryModule?: string;
  envs: EnvSlotSpec[];
}

/** What a VectorEnv knows about each env without asking its worker. */
export interface EnvMeta {
  taskId: string;
  instruction: string;
  maxSteps: number;
  jointLimits: JointLimit[];
}

/** A reset of one env: to `seed`, then `prefix` replayed (see resetAlong). */
export interface ResetItem {
  index: number;
  seed: number;
  prefix?: number[][];
}

/** An action chunk for one env: see playChunk. */
export interface ChunkItem {
  index: number;
  actions: number[][];
  limit: number;
  images: ChunkImages;
}

export type WorkerRequest =
  | { id: number; op: 'reset'; items: ResetItem[] }
  | { id: number; op: 'step'; items: { index: number; action: number[] }[] }
  | { id: number; op: 'chunk'; items: ChunkItem[] }
  | { id: number; op: 'setTask'; index: number; task: string }
  | { id: number; op: 'close' };

export type WorkerReply =
  | { type: 'ready'; meta: { index: number; meta: EnvMeta }[] }
  | { type: 'init-error'; message: string }
  | { id: number; ok: true; results: EnvObservation[] | EnvStep[] | ChunkStep[][] | EnvMeta | null }
  | { id: number; ok: false; message: string; envIndex?: number };
