import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { esc, svgChart } from './report';

export interface RobotRlEpisode {
  episode: number;
  end: string;
  reward: number;
  steps: number;
  interventionSteps: number;
  policyVersion: number;
}

export interface RobotRlUpdate {
  policyVersion: number;
  loss: number;
  clipFrac: number;
  entropy: number;
}

export interface RobotRlReport {
  title: string;
  createdAt: string;
  robot: string;
  task: string;
  from: string;
  settings: Record<string, unknown>;
  episodes: RobotRlEpisode[];
  updates: RobotRlUpdate[];
  outcome: string;
}

/** One self-contained HTML page for a real-robot RL session: episodes, labels, updates. */
export function writeRobotRlReport(dir: string, r: RobotRlReport): string {
  const successes = r.episodes.filter((e) => e.reward === 1).length;
  const byVersion = new Map<number, { n: number; ok: number }>();
  for (const e of r.episodes) {
    const v = byVersion.get(e.policyVersion) ?? { n: 0, ok: 0 };
    v.n++;
    v.ok += e.reward;
    byVersion.set(e.policyVersion, v);
  }
  const versions = [...byVersion.keys()].sort((a, b) => a - b);
  const rows = r.episodes
    .map(
      (e) =>
        `<tr><td>${e.episode}</td><td>v${e.policyVersion}</td><td>${e.reward === 1 ? 'success' : 'failure'}</td><td>${esc(e.end)}</td><td>${e.steps}</td><td>${e.interventionSteps}</td></tr>`,
    )
    .join('');
  const html = `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${esc(r.title)}</title>
<style>body{font-family:system-ui,sans-serif;max-width:960px;margin:24px auto;padding:0 16px;color:#1d232a}
table{border-collapse:collapse}td,th{border-bottom:1px solid #ddd;padding:4px 10px;text-align:left}
figure{margin:12px 0}figcaption{font-weight:600}.legend{font-size:12px}.muted{color:#777}pre{background:#f4f4f4;padding:8px;overflow:auto}</style></head><body>
<h1>${esc(r.title)}</h1>
<p class="muted">${esc(r.createdAt)} · ${esc(r.robot)} · "${esc(r.task)}" · from ${esc(r.from)}</p>
<p>${esc(r.outcome)} · ${successes}/${r.episodes.length} episodes labelled successful · ${r.updates.length} update(s)</p>
<h2>Success by policy version (labelled by the person)</h2>
${svgChart(
  'Success rate per policy version',
  versions,
  [{ label: 'success', values: versions.map((v) => byVersion.get(v)!.ok / byVersion.get(v)!.n) }],
  1,
)}
<h2>Updates</h2>
${svgChart(
  'GRPO update',
  r.updates.map((u) => u.policyVersion),
  [
    { label: 'loss', values: r.updates.map((u) => u.loss) },
    { label: 'clip fraction', values: r.updates.map((u) => u.clipFrac) },
  ],
)}
<h2>Episodes</h2>
<table><thead><tr><th>#</th><th>policy</th><th>label</th><th>ended by</th><th>steps</th><th>taken over</th></tr></thead><tbody>${rows}</tbody></table>
<h2>Settings</h2><pre>${esc(JSON.stringify(r.settings, null, 2))}</pre>
</body></html>`;
  const path = join(dir, 'report.html');
  writeFileSync(path, html);
  return path;
}
