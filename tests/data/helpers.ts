import { spawnSync } from 'node:child_process';
import { DuckDBInstance } from '@duckdb/node-api';
import { RecordingSession } from '../../core/data/recorder';
import { testPatternFrame } from '../../core/data/test-pattern';

export const JOINTS = ['shoulder_pan', 'shoulder_lift', 'elbow_flex', 'wrist_flex', 'wrist_roll', 'gripper'];

export interface SyntheticOptions {
  cameras: { name: string; width: number; height: number }[];
  lengths: number[];
  tasks?: string[];
  prewarmEncoders?: boolean;
}

/** Record episodes of moving squares; state/action are known functions of (episode, frame). */
export async function recordSynthetic(root: string, opts: SyntheticOptions): Promise<RecordingSession> {
  const rec = await RecordingSession.open({
    root,
    robot: { joints: JOINTS, robotType: 'so101_follower', cameras: opts.cameras },
    prewarmEncoders: opts.prewarmEncoders,
  });
  for (const [e, len] of opts.lengths.entries()) {
    rec.startEpisode({
      task: opts.tasks?.[e % opts.tasks.length] ?? 'pick the red cube',
      source: e % 3 === 2 ? 'rollout' : 'demo',
      policyVersion: e % 3 === 2 ? 'v1' : null,
    });
    for (let t = 0; t < len; t++) {
      const images = Object.fromEntries(
        opts.cameras.map((c, k) => [c.name, testPatternFrame(c.width, c.height, t, k)]),
      );
      const accepted = rec.addFrame({
        state: JOINTS.map((_, j) => stateValue(e, t, j)),
        action: JOINTS.map((_, j) => stateValue(e, t, j) + 0.5),
        rawAction: JOINTS.map((_, j) => stateValue(e, t, j) + 0.75),
        images,
        reward: t === len - 1 ? 1 : 0,
        done: t === len - 1,
      });
      if (!accepted) await new Promise((r) => setTimeout(r, 20));
    }
    await rec.endEpisode({ success: e % 2 === 0, note: `episode ${e}` });
  }
  return rec;
}

export const stateValue = (e: number, t: number, j: number): number => Math.fround(e * 10 + t * 0.25 + j);

export async function duck(): Promise<{
  all: (sql: string) => Promise<Record<string, unknown>[]>;
  close: () => void;
}> {
  const db = await DuckDBInstance.create(':memory:');
  const c = await db.connect();
  return {
    all: async (sql) => (await c.runAndReadAll(sql)).getRowObjectsJS() as Record<string, unknown>[],
    close: () => {
      c.closeSync();
      db.closeSync();
    },
  };
}

export function ffprobe(path: string): { nb_read_frames: string; codec_name: string; pix_fmt: string } {
  const r = spawnSync('ffprobe', [
    ...['-v', 'error', '-count_frames', '-select_streams', 'v:0'],
    ...['-show_entries', 'stream=nb_read_frames,codec_name,pix_fmt', '-of', 'json', path],
  ]);
  if (r.status !== 0) throw new Error(`ffprobe failed on ${path}: ${r.stderr}`);
  const s = (JSON.parse(r.stdout.toString()) as { streams: Record<string, string>[] }).streams[0];
  if (!s) throw new Error(`no video stream in ${path}`);
  return s as { nb_read_frames: string; codec_name: string; pix_fmt: string };
}
