/** The embedded simulator's public surface (the SimRobot adapter lives in core/hardware/sim). */
export {
  CAMERA_NAMES,
  createTaskEnv,
  DEFAULT_CAMERA_SIZE,
  DEFAULT_CONTROL_HZ,
  type EnvObservation,
  type EnvStep,
  HOME_STATE,
  listTasks,
  MujocoTaskEnv,
  SIM_JOINT_LIMITS,
  type StepInfo,
  type TaskEnv,
  type TaskEnvOptions,
  taskMjcf,
} from './env';
export { type ExpertEvaluation, evaluateExpert, evaluateExpertsInWorkers } from './experts/evaluate';
export {
  type EpisodeFrame,
  type Expert,
  type ExpertEpisode,
  type ExpertOptions,
  type ExpertStyle,
  expertFor,
  NOMINAL_STYLE,
  PushingExpert,
  runExpertEpisode,
  sampleStyle,
} from './experts/index';
export { forwardKinematics, solveTopDownIk } from './kinematics';
export { getMujoco, loadMjcf, MjcfError } from './mujoco';
export { getTask, TASKS } from './tasks/suite';
export type { TaskDef } from './tasks/types';
