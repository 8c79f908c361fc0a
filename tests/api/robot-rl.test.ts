import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { EventPayload, JobInfo } from '../../core/api/contract';
import { defaultProviders } from '../../core/api/default-providers';
import { recordExpertDemos } from '../../core/api/jobs/expert-demos';
import { RobotRlStartArgs } from '../../core/api/schemas';
import { Studio } from '../../core/api/studio';
import { calibrationPath, saveCalibration } from '../../core/hardware/arms/calibration';
import { virtualSo101Calibration } from '../../core/hardware/serial';
import { ROBOT_RL_DEFAULTS } from '../../core/rl/robot-session';

const home = mkdtempSync(join(tmpdir(), 'pushcut-robot-rl-'));
const calib = mkdtempSync(join(tmpdir(), 'pushcut-robot-rl-calib-'));
let studio: Studio;
const jobs: JobInfo[] = [];
const events: EventPayload<'robotRl'>[] = [];

beforeAll(async () => {
  process.env.PUSHCUT_HOME = home;
  process.env.HF_LEROBOT_CALIBRATION = calib;
  // the arm was calibrated before (as a person does once per arm): the virtual arm's own calibration
  saveCalibration(calibrationPath('robots', 'so_follower', 'rl_arm'), virtualSo101Calibration());
  await recordExpertDemos({
    root: join(home, 'datasets', 'demos'),
    tasks: ['press_button'],
    episodesPerTask: 2,
  });
  studio = new Studio({ shell: 'test', version: '0', providers: defaultProviders() });
  studio.on('job', (j) => jobs.push(j));
  studio.on('robotRl', (e) => events.push(e));
  const { jobId } = await studio.invoke('train.sft', {
    dataset: 'demos',
    run: 'sft',
    steps: 4,
    batchSize: 8,
  });
  await new Promise<void>((resolve, reject) => {
    const check = setInterval(() => {
      const j = jobs.filter((x) => x.id === jobId).at(-1);
      if (j && j.state !== 'running') {
        clearInterval(check);
        if (j.state === 'done') resolve();
        else reject(new Error(`SFT ended ${j.state}: ${j.message}`));
      }
    }, 50);
  });
}, 150_000);

afterAll(async () => {
  await studio?.close();
  rmSync(home, { recursive: true, force: true });
  rmSync(calib, { recursive: true, force: true });
});

const type = (e: EventPayload<'robotRl'>) => e.event.type;

it('uses the real-robot defaults of the RL library', () => {
  const d = RobotRlStartArgs.parse({ sftRun: 'x' });
  expect({
    groupSize: d.groupSize,
    groupsPerUpdate: d.groupsPerUpdate,
    temperature: d.temperature,
    timeLimitS: d.timeLimitS,
  }).toEqual({
    groupSize: ROBOT_RL_DEFAULTS.groupSize,
    groupsPerUpdate: ROBOT_RL_DEFAULTS.groupsPerUpdate,
    temperature: ROBOT_RL_DEFAULTS.temperature,
    timeLimitS: ROBOT_RL_DEFAULTS.timeLimitS,
  });
});

it('refuses to start without a robot, and labels without a session', async () => {
  await expect(studio.invoke('robotRl.start', { sftRun: 'sft' })).rejects.toThrow(/No robot is connected/);
  await expect(studio.invoke('robotRl.label', { success: true })).rejects.toThrow(/No RL session/);
});

it('runs RL on the virtual servo-bus SO-101: resets, labels, a take-over, an update; every rollout on disk', {
  timeout: 150_000,
}, async () => {
  const { devicePath } = await studio.invoke('serial.virtualStart', {});
  const robot = await studio.invoke('robot.connect', {
    backend: 'feetech',
    options: { port: devicePath, id: 'rl_arm' },
  });
  expect(robot.calibrated).toBe(true);
  expect(robot.cameras.map((c) => c.name)).toEqual(['front', 'wrist']);
  await expect(studio.invoke('robotRl.start', { sftRun: 'demos' })).rejects.toThrow(
    /not a finished SFT run: pick one of sft/,
  );

  let tookOver = false;
  let off = () => {};
  const updated = new Promise<void>((resolve, reject) => {
    off = studio.on('robotRl', (e) => {
      const ev = e.event as { type: string; episode?: number };
      const fail = (err: Error) => reject(err);
      if (ev.type === 'awaiting-reset' && (ev.episode ?? 0) <= 2)
        setTimeout(() => studio.invoke('robotRl.resetDone', {}).catch(fail), 20);
      if (ev.type === 'episode-started' && ev.episode === 1) {
        // the person takes over for a moment, moves the arm by teleop, hands back, then presses S
        setTimeout(async () => {
          try {
            await studio.invoke('robotRl.takeOver', { active: true });
            tookOver = true;
            const now = (await studio.invoke('robot.status', {})).robot;
            expect(now?.joints.length).toBe(6);
            await studio.invoke('robot.move', { target: [5, -10, 10, 0, 0, 20] });
            await new Promise((r) => setTimeout(r, 150));
            await studio.invoke('robotRl.takeOver', { active: false });
            await new Promise((r) => setTimeout(r, 100));
            await studio.invoke('robotRl.label', { success: true });
          } catch (err) {
            fail(err as Error);
          }
        }, 100);
      }
      // episode 2 runs to its time limit; the person answers the label prompt
      if (ev.type === 'awaiting-label')
        setTimeout(() => studio.invoke('robotRl.label', { success: false }).catch(fail), 20);
      if (ev.type === 'updated') resolve();
      if (ev.type === 'update-failed') reject(new Error(String((ev as { message?: string }).message)));
    });
  });

  const started = await studio.invoke('robotRl.start', {
    sftRun: 'sft',
    groupSize: 2,
    timeLimitS: 1.2,
    temperature: 1.6,
  });
  expect(started).toMatchObject({
    active: true,
    instruction: 'press the button',
    fps: 30,
    dataset: 'sft-robot-rl',
    run: 'sft-robot-rl',
  });
  await expect(studio.invoke('robotRl.start', { sftRun: 'sft' })).rejects.toThrow(/already running/);
  await expect(studio.invoke('calibrate.start', {})).rejects.toThrow(/RL is running on the robot/);
  await updated;
  off();
  expect(tookOver).toBe(true);
  const final = await studio.invoke('robotRl.stop', {});

  // the update ran while the next scene reset was awaited: the session did not block on it
  const next = events.findIndex((e) => type(e) === 'awaiting-reset' && e.event.episode === 3);
  const upd = events.findIndex((e) => type(e) === 'updated');
  expect(next).toBeGreaterThan(-1);
  expect(events[next]?.status.updating).toBe(true);
  expect(upd).toBeGreaterThan(next);

  expect(final.active).toBe(false);
  expect(final.policyVersion).toBe(1);
  expect(final.lastUpdate?.policyVersion).toBe(1);
  const [ep1, ep2] = final.episodes;
  expect(final.episodes).toHaveLength(2);
  expect(ep1).toMatchObject({ end: 'success-key', reward: 1, labelledBy: 'key', policyVersion: 0 });
  expect(ep1?.interventionSteps).toBeGreaterThan(0);
  expect(ep2).toMatchObject({ end: 'time-limit', reward: 0, labelledBy: 'person', interventionSteps: 0 });
  expect(ep2?.steps).toBe(36); // 1.2 s at the dataset's 30 fps

  // every rollout is on disk with the labels given and the take-over flagged
  const eps = await studio.invoke('episodes.list', { dataset: 'sft-robot-rl', filter: {} });
  expect(eps.map((e) => e.success)).toEqual([true, false]);
  expect(eps.every((e) => e.source === 'rollout' && e.policyVersion === '0')).toBe(true);
  expect(eps[0]?.tags).toContain('intervention');
  expect(eps[0]?.note).toMatch(/intervention steps: \d/);
  expect(eps[1]?.tags).not.toContain('intervention');
  expect(eps[1]?.length).toBe(36);
  expect((await studio.invoke('datasets.list', {})).map((d) => d.name)).toContain('sft-robot-rl');

  // the improved policy is kept in an RL run record
  const run = (await studio.invoke('runs.list', {})).find((r) => r.name === 'sft-robot-rl');
  expect(run).toMatchObject({ kind: 'rl', from: 'sft', state: 'done', dataset: 'sft-robot-rl' });
  expect(run?.result?.policyVersion).toBe(1);
  expect(existsSync(String(run?.result?.policy))).toBe(true);
  expect(existsSync(join(home, 'runs', 'sft-robot-rl', 'rl', 'checkpoints', 'latest.ckpt'))).toBe(true);
  expect((await studio.invoke('runs.metrics', { run: 'sft-robot-rl' })).map((m) => m.update)).toEqual([1]);

  await expect(studio.invoke('robotRl.resetDone', {})).rejects.toThrow(/No RL session/);
});

/** Resolves with the first robotRl event at or after `from` that matches. */
async function waitFor(
  from: number,
  match: (e: EventPayload<'robotRl'>) => boolean,
  ms = 60_000,
): Promise<EventPayload<'robotRl'>> {
  const end = Date.now() + ms;
  for (;;) {
    const hit = events.slice(from).find(match);
    if (hit) return hit;
    if (Date.now() > end) throw new Error('timed out waiting for a robotRl event');
    await new Promise((r) => setTimeout(r, 10));
  }
}

it('e-stop ends an episode as a failure; the success detector learns from labels and can be overruled', {
  timeout: 120_000,
}, async () => {
  const mark = events.length;
  await studio.invoke('robotRl.start', {
    sftRun: 'sft',
    run: 'sft-detector',
    dataset: 'detector-rollouts',
    groupSize: 2,
    timeLimitS: 10,
    reward: 'detector',
  });
  const is = (t: string, episode: number) => (e: EventPayload<'robotRl'>) =>
    type(e) === t && e.event.episode === episode;
  // episode 1: the person hits the e-stop (Space); the next episode waits until it is released
  await waitFor(mark, is('awaiting-reset', 1));
  await studio.invoke('robotRl.resetDone', {});
  await waitFor(mark, is('episode-started', 1));
  await studio.invoke('robot.estop', {});
  const stopped = await waitFor(mark, is('episode-ended', 1));
  expect(stopped.event).toMatchObject({ end: 'estop', reward: 0 });
  await waitFor(mark, is('awaiting-reset', 2));
  await expect(studio.invoke('robotRl.resetDone', {})).rejects.toThrow(/E-stop is active: release it/);
  await studio.invoke('robot.release', {});

  // episodes 2-9: success and failure keys in turn; every key label is a detector label
  for (let ep = 2; ep <= 9; ep++) {
    await waitFor(mark, is('awaiting-reset', ep));
    await studio.invoke('robotRl.resetDone', {});
    await waitFor(mark, is('episode-started', ep));
    await new Promise((r) => setTimeout(r, 60));
    await studio.invoke('robotRl.label', { success: ep % 2 === 0 });
    await waitFor(mark, is('episode-ended', ep));
  }
  const trained = await studio.invoke('robotRl.trainDetector', {});
  expect(trained.detector).toMatchObject({ labels: 8, trained: true, heldOut: 2, goodEnough: false });
  expect(trained.detector?.precision).toBeGreaterThanOrEqual(0);
  expect(trained.detector?.recall).toBeLessThanOrEqual(1);
  await expect(studio.invoke('robotRl.autoLabel', { enabled: true })).rejects.toThrow(
    /not good enough to label on its own yet \(precision \d+%, recall \d+% on 2 held-out labels\)/,
  );

  // the person overrules episode 2 (a success): the dataset and the detector's labels follow
  const over = await studio.invoke('robotRl.overrule', { episode: 2, success: false });
  expect(over.episodes.find((e) => e.episode === 2)).toMatchObject({ reward: 0, labelledBy: 'person' });
  expect(over.detector?.labels).toBe(9);
  const final = await studio.invoke('robotRl.stop', {});
  const eps = await studio.invoke('episodes.list', { dataset: 'detector-rollouts', filter: {} });
  expect(eps.length).toBeGreaterThanOrEqual(9);
  expect(eps.slice(0, 9).map((e) => e.success)).toEqual([
    false,
    false,
    false,
    true,
    false,
    true,
    false,
    true,
    false,
  ]);
  expect(final.episodes.slice(0, 9).map((e) => e.end)).toEqual([
    'estop',
    ...Array(8)
      .fill('success-key')
      .map((k, i) => (i % 2 === 0 ? k : 'failure-key')),
  ]);
  expect(final.policyVersion).toBeGreaterThanOrEqual(1);
});

it('the success detector labels on its own once held-out precision and recall pass the bar', {
  timeout: 150_000,
}, async () => {
  let latestState: number[] = [];
  const off = studio.on('observation', (o) => {
    latestState = o.state;
  });
  const mark = events.length;
  await studio.invoke('robotRl.start', {
    sftRun: 'sft',
    run: 'sft-auto',
    dataset: 'auto-rollouts',
    groupSize: 2,
    timeLimitS: 4,
  });
  const is = (t: string, episode: number) => (e: EventPayload<'robotRl'>) =>
    type(e) === t && e.event.episode === episode;
  // Success: the gripper down on the button; failure: the arm pulled back up. The front camera sees which.
  const pose = (success: boolean) => (success ? [0, 50, -30, 40, 0, 50] : [0, -50, 30, -40, 0, 50]);
  const episode = async (ep: number, success: boolean, label: boolean) => {
    await waitFor(mark, is('awaiting-reset', ep));
    await studio.invoke('robotRl.resetDone', {});
    await waitFor(mark, is('episode-started', ep));
    await studio.invoke('robotRl.takeOver', { active: true });
    const target = pose(success);
    await studio.invoke('robot.move', { target });
    latestState = []; // only observations from now on count (the last episode may have ended in this pose)
    // the person labels once the arm is there (the detector sees the frame the episode ends on)
    const end = Date.now() + 5000;
    const far = () => [1, 2, 3].some((i) => Math.abs((latestState[i] ?? 0) - (target[i] as number)) > 4);
    while (far() && Date.now() < end) await new Promise((r) => setTimeout(r, 20));
    if (label) await studio.invoke('robotRl.label', { success });
    return waitFor(mark, is('episode-ended', ep));
  };
  const pattern = [true, false, true, false, false, true, false, true];
  for (let ep = 1; ep <= 16; ep++) await episode(ep, pattern[(ep - 1) % 8] as boolean, true);
  const trained = await studio.invoke('robotRl.trainDetector', {});
  expect(trained.detector, JSON.stringify(trained.detector)).toMatchObject({
    labels: 16,
    heldOut: 4,
    goodEnough: true,
  });
  expect(trained.detector?.precision).toBeGreaterThanOrEqual(0.9);
  expect(trained.detector?.recall).toBeGreaterThanOrEqual(0.8);
  expect((await studio.invoke('robotRl.autoLabel', { enabled: true })).detector?.autoLabel).toBe(true);

  // nobody presses a key: the episode runs to its time limit and the detector labels it
  const ended = await episode(17, true, false);
  expect(ended.event).toMatchObject({ end: 'time-limit', reward: 1 });
  const auto = ended.status.episodes.at(-1);
  expect(auto).toMatchObject({ episode: 17, labelledBy: 'detector', reward: 1 });
  expect(auto?.detectorProbability).toBeGreaterThan(0.5);
  // the person overrules it; the dataset follows
  await studio.invoke('robotRl.overrule', { episode: 17, success: false });
  await studio.invoke('robotRl.stop', {});
  off();
  const eps = await studio.invoke('episodes.list', { dataset: 'auto-rollouts', filter: {} });
  expect(eps[16]?.success).toBe(false);
  expect(eps.slice(0, 16).map((e) => e.success)).toEqual([...pattern, ...pattern]);
});

it('works the same on a ROS robot, and resumes the run from its checkpoint', {
  timeout: 90_000,
}, async () => {
  const { url } = await studio.invoke('ros.serveSim', { port: 0, task: 'press_button' });
  const cameras = ['front', 'wrist'].map((name) => ({
    name,
    topic: `/camera/${name}/image/compressed`,
    type: 'compressed',
  }));
  await studio.invoke('robot.connect', {
    backend: 'ros',
    options: { url, preset: 'pushcutSim', overrides: { cameras } },
  });
  const mark = events.length;
  await studio.invoke('robotRl.start', {
    sftRun: 'sft',
    run: 'sft-robot-rl',
    dataset: 'ros-rollouts',
    groupSize: 2,
    timeLimitS: 0.5,
  });
  await waitFor(mark, (e) => type(e) === 'awaiting-reset');
  await studio.invoke('robotRl.resetDone', {});
  const started = await waitFor(mark, (e) => type(e) === 'episode-started');
  expect(started.status.policyVersion).toBe(1); // the run's checkpoint after its first update
  expect(started.status.detector?.labels).toBe(2); // the final frames labelled in that run's first session
  await waitFor(mark, (e) => type(e) === 'awaiting-label');
  await studio.invoke('robotRl.label', { success: true });
  await waitFor(mark, (e) => type(e) === 'episode-ended');
  const final = await studio.invoke('robotRl.stop', {});
  expect(final.episodes).toMatchObject([{ end: 'time-limit', reward: 1, policyVersion: 1, steps: 15 }]);
  const eps = await studio.invoke('episodes.list', { dataset: 'ros-rollouts', filter: {} });
  expect(eps.map((e) => [e.success, e.policyVersion])).toEqual([[true, '1']]);
  await studio.invoke('ros.stopSim', {});
});

it('names the missing cameras when the robot has none', async () => {
  const { devicePath } = await studio.invoke('serial.virtualStart', { sim: false });
  await studio.invoke('robot.connect', { backend: 'feetech', options: { port: devicePath, id: 'rl_arm' } });
  await expect(studio.invoke('robotRl.start', { sftRun: 'sft' })).rejects.toThrow(
    /needs the camera\(s\) "front" and "wrist", but the connected robot has no cameras/,
  );
}, 60_000);
