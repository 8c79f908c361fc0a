import type { CommandName, EventName } from './contract';

/**
 * The contract's command and event names without its schemas, for the sandboxed preload (which
 * should not carry zod). tests/api/names.test.ts keeps these equal to the schemas' keys.
 */
export const COMMAND_NAMES = [
  'app.info',
  'robot.backends',
  'sim.tasks',
  'robot.connect',
  'robot.disconnect',
  'robot.status',
  'robot.move',
  'robot.estop',
  'robot.release',
  'serial.ports',
  'serial.virtualStart',
  'serial.virtualSweep',
  'calibrate.start',
  'calibrate.setMiddle',
  'calibrate.finish',
  'calibrate.cancel',
  'ros.presets',
  'ros.serveSim',
  'ros.stopSim',
  'sim.reset',
  'sim.expert',
  'record.open',
  'record.start',
  'record.end',
  'record.discard',
  'record.status',
  'datasets.list',
  'episodes.list',
  'episodes.get',
  'episodes.video',
  'episodes.label',
  'episodes.delete',
  'train.sft',
  'train.eval',
  'train.cancel',
  'runs.list',
  'runs.metrics',
  'pushcuts.analyze',
  'jobs.list',
  'logs.recent',
] as const satisfies readonly CommandName[];

export const EVENT_NAMES = [
  'observation',
  'connection',
  'metrics',
  'log',
  'job',
  'recording',
  'train',
  'calibration',
] as const satisfies readonly EventName[];
