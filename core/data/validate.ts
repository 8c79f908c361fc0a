/** Consistency check of a v3.0 dataset: info vs episodes vs data vs videos vs stats. */
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { DatasetError } from './errors';
import { findFfmpeg } from './ffmpeg';
import { DatasetReader } from './reader';
import { STAT_NAMES } from './stats';

export interface DatasetProblem {
  /** File the problem is in, relative to the dataset root. */
  file: string;
  message: string;
}

function probe(
  ffprobe: string,
  path: string,
): { frames: number; codec: string; pixFmt: string; width: number; height: number } | null {
  const r = spawnSync(ffprobe, [
    ...['-v', 'error', '-select_streams', 'v:0'],
    ...['-show_entries', 'stream=nb_frames,codec_name,pix_fmt,width,height', '-of', 'json', path],
  ]);
  if (r.status !== 0) return null;
  try {
    const s = (JSON.parse(r.stdout.toString()) as { streams: Record<string, unknown>[] }).streams[0];
    if (!s) return null;
    return {
      frames: Number(s.nb_frames),
      codec: String(s.codec_name),
      pixFmt: String(s.pix_fmt),
      width: Number(s.width),
      height: Number(s.height),
    };
  } catch {
    return null;
  }
}

export async function validateDataset(root: string): Promise<DatasetProblem[]> {
  const problems: DatasetProblem[] = [];
  const add = (file: string, message: string): void => {
    problems.push({ file, message });
  };
  let ds: DatasetReader;
  try {
    ds = await DatasetReader.open(root);
  } catch (err) {
    const msg = err instanceof DatasetError ? err.message : String(err);
    return [{ file: 'meta', message: msg }];
  }
  const { info, episodes } = ds;
  const fps = info.fps;
  const n = episodes.length;
  const totalFrames = episodes.reduce((s, e) => s + e.length, 0);
  if (info.total_episodes !== n)
    add('meta/info.json', `total_episodes is ${info.total_episodes} but the episodes table has ${n}.`);
  if (info.total_frames !== totalFrames)
    add('meta/info.json', `total_frames is ${info.total_frames} but episodes sum to ${totalFrames}.`);
  if (info.total_tasks !== ds.tasks.length)
    add(
      'meta/info.json',
      `total_tasks is ${info.total_tasks} but meta/tasks.parquet has ${ds.tasks.length}.`,
    );
  let expectFrom = 0;
  episodes.forEach((e, i) => {
    if (e.episode_index !== i)
      add('meta/episodes', `episode_index ${e.episode_index} at position ${i}: indices must be 0..${n - 1}.`);
    if (e.dataset_from_index !== expectFrom || e.dataset_to_index - e.dataset_from_index !== e.length) {
      add(
        'meta/episodes',
        `episode ${e.episode_index}: dataset_from/to_index ${e.dataset_from_index}..${e.dataset_to_index} do not match length ${e.length} from ${expectFrom}.`,
      );
    }
    expectFrom = e.dataset_to_index;
    for (const t of e.tasks)
      if (!ds.tasks.includes(t))
        add('meta/tasks.parquet', `task "${t}" of episode ${e.episode_index} is missing.`);
  });

  const nonVideo = Object.entries(info.features).filter(
    ([, f]) => f.dtype !== 'video' && f.dtype !== 'image',
  );
  for (const e of episodes) {
    const rel = relative(root, ds.dataFile(e.episode_index));
    if (!existsSync(join(root, rel))) {
      add(rel, `data file of episode ${e.episode_index} is missing.`);
      continue;
    }
    try {
      const d = await ds.loadEpisode(e.episode_index);
      for (const [k] of nonVideo)
        if (!(k in d.columns)) add(rel, `column ${k} (in info.json features) is missing.`);
      for (let i = 0; i < d.length; i++) {
        if (d.frameIndex[i] !== i) {
          add(rel, `episode ${e.episode_index}: frame_index ${d.frameIndex[i]} at row ${i}.`);
          break;
        }
        if (Math.abs((d.timestamps[i] as number) - i / fps) > 1e-4) {
          add(
            rel,
            `episode ${e.episode_index}: timestamp ${d.timestamps[i]} at frame ${i} is not frame_index/fps.`,
          );
          break;
        }
        if (Number(d.columns.index?.[i]) !== e.dataset_from_index + i) {
          add(
            rel,
            `episode ${e.episode_index}: index ${d.columns.index?.[i]} at frame ${i}, expected ${e.dataset_from_index + i}.`,
          );
          break;
        }
      }
      const ti = new Set(d.taskIndex);
      for (const t of ti)
        if (ds.tasks[t] === undefined) add(rel, `task_index ${t} is not in meta/tasks.parquet.`);
    } catch (err) {
      add(rel, err instanceof Error ? err.message : String(err));
    }
  }

  let ffprobe: string | null = null;
  try {
    ffprobe = join(dirname(findFfmpeg()), 'ffprobe');
    if (!existsSync(ffprobe)) ffprobe = null;
  } catch {}
  for (const e of episodes) {
    for (const key of ds.videoKeys) {
      const v = e.videos[key];
      if (!v) {
        add('meta/episodes', `episode ${e.episode_index} has no entry for video ${key}.`);
        continue;
      }
      const path = ds.videoFile(e.episode_index, key);
      const rel = relative(root, path);
      if (!existsSync(path)) {
        add(rel, `video of episode ${e.episode_index} is missing.`);
        continue;
      }
      if (Math.abs(v.to - v.from - e.length / fps) > 1e-4) {
        add(
          'meta/episodes',
          `episode ${e.episode_index} ${key}: from/to_timestamp span ${v.to - v.from}s but length is ${e.length / fps}s.`,
        );
      }
      if (!ffprobe) continue;
      const p = probe(ffprobe, path);
      const shape = info.features[key]?.shape ?? [];
      if (!p) add(rel, 'video cannot be read (truncated or not an mp4).');
      else {
        if (p.width !== shape[1] || p.height !== shape[0])
          add(rel, `video is ${p.width}x${p.height}, info.json says ${shape[1]}x${shape[0]}.`);
        if (p.frames + 1e-9 < Math.round(v.to * fps))
          add(
            rel,
            `video has ${p.frames} frames, episode ${e.episode_index} needs up to ${Math.round(v.to * fps)}.`,
          );
      }
    }
  }

  const stats = ds.stats;
  if (!stats) add('meta/stats.json', 'missing.');
  else if (n > 0) {
    for (const k of Object.keys(info.features)) {
      const s = stats[k];
      if (!s) {
        add('meta/stats.json', `no stats for feature ${k}.`);
        continue;
      }
      for (const name of STAT_NAMES) if (!(name in s)) add('meta/stats.json', `${k} lacks ${name}.`);
      const f = info.features[k];
      if (f && f.dtype !== 'video' && Number((s.count as number[])?.[0]) !== totalFrames) {
        add(
          'meta/stats.json',
          `${k} count ${(s.count as number[])?.[0]} differs from total_frames ${totalFrames}.`,
        );
      }
    }
  }

  for (const dir of ['data', 'videos', 'meta']) {
    const full = join(root, dir);
    if (!existsSync(full)) continue;
    for (const f of readdirSync(full, { recursive: true, encoding: 'utf8' })) {
      if (/\.partial$|\.tmp-\d+$/.test(f) || (dir === 'meta' && /^pending/.test(f) && f.endsWith('.json'))) {
        add(
          join(dir, f),
          'leftover of an interrupted recording; open the dataset for recording to clean it up.',
        );
      }
    }
  }
  return problems;
}
