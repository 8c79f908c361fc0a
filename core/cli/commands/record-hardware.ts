import { resolve } from 'node:path';
import { CliError } from '../errors';
import { recordTicks, waitForKey } from '../key-wait';
import { JOG_HELP, KeyboardJog } from '../keyboard-jog';
import { openKeys } from '../keys';
import { interruptSignal } from '../progress';
import { openHardwareRobot, openLeader, type RobotFlags } from '../robot';

export interface HardwareRecordFlags extends RobotFlags {
  dataset: string;
  episodes: number;
  episodeS: number;
  resetS: number;
  task?: string;
  leader?: string;
  leaderCalibration?: string;
  leaderId: string;
}

const KEYS_HELP = '→ / n: save and next · ← / r: re-record · Esc / q: stop and keep';

/**
 * Teleoperated recording on a serial or ROS arm, LeRobot's way: record an episode for
 * `episodeS` seconds (or until → / n), give the person `resetS` seconds to reset the scene, repeat.
 * The leader arm (if any) drives the follower through the control loop and its safety layer.
 */
export async function recordOnHardware(opts: HardwareRecordFlags): Promise<void> {
  const task = opts.task?.trim();
  if (!task)
    throw new CliError('Recording on a robot needs --task "<instruction>" (what the person demonstrates)', 2);
  const signal = interruptSignal();
  const leader = opts.leader ? await openLeader(opts.leader, opts) : null;
  let opened: Awaited<ReturnType<typeof openHardwareRobot>>;
  try {
    opened = await openHardwareRobot(opts, { cameraSize: 128 });
  } catch (err) {
    await leader?.close();
    throw err;
  }
  const { loop, robot, label } = opened;
  const { streamLeaderGoals } = await import('../../hardware/serial');
  const stopLeader = leader
    ? streamLeaderGoals(leader, loop, {
        onError: (err) => console.error(`leader arm: ${err.message}`),
      })
    : null;
  // without a leader arm, the person drives with the keyboard
  const jog = leader ? null : new KeyboardJog(loop);
  let latest = (await robot.observe()).state;
  const untrack = loop.onTick((t) => {
    latest = t.obs.state;
  });
  const onOther = jog ? (k: string) => void jog.press(k, latest) : undefined;
  const { RecordingSession } = await import('../../data/recorder');
  const root = resolve(opts.dataset);
  const keys = openKeys();
  let rec: Awaited<ReturnType<typeof RecordingSession.open>> | null = null;
  let saved = 0;
  try {
    rec = await RecordingSession.open({ root, robot: robot.features, fps: loop.options.hz });
    const unrecord = recordTicks(loop, rec);
    console.log(
      `Recording "${task}" from the ${label}${leader ? ` (leader arm on ${opts.leader})` : ''} into ${root}`,
    );
    console.log(`Keys: ${KEYS_HELP}`);
    if (jog) console.log(`Keys: ${JOG_HELP}`);
    let stop = false;
    while (saved < opts.episodes && !stop) {
      console.log(`Episode ${saved + 1}/${opts.episodes}: recording for ${opts.episodeS} s`);
      rec.startEpisode({ task, source: 'demo' });
      const r = await waitForKey(
        keys,
        { right: 'next', n: 'next', left: 'again', r: 'again', esc: 'stop', q: 'stop' },
        opts.episodeS * 1000,
        signal,
        onOther,
      );
      if (r === 'interrupt') {
        await rec.discardEpisode();
        console.log('Stopped (Ctrl-C): the unfinished episode was discarded');
        break;
      }
      if (r === 'again') {
        await rec.discardEpisode();
        console.log('Discarded: re-recording this episode');
        continue;
      }
      const frames = rec.progress().frames;
      const index = await rec.endEpisode({});
      saved++;
      console.log(`Saved episode ${index} (${frames} frames)`);
      if (r === 'stop') stop = true;
      if (stop || saved >= opts.episodes || opts.resetS <= 0) continue;
      console.log(`Reset the scene (${opts.resetS} s; → / n when ready, q to stop)`);
      const reset = await waitForKey(
        keys,
        { right: 'next', n: 'next', esc: 'stop', q: 'stop' },
        opts.resetS * 1000,
        signal,
        onOther,
      );
      if (reset === 'stop' || reset === 'interrupt') stop = true;
    }
    unrecord();
  } finally {
    keys.close();
    untrack();
    stopLeader?.();
    await rec?.close();
    await leader?.close();
    await opened.close();
  }
  console.log(`${saved} episode${saved === 1 ? '' : 's'} saved in ${root}`);
}
