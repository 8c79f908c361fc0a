import { appendFileSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import type { TinyVlaConfig } from '../../../models/tiny-vla/config';
import type { ParamValues } from '../../nn/model';
import { CliError } from '../errors';
import { waitForKey } from '../key-wait';
import { openKeys } from '../keys';
import { interruptSignal } from '../progress';
import { openHardwareRobot, openLeader, type RobotFlags } from '../robot';
import { type RobotRlEpisode, type RobotRlUpdate, writeRobotRlReport } from '../robot-rl-report';
import { requireCameras } from './eval-hardware';

export interface HardwareRlFlags extends RobotFlags {
  from: string;
  out: string;
  task?: string;
  updates: number;
  episodes?: number;
  groupSize?: number;
  groupsPerUpdate?: number;
  temperature?: number;
  timeLimit?: number;
  lr?: number;
  leader?: string;
  leaderCalibration?: string;
  leaderId: string;
  cameraSize?: number;
}

function sftConfig(dir: string): TinyVlaConfig {
  const sidecar = join(dir, 'policy.json');
  if (!existsSync(sidecar))
    throw new CliError(`${dir} is not an SFT run folder (no policy.json): run \`pushcut train sft\` first`);
  const config = (JSON.parse(readFileSync(sidecar, 'utf8')) as { extra?: { config?: TinyVlaConfig } }).extra
    ?.config;
  if (!config) throw new CliError(`${sidecar} has no tiny-vla config: export the policy again`);
  return config;
}

const KEYS =
  'Enter / b = scene reset done · s / f = success / failure · t = take over · Space = e-stop · q = stop and keep';

/**
 * GRPO on a physical arm in the terminal (RobotRlSession): the person resets the scene, the
 * policy runs through the control loop, the person labels each episode; an update runs in the
 * background once a group with mixed outcomes is in. Each update's weights are checkpointed and
 * every episode is recorded, so Ctrl-C or q keeps all finished work.
 */
export async function rlOnHardware(opts: HardwareRlFlags): Promise<void> {
  const task = opts.task?.trim();
  if (!task) throw new CliError('RL on a robot needs --task "<instruction>" for the policy', 2);
  const from = resolve(opts.from);
  const config = sftConfig(from);
  const { latestCheckpoint } = await import('../../rl/rl-job');
  const ckpt = latestCheckpoint(from);
  if (!existsSync(ckpt))
    throw new CliError(`${from} has no checkpoint (checkpoints/latest.ckpt) to start RL from`);
  const { tinyVlaTokenPolicy } = await import('../../rl/policies/tiny-vla');
  const { paramsFromCheckpoint, saveParamsCheckpoint } = await import('../../rl/policy-spec');
  const { ROBOT_RL_DEFAULTS, RobotRlSession } = await import('../../rl/robot-session');
  const policy = tinyVlaTokenPolicy(config);
  let params: ParamValues;
  try {
    params = paramsFromCheckpoint(policy.model, ckpt);
  } catch (err) {
    throw new CliError(err instanceof Error ? err.message : String(err));
  }

  const signal = interruptSignal();
  const leader = opts.leader ? await openLeader(opts.leader, opts) : null;
  let opened: Awaited<ReturnType<typeof openHardwareRobot>> | null = null;
  try {
    opened = await openHardwareRobot(opts, { cameraSize: opts.cameraSize ?? config.imageSize });
    requireCameras(
      opened.robot.features.cameras.map((c) => c.name),
      ['front', 'wrist'],
    );
  } catch (err) {
    await opened?.close();
    await leader?.close();
    throw err;
  }
  const { loop, robot, label } = opened;
  const out = resolve(opts.out);
  const checkpoints = join(out, 'checkpoints');
  mkdirSync(checkpoints, { recursive: true });
  const metricsFile = join(out, 'metrics.jsonl');
  const settings = {
    groupSize: opts.groupSize ?? ROBOT_RL_DEFAULTS.groupSize,
    groupsPerUpdate: opts.groupsPerUpdate ?? ROBOT_RL_DEFAULTS.groupsPerUpdate,
    temperature: opts.temperature ?? ROBOT_RL_DEFAULTS.temperature,
    timeLimitS: opts.timeLimit ?? ROBOT_RL_DEFAULTS.timeLimitS,
  };
  // run.json in the app's run-record shape: an --out inside the app's runs folder shows in its Train panel
  const createdAt = new Date().toISOString();
  const runConfig = { robot: opts.robot, task, ...settings, updates: opts.updates, backend: 'robot' };
  const writeRecord = (state: 'running' | 'done' | 'cancelled', result?: Record<string, unknown>) =>
    writeFileSync(
      join(out, 'run.json'),
      `${JSON.stringify({ name: basename(out), kind: 'rl', createdAt, state, from, config: runConfig, ...(result ? { result } : {}) }, null, 2)}\n`,
    );
  writeRecord('running');
  const episodeLog: RobotRlEpisode[] = [];
  const updateLog: RobotRlUpdate[] = [];
  const save = (weights: ParamValues, version: number) => {
    const meta = { policyVersion: version, task };
    for (const name of [`update-${String(version).padStart(4, '0')}.ckpt`, 'latest.ckpt'])
      saveParamsCheckpoint(join(checkpoints, name), policy.model, weights, meta);
  };
  const { RecordingSession } = await import('../../data/recorder');
  const { DatasetRolloutRecorder } = await import('../../rl/recorder');
  const rolloutsRoot = join(out, 'rollouts');
  const rec = await RecordingSession.open({
    root: rolloutsRoot,
    robot: robot.features,
    fps: loop.options.hz,
  });
  const recorder = new DatasetRolloutRecorder(
    rec,
    robot.features.cameras.map((c) => c.name),
  );
  const { streamLeaderGoals } = await import('../../hardware/serial');
  let stopLeader: (() => void) | null = null;
  let finished!: () => void;
  const done = new Promise<void>((r) => {
    finished = r;
  });
  let episodes = 0;
  const session = new RobotRlSession({
    loop,
    policy,
    params,
    instruction: task,
    fps: loop.options.hz,
    ...settings,
    recorder,
    update: { threads: 1, ...(opts.lr !== undefined ? { lr: opts.lr } : {}) },
    onEvent: (e) => {
      switch (e.type) {
        case 'awaiting-reset':
          console.log(
            `Episode ${e.episode} (group ${e.groupIndex + 1}/${e.groupSize}): set the scene up for "${e.instruction}", then Enter (or the pedal, b)`,
          );
          break;
        case 'episode-started':
          console.log(
            `Episode ${e.episode}: running policy v${e.policyVersion} — s / f to end it, Space to e-stop`,
          );
          break;
        case 'awaiting-label':
          console.log(`Episode ${e.episode}: time is up — was it a success? s / f`);
          break;
        case 'episode-ended':
          episodes++;
          episodeLog.push({
            episode: e.episode,
            end: e.end,
            reward: e.reward,
            steps: e.steps,
            interventionSteps: e.interventionSteps,
            policyVersion: session.policyVersion,
          });
          appendFileSync(metricsFile, `${JSON.stringify(e)}\n`);
          console.log(
            `Episode ${e.episode}: ${e.reward === 1 ? 'success' : 'failure'} (${e.end}, ${e.steps} steps${e.interventionSteps ? `, ${e.interventionSteps} taken over` : ''})`,
          );
          if (opts.episodes !== undefined && episodes >= opts.episodes) finished();
          break;
        case 'group-complete':
          console.log(
            `Group ${e.groupId}: rewards ${e.rewards.join(' ')}${e.informative ? ' → update' : ' (all equal: no learning signal, skipped)'}`,
          );
          break;
        case 'update-started':
          console.log(`Updating policy v${e.policyVersion} on ${e.groups} group(s) while you reset…`);
          break;
        case 'updated':
          save(session.currentParams, e.policyVersion);
          updateLog.push({
            policyVersion: e.policyVersion,
            loss: e.metrics.loss,
            clipFrac: e.metrics.clipFrac,
            entropy: e.metrics.entropy,
          });
          appendFileSync(metricsFile, `${JSON.stringify(e)}\n`);
          console.log(
            `Update ${e.policyVersion}: loss ${e.metrics.loss.toFixed(4)}, clip ${(e.metrics.clipFrac * 100).toFixed(0)}%, checkpoint saved`,
          );
          if (e.policyVersion >= opts.updates) finished();
          break;
        case 'update-failed':
          console.error(`Update failed: ${e.message}`);
          break;
        case 'stopped':
          break;
      }
    },
  });
  const keys = openKeys();
  console.log(`RL on the ${label} from ${from} → ${out}`);
  console.log(`Keys: ${KEYS}`);
  session.start();
  let reason = 'done';
  try {
    const stopped = new Promise<'stop'>((r) => void done.then(() => r('stop')));
    for (;;) {
      const k = await Promise.race([
        waitForKey(
          keys,
          {
            enter: 'reset',
            b: 'reset',
            s: 'success',
            f: 'failure',
            t: 'takeover',
            space: 'estop',
            q: 'quit',
            esc: 'quit',
          },
          Infinity,
          signal,
        ),
        stopped,
      ]);
      if (k === 'stop') break;
      if (k === 'quit' || k === 'interrupt' || k === 'timeout') {
        reason = k === 'quit' ? 'stopped by the person' : 'interrupted';
        break;
      }
      try {
        if (k === 'reset') {
          if (loop.safety.estopped) loop.release((await robot.observe()).state);
          session.resetDone();
        } else if (k === 'success' || k === 'failure') session.label(k === 'success');
        else if (k === 'estop') {
          await session.estop();
          console.log('E-stop: the arm holds; the episode ends as a failure (Enter releases it)');
        } else if (k === 'takeover') {
          const on = !session.state.intervening;
          session.takeOver(on);
          if (on && leader) stopLeader = streamLeaderGoals(leader, loop);
          else {
            stopLeader?.();
            stopLeader = null;
          }
          console.log(
            on
              ? `Taken over${leader ? ' (leader arm drives)' : ''}: t hands back to the policy`
              : 'Policy drives again',
          );
        }
      } catch (err) {
        // a key at the wrong moment (s before an episode runs): say so and go on
        console.error(err instanceof Error ? err.message : String(err));
      }
    }
  } finally {
    keys.close();
    stopLeader?.();
    await session.stop();
    await recorder.close();
    await opened.close();
    await leader?.close();
  }
  const { exportTinyVla } = await import('../../../models/tiny-vla/policy');
  const exported = exportTinyVla(config, session.currentParams, join(out, 'policy'));
  const outcome = `RL ${reason} after ${session.policyVersion} update(s)`;
  const report = writeRobotRlReport(out, {
    title: 'Pushcut Studio: RL on a robot',
    createdAt,
    robot: label,
    task,
    from,
    settings: runConfig,
    episodes: episodeLog,
    updates: updateLog,
    outcome,
  });
  writeRecord(reason === 'done' ? 'done' : 'cancelled', {
    policyVersion: session.policyVersion,
    episodes: episodeLog.length,
    successes: episodeLog.filter((e) => e.reward === 1).length,
  });
  console.log(
    `${outcome}, ${recorder.recorded} episode(s) recorded in ${rolloutsRoot}; policy ${exported.onnxPath}; report ${report}`,
  );
}
