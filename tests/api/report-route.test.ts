import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EventName } from '../../core/api/contract';
import { Studio } from '../../core/api/studio';
import { startWebServer, type WebServer } from '../../core/api/web-server';

const home = mkdtempSync(join(tmpdir(), 'pushcut-report-route-'));
let server: WebServer;
let studio: Studio;
const previousHome = process.env.PUSHCUT_HOME;

beforeAll(async () => {
  process.env.PUSHCUT_HOME = home;
  const run = (name: string, report?: string) => {
    mkdirSync(join(home, 'runs', name), { recursive: true });
    writeFileSync(
      join(home, 'runs', name, 'run.json'),
      JSON.stringify({ name, kind: 'rl', createdAt: new Date().toISOString(), state: 'done', config: {} }),
    );
    if (report) writeFileSync(join(home, 'runs', name, 'report.html'), report);
  };
  run('with-report', '<!doctype html><h1>RL report</h1>');
  run('no-report');
  writeFileSync(join(home, 'secret.html'), 'secret');
  run('linked');
  symlinkSync(join(home, 'secret.html'), join(home, 'runs', 'linked', 'report.html'));
  const staticDir = mkdtempSync(join(tmpdir(), 'pushcut-static-'));
  writeFileSync(join(staticDir, 'index.html'), '<!doctype html><title>Pushcut Studio</title>');
  studio = new Studio({ shell: 'test', version: '0', providers: [] });
  const relay = Object.assign(studio, {
    onAny: (l: (n: EventName, p: unknown) => void) => studio.on('log', (p) => l('log', p)),
  });
  server = await startWebServer({ studio: relay, staticDir, port: 0 });
});
afterAll(async () => {
  await server.close();
  await studio.close();
  if (previousHome === undefined) delete process.env.PUSHCUT_HOME;
  else process.env.PUSHCUT_HOME = previousHome;
  rmSync(home, { recursive: true, force: true });
});

/** A raw GET (no client-side path normalisation, so traversal attempts reach the server as sent). */
function get(
  path: string,
  host = `127.0.0.1:${server.port}`,
): Promise<{ status: number; body: string; csp?: string }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port: server.port, path, headers: { host } }, (res) => {
      let body = '';
      res.on('data', (d) => (body += d));
      res.on('end', () =>
        resolve({
          status: res.statusCode ?? 0,
          body,
          csp: res.headers['content-security-policy'] as string | undefined,
        }),
      );
    });
    req.on('error', reject);
    req.end();
  });
}

describe("a run's report over the web server", () => {
  it('serves the report read-only with the launch token, under a CSP that allows no script', async () => {
    const r = await get(`/runs/with-report/report?token=${server.token}`);
    expect(r.status).toBe(200);
    expect(r.body).toContain('RL report');
    expect(r.csp).toContain("default-src 'none'");
    expect(r.csp).toContain('sandbox');
  });

  it('lists which runs have a report, for the Train panel link', async () => {
    const runs = await studio.invoke('runs.list', {});
    expect(Object.fromEntries(runs.map((r) => [r.name, r.report ?? false]))).toEqual({
      'with-report': true,
      'no-report': false,
      linked: true,
    });
  });

  it('refuses a missing token, another Host, traversal and a report linking outside the runs folder', async () => {
    expect((await get('/runs/with-report/report')).status).toBe(401);
    expect((await get(`/runs/with-report/report?token=x${server.token}`)).status).toBe(401);
    expect(
      (await get(`/runs/with-report/report?token=${server.token}`, `evil.example:${server.port}`)).status,
    ).toBe(403);
    for (const path of ['/runs/..%2F..%2Fsecret.html/report', '/runs/a%2Fb/report', '/runs/.hidden/report']) {
      const r = await get(`${path}?token=${server.token}`);
      expect(r.status, path).toBe(403);
      expect(r.body).not.toBe('secret');
    }
    // dot segments are resolved before routing: this is the UI's fallback page, never the file
    for (const path of ['/runs/../secret.html', '/runs/%2e%2e/%2e%2e/secret.html'])
      expect((await get(`${path}?token=${server.token}`)).body).not.toBe('secret');
    const linked = await get(`/runs/linked/report?token=${server.token}`);
    expect(linked.status).toBe(403);
    expect(linked.body).toMatch(/outside the runs folder/);
  });

  it('answers a run without a report with 404 and says where reports come from', async () => {
    const r = await get(`/runs/no-report/report?token=${server.token}`);
    expect(r.status).toBe(404);
    expect(r.body).toMatch(/Run "no-report" has no report: .*pushcut demo/);
  });
});
