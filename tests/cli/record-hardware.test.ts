import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDataset, validateDataset } from '../../core/data';
import { pushcut, pushcutLive } from './helpers';
import { BUS_TIMEOUT, type SerialRig, startRosRig, startSerialRig } from './rig';

const work = mkdtempSync(join(tmpdir(), 'pushcut-cli-rec-hw-'));
let rig: SerialRig;
beforeAll(async () => {
  rig = await startSerialRig(work);
});
afterAll(async () => {
  await rig?.stop();
  rmSync(work, { recursive: true, force: true });
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('pushcut record on a robot', { timeout: 150_000 }, () => {
  it('records leader-arm teleoperation on a serial SO-101: save, reset, re-record, stop and keep', async () => {
    const root = join(work, 'serial-demos');
    const cli = pushcutLive([
      'record',
      '-d',
      root,
      '--robot',
      rig.followerPort,
      '--calibration',
      rig.calibration,
      '--leader',
      rig.leaderPort,
      '--leader-calibration',
      rig.calibration,
      ...BUS_TIMEOUT,
      '--task',
      'press the button',
      '-n',
      '2',
      '--episode-s',
      '60',
      '--reset-s',
      '60',
      '--camera',
      'front=lavfi:testsrc=size=64x64:rate=30',
      '--camera-size',
      '32',
    ]);
    await cli.waitFor(/Episode 1\/2: recording/);
    const start = (await rig.sim.observe()).state;
    // the person moves the leader's elbow ~26 degrees; the follower follows through the safety layer
    rig.leader.setPosition(3, 2047 + 300);
    await sleep(1500);
    cli.send('n');
    await cli.waitFor(/Saved episode 0 \(\d+ frames\)/);
    await cli.waitFor(/Reset the scene/);
    cli.send('right');
    await cli.waitFor(/Episode 2\/2: recording/);
    cli.send('r');
    await cli.waitFor(/re-recording/);
    await cli.waitFor(/Episode 2\/2: recording/);
    await sleep(800);
    cli.send('q');
    const run = await cli.done;
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toContain(`2 episodes saved in ${root}`);
    expect((await rig.sim.observe()).state[2]).toBeGreaterThan((start[2] as number) + 15);

    expect(await validateDataset(root)).toEqual([]);
    const ds = await openDataset(root);
    const eps = ds.listEpisodes();
    expect(eps).toHaveLength(2);
    expect(eps[0]).toMatchObject({ tasks: ['press the button'], source: 'demo' });
    expect(ds.videoKeys).toEqual(['observation.images.front']);
    const elbow = (await ds.loadEpisode(0)).action.map((a) => a[2]!);
    expect(Math.max(...elbow)).toBeGreaterThan(elbow[0]! + 10);
  });

  it('records keyboard teleoperation from a ROS robot until the episode time runs out; Ctrl-C keeps it', async () => {
    const ros = await startRosRig();
    try {
      const root = join(work, 'ros-demos');
      const cli = pushcutLive([
        'record',
        '-d',
        root,
        '--robot',
        ros.url,
        '--ros-preset',
        'pushcutSim',
        '--task',
        'raise the elbow',
        '-n',
        '2',
        '--episode-s',
        '4',
        '--reset-s',
        '60',
        '--camera-size',
        '32',
      ]);
      await cli.waitFor(/Recording "raise the elbow" from the ROS robot at ws:/);
      await cli.waitFor(/jog: .*i\/k elbow/);
      await cli.waitFor(/Episode 1\/2: recording/);
      const start = (await ros.sim.observe()).state;
      for (let i = 0; i < 4; i++) cli.send('i'); // four elbow steps of 5 degrees
      await cli.waitFor(/Saved episode 0/);
      await cli.waitFor(/Reset the scene/);
      cli.signal('SIGINT'); // Ctrl-C while resetting: the saved episode stays
      const run = await cli.done;
      expect(run.code, run.stderr).toBe(0);
      expect(run.stdout).toContain(`1 episode saved in ${root}`);
      expect((await ros.sim.observe()).state[2]).toBeGreaterThan((start[2] as number) + 12);
      const ds = await openDataset(root);
      expect(ds.listEpisodes()).toHaveLength(1);
      expect(ds.listEpisodes()[0]!.length).toBeGreaterThan(30);
      expect(ds.videoKeys).toEqual(['observation.images.front']);
      const elbow = (await ds.loadEpisode(0)).action.map((a) => a[2]!);
      expect(Math.max(...elbow)).toBeGreaterThan(elbow[0]! + 12);
    } finally {
      await ros.stop();
    }
  });

  it('names the problem and the fix: a missing port, an unreachable ROS robot, no task, a bad camera', async () => {
    const noPort = await pushcut([
      'record',
      '-d',
      join(work, 'x'),
      '--robot',
      '/dev/pushcut-nope',
      '--task',
      't',
    ]);
    expect(noPort.code).toBe(1);
    expect(noPort.stderr).toMatch(/No serial port at \/dev\/pushcut-nope.*pushcut bus ports/);
    const noRos = await pushcut([
      'record',
      '-d',
      join(work, 'x'),
      '--robot',
      'ws://127.0.0.1:9',
      '--task',
      't',
    ]);
    expect(noRos.code).toBe(1);
    expect(noRos.stderr).toMatch(/Could not connect to the ROS robot at ws:\/\/127\.0\.0\.1:9.*rosbridge/);
    const noTask = await pushcut(['record', '-d', join(work, 'x'), '--robot', rig.followerPort]);
    expect(noTask.code).toBe(2);
    expect(noTask.stderr).toMatch(/needs --task/);
    const badBackend = await pushcut(['record', '-d', join(work, 'x'), '--robot', 'mars']);
    expect(badBackend.code).toBe(2);
    expect(badBackend.stderr).toMatch(/--robot "mars" is not a backend/);
    const badCam = await pushcut([
      'record',
      '-d',
      join(work, 'x'),
      '--robot',
      rig.followerPort,
      '--calibration',
      rig.calibration,
      ...BUS_TIMEOUT,
      '--task',
      't',
      '--camera',
      'front=/dev/video99',
    ]);
    expect(badCam.code).toBe(1);
    expect(badCam.stderr).toMatch(/\/dev\/video99 does not exist/);
  });
});
