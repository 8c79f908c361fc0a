import { existsSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { CliError } from '../errors';
import { recordTicks, waitForKey } from '../key-wait';
import { openKeys } from '../keys';
import { interruptSignal } from '../progress';
import { openHardwareRobot, type RobotFlags } from '../robot';

export interface HardwareEvalFlags extends RobotFlags {
  policy: string;
  episodes: number;
  task?: string;
  timeLimitS: number;
  dataset?: string;
  json?: boolean;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** policy.onnx of an SFT or RL run folder (or the file itself). */
export function policyFile(path: string): string {
  let p = resolve(path);
  if (existsSync(p) && statSync(p).isDirectory()) p = join(p, 'policy.onnx');
  if (!existsSync(p))
    throw new CliError(`No policy at ${p}: train one with \`pushcut train sft\` (or \`pushcut train rl\`)`);
  return p;
}

/** The policy's camera images must exist on the rig: say which --camera flags are missing. */
export function requireCameras(have: string[], need: string[]): void {
  const missing = need.filter((c) => !have.includes(c));
  if (missing.length)
    throw new CliError(
      `The policy needs camera${missing.length > 1 ? 's' : ''} ${missing.join(', ')}, which the robot does not have (it has: ${have.join(', ') || 'none'}): add ${missing.map((c) => `--camera ${c}=/dev/videoN`).join(' ')}`,
      2,
    );
}

/**
 * Greedy policy episodes on a serial or ROS arm. The person resets the scene (Enter), watches,
 * and labels: s = success, f = failure, Space = e-stop (failure); the time limit is a failure.
 * Every episode is recorded (source "rollout", its success label) into a dataset.
 */
export async function evalOnHardware(opts: HardwareEvalFlags): Promise<void> {
  const task = opts.task?.trim();
  if (!task) throw new CliError('Evaluating on a robot needs --task "<instruction>" for the policy', 2);
  const path = policyFile(opts.policy);
  const { TinyVlaPolicy, resizeRgb } = await import('../../../models/tiny-vla/policy');
  const policy = await TinyVlaPolicy.load(path).catch((err: Error) => {
    throw new CliError(err.message);
  });
  const side = policy.config.imageSize;
  const signal = interruptSignal();
  let opened: Awaited<ReturnType<typeof openHardwareRobot>> | null = null;
  try {
    opened = await openHardwareRobot(opts, { cameraSize: side });
    requireCameras(
      opened.robot.features.cameras.map((c) => c.name),
      ['front', 'wrist'],
    );
  } catch (err) {
    await policy.release();
    await opened?.close();
    throw err;
  }
  const { loop, robot, label } = opened;
  const { RecordingSession } = await import('../../data/recorder');
  const root = resolve(opts.dataset ?? join(dirname(path), 'robot-eval'));
  const keys = openKeys();
  const results: boolean[] = [];
  let rec: Awaited<ReturnType<typeof RecordingSession.open>> | null = null;
  try {
    rec = await RecordingSession.open({ root, robot: robot.features, fps: loop.options.hz });
    const unrecord = recordTicks(loop, rec);
    console.log(
      `Evaluating ${path} on the ${label}: "${task}", ${opts.episodes} episodes of up to ${opts.timeLimitS} s`,
    );
    console.log(
      'Keys: Enter = scene reset, start · s = success · f = failure · Space = e-stop · q = stop and keep',
    );
    let latest = await robot.observe();
    const untick = loop.onTick((t) => {
      latest = t.obs;
    });
    for (let ep = 1; ep <= opts.episodes; ep++) {
      console.log(`Episode ${ep}/${opts.episodes}: reset the scene, then press Enter`);
      const ready = await waitForKey(
        keys,
        { enter: 'go', b: 'go', q: 'stop', esc: 'stop' },
        Infinity,
        signal,
      );
      if (ready !== 'go') break;
      if (loop.safety.estopped) loop.release(latest.state);
      rec.startEpisode({ task, source: 'rollout', policyVersion: 'eval' });
      // the policy runs while the key wait below listens
      let verdict: 'success' | 'failure' | 'estop' | 'stop' | 'timeout' | 'interrupt' | null = null;
      let failed: unknown = null;
      const episodeStop = new AbortController();
      const onInterrupt = () => episodeStop.abort();
      signal.addEventListener('abort', onInterrupt, { once: true });
      const driving = (async () => {
        let chunk: number[][] = [];
        let k = 0;
        let step = 0;
        while (verdict === null) {
          if (k >= chunk.length) {
            const o = latest;
            const img = (n: string) => {
              const f = o.images[n]!;
              return resizeRgb(f.data, f.width, f.height, side, side);
            };
            const act = await policy.act([
              { front: img('front'), wrist: img('wrist'), state: o.state, instruction: task, step },
            ]);
            chunk = act.actions[0] ?? [];
            k = 0;
          }
          const goal = chunk[k++];
          if (goal && verdict === null) loop.setGoal(goal, true);
          step++;
          await sleep(1000 / loop.options.hz);
        }
      })().catch((err: unknown) => {
        failed = err;
        episodeStop.abort();
      });
      verdict = await waitForKey<'success' | 'failure' | 'estop' | 'stop'>(
        keys,
        { s: 'success', f: 'failure', space: 'estop', q: 'stop', esc: 'stop' },
        opts.timeLimitS * 1000,
        episodeStop.signal,
      );
      signal.removeEventListener('abort', onInterrupt);
      await driving;
      if (failed) {
        await loop.estop();
        await rec.discardEpisode();
        throw new CliError(
          `The policy failed on the robot: ${failed instanceof Error ? failed.message : String(failed)}`,
        );
      }
      if (verdict === 'estop') {
        await loop.estop();
        console.log(
          'E-stop: the arm holds; the episode counts as a failure (Enter releases it for the next one)',
        );
      }
      if (verdict === 'interrupt' || verdict === 'stop') {
        await rec.discardEpisode();
        console.log(`Stopped: episode ${ep} was not labelled and is not kept`);
        break;
      }
      const success = verdict === 'success';
      const frames = rec.progress().frames;
      const index = await rec.endEpisode({ success });
      results.push(success);
      const why = verdict === 'timeout' ? ' (time limit)' : verdict === 'estop' ? ' (e-stop)' : '';
      console.log(
        `Episode ${ep}: ${success ? 'success' : 'failure'}${why} · ${frames} frames saved as episode ${index}`,
      );
    }
    untick();
    unrecord();
  } finally {
    keys.close();
    await rec?.close();
    await opened.close();
    await policy.release();
  }
  const wins = results.filter(Boolean).length;
  const rate = results.length ? wins / results.length : 0;
  if (opts.json)
    console.log(
      JSON.stringify(
        { task, episodes: results.length, successes: wins, successRate: rate, dataset: root },
        null,
        2,
      ),
    );
  else
    console.log(
      `success rate ${wins}/${results.length} (${(rate * 100).toFixed(0)}%) on "${task}"; episodes in ${root}`,
    );
}
