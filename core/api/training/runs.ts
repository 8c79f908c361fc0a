import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { StagesReached } from '../../sim/episode-stages';
import { runsDir } from '../home';

/** What a run folder's run.json records: how it was made and what came out. */
export interface RunRecord {
  name: string;
  kind: 'sft' | 'rl';
  createdAt: string;
  state: 'running' | 'done' | 'failed' | 'cancelled';
  dataset?: string;
  from?: string;
  config: Record<string, unknown>;
  result?: Record<string, unknown>;
  /** Greedy success per task in the simulator, from the latest evaluation. */
  evaluation?: {
    at: string;
    episodesPerTask: number;
    successByTask: Record<string, number>;
    /** Share of episodes per task that got this far (core/sim/episode-stages). */
    stagesByTask?: Record<string, Record<keyof StagesReached, number>>;
    average: number;
    layoutSpread?: number;
  };
  message?: string;
  /** The run folder holds report.html (set when listing). */
  report?: boolean;
}

export const runDir = (name: string): string => join(runsDir(), name);
export const policyPath = (name: string): string => join(runDir(name), 'policy.onnx');

export function readRun(name: string): RunRecord | null {
  const file = join(runDir(name), 'run.json');
  if (!existsSync(file)) return null;
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as RunRecord;
  } catch {
    return null;
  }
}

export function writeRun(run: RunRecord): void {
  writeFileSync(join(runDir(run.name), 'run.json'), `${JSON.stringify(run, null, 2)}\n`);
}

export function listRuns(): RunRecord[] {
  if (!existsSync(runsDir())) return [];
  return readdirSync(runsDir())
    .map((name) => {
      const r = readRun(name);
      return r && existsSync(join(runDir(name), 'report.html')) ? { ...r, report: true } : r;
    })
    .filter((r): r is RunRecord => r !== null)
    .sort((a, b) => b.createdAt.localeCompare(a.createdAt));
}

/** The metrics a run appended, one JSON object per line (a torn last line from a crash is skipped). */
export function readMetrics(name: string, dir = runDir(name)): Record<string, unknown>[] {
  const file = join(dir, 'metrics.jsonl');
  if (!existsSync(file)) return [];
  return readFileSync(file, 'utf8')
    .split('\n')
    .filter(Boolean)
    .flatMap((line) => {
      try {
        return [JSON.parse(line) as Record<string, unknown>];
      } catch {
        return [];
      }
    });
}
