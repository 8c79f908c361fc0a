import { createReadStream, existsSync, realpathSync, statSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { join, sep } from 'node:path';
import { runsDir } from './home';
import { allowedHosts, isLoopbackAddress, tokenMatches } from './web-security';

/** `/runs/<name>/report`: a run's self-contained HTML report, read-only. */
export const REPORT_PATH = /^\/runs\/([^/]+)\/report$/;

/** The report file of a run, or null for a name that could leave the runs folder. */
export function reportFile(run: string, root = runsDir()): string | null {
  if (!/^[A-Za-z0-9][\w.-]{0,63}$/.test(run) || run.includes('..')) return null;
  return join(root, run, 'report.html');
}

/** The report has no scripts: it may show its own styles, inline charts and videos beside it, nothing else. */
const REPORT_CSP =
  "default-src 'none'; style-src 'unsafe-inline'; img-src data:; media-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'; sandbox";

const text = (res: ServerResponse, status: number, message: string) =>
  res
    .writeHead(status, { 'content-type': 'text/plain; charset=utf-8', 'x-content-type-options': 'nosniff' })
    .end(message);

/**
 * Serve a run's report under the same rules as the API: loopback only, our own Host, the
 * launch token in the query. Returns false when the path is not a report path.
 */
export function serveReport(
  req: IncomingMessage,
  res: ServerResponse,
  opts: { port: number; token: string; runsRoot?: string },
): boolean {
  const url = new URL(req.url ?? '/', 'http://127.0.0.1');
  let path: string;
  try {
    path = decodeURIComponent(url.pathname);
  } catch {
    text(res, 400, 'Bad report path');
    return true;
  }
  if (!path.startsWith('/runs/')) return false;
  if (!allowedHosts(opts.port).has(req.headers.host ?? '') || !isLoopbackAddress(req.socket.remoteAddress)) {
    text(res, 403, 'Forbidden');
    return true;
  }
  if (!tokenMatches(opts.token, url.searchParams.get('token'))) {
    text(res, 401, 'Unauthorized: open the report from the app (its link carries the access token)');
    return true;
  }
  if (req.method !== 'GET' && req.method !== 'HEAD') {
    text(res, 405, 'Reports are read-only');
    return true;
  }
  const m = path.match(REPORT_PATH);
  const root = opts.runsRoot ?? runsDir();
  const file = m ? reportFile(m[1]!, root) : null;
  if (!m || !file) {
    text(res, 403, "Forbidden: not a run's report (reports are at /runs/<run name>/report)");
    return true;
  }
  if (!existsSync(file) || !statSync(file).isFile()) {
    text(
      res,
      404,
      `Run "${m[1]}" has no report: reports are written by \`pushcut demo\` and \`pushcut train rl\` into the run folder`,
    );
    return true;
  }
  // a symlinked report must still live inside the runs folder
  const real = realpathSync(file);
  if (!real.startsWith(realpathSync(root) + sep)) {
    text(res, 403, 'Forbidden: the report links outside the runs folder');
    return true;
  }
  res.writeHead(200, {
    'content-type': 'text/html; charset=utf-8',
    'content-security-policy': REPORT_CSP,
    'x-content-type-options': 'nosniff',
    'cache-control': 'no-store',
  });
  if (req.method === 'HEAD') res.end();
  else createReadStream(real).pipe(res);
  return true;
}
