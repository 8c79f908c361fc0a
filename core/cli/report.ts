import { writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';

export interface DemoReport {
  title: string;
  createdAt: string;
  config: Record<string, unknown>;
  versions: Record<string, string>;
  wallSeconds: Record<string, number>;
  demos: { episodes: number; successes: number; dataset: string };
  sftLoss: { step: number; loss: number; valLoss: number | null }[];
  rlUpdates: {
    update: number;
    successByTask: Record<string, number>;
    groupsKept: number;
    groupsDropped: number;
    clipFrac: number | null;
    entropy: number | null;
  }[];
  before: Record<string, number>;
  after: Record<string, number>;
  pushcuts: {
    summary: string;
    strategies: {
      name: string;
      description: string;
      isPushcut: boolean;
      firstSeenStep: number;
      successes: number;
      videos: string[];
    }[];
  };
  notes: string[];
}

export const esc = (s: string) =>
  s.replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c]!);
const pct = (v: number | undefined) => (v === undefined ? '—' : `${(v * 100).toFixed(0)}%`);
const layouts = (spread: unknown) =>
  typeof spread === 'number'
    ? `objects within ±${(spread * 100).toFixed(1)} cm of one nominal scene (LIBERO-style)`
    : 'objects anywhere in the workspace';
const COLORS = ['#2a9d8f', '#e76f51', '#264653', '#f4a261', '#8e7dbe', '#e9c46a', '#6a994e'];

/** A line chart as inline SVG (the report must open anywhere, offline, as one file). */
export function svgChart(
  title: string,
  x: number[],
  series: { label: string; values: (number | null)[] }[],
  yMax?: number,
): string {
  const w = 560;
  const h = 200;
  const pad = 34;
  const all = series.flatMap((s) => s.values.filter((v): v is number => v !== null && Number.isFinite(v)));
  if (x.length === 0 || all.length === 0) return `<p class="muted">${esc(title)}: no data.</p>`;
  const x0 = Math.min(...x);
  const x1 = Math.max(...x, x0 + 1);
  const y0 = yMax === undefined ? Math.min(...all) : 0;
  const y1 = yMax ?? Math.max(...all, y0 + 1e-6);
  const px = (v: number) => pad + ((v - x0) / (x1 - x0)) * (w - 2 * pad);
  const py = (v: number) => h - pad - ((v - y0) / (y1 - y0 || 1)) * (h - 2 * pad);
  const lines = series
    .map((s, i) => {
      const pts = s.values
        .map((v, k) =>
          v === null || !Number.isFinite(v) ? null : `${px(x[k]!).toFixed(1)},${py(v).toFixed(1)}`,
        )
        .filter(Boolean)
        .join(' ');
      return `<polyline fill="none" stroke="${COLORS[i % COLORS.length]}" stroke-width="2" points="${pts}"/>`;
    })
    .join('');
  const legend = series
    .map((s, i) => `<span style="color:${COLORS[i % COLORS.length]}">● ${esc(s.label)}</span>`)
    .join(' ');
  return `<figure><figcaption>${esc(title)}</figcaption><svg viewBox="0 0 ${w} ${h}" width="${w}" height="${h}" role="img" aria-label="${esc(title)}">
<line x1="${pad}" y1="${h - pad}" x2="${w - pad}" y2="${h - pad}" stroke="#999"/><line x1="${pad}" y1="${pad}" x2="${pad}" y2="${h - pad}" stroke="#999"/>
<text x="4" y="${pad}" font-size="10">${y1.toFixed(2)}</text><text x="4" y="${h - pad}" font-size="10">${y0.toFixed(2)}</text>
<text x="${pad}" y="${h - 8}" font-size="10">${x0}</text><text x="${w - pad - 20}" y="${h - 8}" font-size="10">${x1}</text>${lines}</svg>
<div class="legend">${legend}</div></figure>`;
}

/** Write report.html, metrics.json and metrics.csv into `dir`; returns the report's path. */
export function writeReport(dir: string, r: DemoReport): string {
  const path = join(dir, 'report.html');
  writeFileSync(path, reportHtml(dir, r));
  writeFileSync(join(dir, 'metrics.json'), `${JSON.stringify(r, null, 2)}\n`);
  const csv = ['update,task,rollout_success,groups_kept,groups_dropped,clip_frac,entropy'];
  for (const u of r.rlUpdates) {
    for (const [t, v] of Object.entries(u.successByTask)) {
      csv.push([u.update, t, v, u.groupsKept, u.groupsDropped, u.clipFrac ?? '', u.entropy ?? ''].join(','));
    }
  }
  writeFileSync(join(dir, 'metrics.csv'), `${csv.join('\n')}\n`);
  return path;
}

/** The report as one HTML page; links to videos are relative to `dir`, where the page will live. */
export function reportHtml(dir: string, r: DemoReport): string {
  const tasks = [...new Set([...Object.keys(r.before), ...Object.keys(r.after)])];
  const avg = (m: Record<string, number>) => {
    const v = Object.values(m);
    return v.length ? v.reduce((a, b) => a + b, 0) / v.length : undefined;
  };
  const rows = tasks
    .map((t) => `<tr><td>${esc(t)}</td><td>${pct(r.before[t])}</td><td>${pct(r.after[t])}</td></tr>`)
    .join('');
  const ux = r.rlUpdates.map((u) => u.update);
  const strategies = r.pushcuts.strategies
    .map(
      (
        s,
      ) => `<div class="strategy"><h3>${s.isPushcut ? '<span class="badge">PUSHCUT</span> ' : ''}${esc(s.name)}</h3>
<p>${esc(s.description)} · ${s.successes} successes · first seen at RL step ${s.firstSeenStep}</p>
${s.videos.map((v) => `<video src="${esc(relative(dir, v))}" controls loop muted width="192"></video> <a href="${esc(relative(dir, v))}">${esc(relative(dir, v))}</a>`).join(' ')}</div>`,
    )
    .join('');
  const html = `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${esc(r.title)}</title>
<style>body{font-family:system-ui,sans-serif;max-width:960px;margin:24px auto;padding:0 16px;color:#1d232a}
table{border-collapse:collapse}td,th{border-bottom:1px solid #ddd;padding:4px 10px;text-align:left}
figure{margin:12px 0}figcaption{font-weight:600}.legend{font-size:12px}.muted{color:#777}
.badge{background:#2a9d8f;color:#fff;padding:1px 6px;border-radius:4px;font-size:11px}pre{background:#f4f4f4;padding:8px;overflow:auto}</style></head><body>
<h1>${esc(r.title)}</h1><p class="muted">${esc(r.createdAt)} · demos ${r.demos.successes}/${r.demos.episodes} successful · wall clock ${Object.entries(
    r.wallSeconds,
  )
    .map(([k, v]) => `${k} ${v.toFixed(0)} s`)
    .join(', ')}</p>
<h2>Success before and after RL (greedy, simulator)</h2>
<p class="muted">${esc(String(r.config.evalEpisodes ?? '?'))} new layouts per task, ${esc(layouts(r.config.layoutSpread))}.</p>
<table><thead><tr><th>task</th><th>after SFT</th><th>after RL</th></tr></thead><tbody>${rows}
<tr><th>average</th><th>${pct(avg(r.before))}</th><th>${pct(avg(r.after))}</th></tr></tbody></table>
<h2>Learning</h2>
${svgChart(
  'SFT loss',
  r.sftLoss.map((p) => p.step),
  [
    { label: 'loss', values: r.sftLoss.map((p) => p.loss) },
    { label: 'validation', values: r.sftLoss.map((p) => p.valLoss) },
  ],
)}
${svgChart(
  'Rollout success per task over RL updates (temperature sampling)',
  ux,
  tasks.map((t) => ({ label: t, values: r.rlUpdates.map((u) => u.successByTask[t] ?? null) })),
  1,
)}
${svgChart('Groups kept / dropped per update (dynamic sampling)', ux, [
  { label: 'kept', values: r.rlUpdates.map((u) => u.groupsKept) },
  { label: 'dropped', values: r.rlUpdates.map((u) => u.groupsDropped) },
])}
<h2>Pushcuts</h2><p>${esc(r.pushcuts.summary)}</p>${strategies || '<p class="muted">No strategy beyond the demonstrations was found in this run.</p>'}
${r.notes.length ? `<h2>Notes</h2><ul>${r.notes.map((n) => `<li>${esc(n)}</li>`).join('')}</ul>` : ''}
<h2>Configuration</h2><pre>${esc(JSON.stringify({ config: r.config, versions: r.versions }, null, 2))}</pre>
</body></html>`;
  return html;
}
