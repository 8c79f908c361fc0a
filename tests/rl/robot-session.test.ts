import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { openDataset } from '../../core/data/reader';
import { RecordingSession } from '../../core/data/recorder';
import { ControlLoop } from '../../core/hardware/control-loop';
import { initParams } from '../../core/nn/model';
import { stateMlpPolicy } from '../../core/rl/policies/state-mlp';
import { DatasetRolloutRecorder } from '../../core/rl/recorder';
import { HumanLabelReward, SuccessDetector } from '../../core/rl/reward';
import { RobotRlSession, type RobotSessionEvent } from '../../core/rl/robot-session';
import { FirstOrderRobot } from '../helpers/first-order-robot';
import { watchClocks } from './helpers/clock-watch';

const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

describe('RL session on a robot', () => {
  it('runs labelled episodes through the safety layer, records them, and updates while the person resets', async () => {
    const root = mkdtempSync(join(tmpdir(), 'pushcut-robot-rl-'));
    dirs.push(root);
    const robot = new FirstOrderRobot();
    await robot.connect();
    const loop = new ControlLoop(robot, {
      hz: 50,
      maxSpeed: [200, 200, 200, 200, 200, 200],
      watchdogMs: 500,
    });
    loop.start((await robot.observe()).state);
    const plain = stateMlpPolicy({
      instructions: ['wave hello'],
      actionLow: [-30, -30, -30, -30, -30, 0],
      actionHigh: [30, 30, 30, 30, 30, 100],
      bins: 16,
      hidden: 16,
    });
    const { policy, clocks } = watchClocks(plain);
    const rec = await RecordingSession.open({ root: join(root, 'dataset'), robot: robot.features, fps: 25 });
    const recorder = new DatasetRolloutRecorder(rec, ['front']);
    const events: RobotSessionEvent[] = [];
    // the learned detector proposes rewards; untrained, it asks the person and learns from the answer
    const labels = new HumanLabelReward();
    const detector = new SuccessDetector({ human: labels });
    let updated!: () => void;
    const updatedP = new Promise<void>((r) => {
      updated = r;
    });
    const session: RobotRlSession = new RobotRlSession({
      loop,
      policy,
      params: initParams(policy.model, 1),
      instruction: 'wave hello',
      fps: 25,
      timeLimitS: 0.4,
      recorder,
      labels,
      reward: detector,
      update: { lr: 1e-2, threads: 1 },
      // the UI: reset key, success/failure keys, take-over, label prompt
      onEvent: (e) => {
        events.push(e);
        if (e.type === 'awaiting-reset')
          setTimeout(() => {
            if (session.state.phase === 'awaiting-reset') session.resetDone();
          }, 5);
        if (e.type === 'episode-started') {
          if (e.episode === 1) setTimeout(() => session.label(true), 120);
          if (e.episode === 2) {
            session.takeOver(true);
            setTimeout(() => session.takeOver(false), 150);
          }
          if (e.episode === 4) setTimeout(() => session.label(false), 120);
        }
        if (e.type === 'awaiting-label') setTimeout(() => session.label(e.episode === 3), 5);
        if (e.type === 'updated') updated();
      },
    });
    expect(session.state.phase).toBe('idle');
    session.start();
    await updatedP;
    await session.stop();
    loop.stop();
    await recorder.close();

    const ended = events.filter((e) => e.type === 'episode-ended') as Extract<
      RobotSessionEvent,
      { type: 'episode-ended' }
    >[];
    expect(ended.slice(0, 4).map((e) => [e.end, e.reward])).toEqual([
      ['success-key', 1],
      ['time-limit', 0],
      ['time-limit', 1],
      ['failure-key', 0],
    ]);
    expect(ended[1]?.interventionSteps).toBeGreaterThan(0);
    expect(ended[1]?.interventionSteps).toBeLessThan(ended[1]?.steps ?? 0);
    expect(ended[2]?.steps).toBe(10); // 0.4 s at 25 fps
    // the policy's clock: each decision at a multiple of the chunk, from 0 in every episode
    expect(clocks.filter((c) => c === 0).length).toBeGreaterThanOrEqual(4);
    expect(clocks.every((c) => c !== undefined && c % plain.chunk === 0 && c < 10)).toBe(true);
    expect(Math.max(...(clocks as number[]))).toBeGreaterThan(0);

    const types = events.map((e) => e.type);
    expect(types).toContain('group-complete');
    // the update started after episode 4, and the session asked for the next reset before it finished
    const started = types.indexOf('update-started');
    const nextReset = events.findIndex((e) => e.type === 'awaiting-reset' && e.episode === 5);
    const done = types.indexOf('updated');
    expect(started).toBeGreaterThan(-1);
    expect(nextReset).toBeGreaterThan(started);
    expect(done).toBeGreaterThan(nextReset);
    expect(session.policyVersion).toBe(1);
    expect(robot.acts.length).toBeGreaterThan(10);
    expect(detector.labelCount).toBe(2); // episodes 2 and 3 were labelled at the prompt

    const eps = (await openDataset(join(root, 'dataset'))).listEpisodes();
    expect(eps.length).toBeGreaterThanOrEqual(4);
    expect(eps.slice(0, 4).map((e) => e.success)).toEqual([true, false, true, false]);
    expect(eps.every((e) => e.source === 'rollout')).toBe(true);
  }, 60_000);
  it('ends an episode on e-stop as a failure and stops the arm', async () => {
    const robot = new FirstOrderRobot();
    await robot.connect();
    const loop = new ControlLoop(robot, {
      hz: 50,
      maxSpeed: [200, 200, 200, 200, 200, 200],
      watchdogMs: 500,
    });
    loop.start((await robot.observe()).state);
    const policy = stateMlpPolicy({
      instructions: ['wave hello'],
      actionLow: [-30, -30, -30, -30, -30, 0],
      actionHigh: [30, 30, 30, 30, 30, 100],
      bins: 16,
      hidden: 16,
    });
    let ended!: (e: RobotSessionEvent) => void;
    const endedP = new Promise<RobotSessionEvent>((r) => {
      ended = r;
    });
    let second!: () => void;
    const secondP = new Promise<void>((r) => {
      second = r;
    });
    const session: RobotRlSession = new RobotRlSession({
      loop,
      policy,
      params: initParams(policy.model, 1),
      instruction: 'wave hello',
      fps: 25,
      timeLimitS: 5,
      onEvent: (e) => {
        if (e.type === 'awaiting-reset' && e.episode === 1) setTimeout(() => session.resetDone(), 5);
        if (e.type === 'awaiting-reset' && e.episode === 2) second();
        if (e.type === 'episode-started') setTimeout(() => void session.estop(), 100);
        if (e.type === 'episode-ended') ended(e);
      },
    });
    expect(session.opts.groupSize).toBe(4); // real-robot default
    session.start();
    const e = await endedP;
    expect(e).toMatchObject({ type: 'episode-ended', end: 'estop', reward: 0 });
    expect((e as { steps: number }).steps).toBeLessThan(125);
    expect(robot.estops).toBe(1);
    expect(loop.safety.estopped).toBe(true);
    // stopping while the next episode waits for its scene reset: a late reset key is refused
    await secondP;
    const stopping = session.stop();
    expect(() => session.resetDone()).toThrow(/No episode is waiting for a scene reset \(session is idle\)/);
    await stopping;
    expect(() => session.resetDone()).toThrow(/session is stopped/);
    loop.stop();
  }, 30_000);
});
