/**
 * The task-environment contract VectorEnv hosts (implemented by core/sim/env.ts). Kept here as a
 * copy until that module lands, so the worker protocol can be built and tested against it.
 */
import type { CameraFrame, JointLimit } from '../../hardware/robot';

export interface TaskEnvOptions {
  task: string;
  cameras?: { width: number; height: number } | false;
  controlHz?: number;
}
export interface EnvObservation {
  state: number[];
  images: Record<string, CameraFrame>;
}
export interface StepInfo {
  eePos: [number, number, number];
  gripper: number;
  objects: Record<string, [number, number, number]>;
  graspContact: boolean;
  objectContacts: string[];
}
export interface EnvStep {
  obs: EnvObservation;
  success: boolean;
  info: StepInfo;
}
export interface TaskEnv {
  readonly taskId: string;
  readonly instruction: string;
  readonly maxSteps: number;
  readonly jointLimits: JointLimit[];
  reset(seed: number): EnvObservation;
  step(action: number[]): EnvStep;
  success(): boolean;
  info(): StepInfo;
  close(): void;
}
export type CreateTaskEnv = (opts: TaskEnvOptions) => Promise<TaskEnv>;
