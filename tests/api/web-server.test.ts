import { mkdtempSync, writeFileSync } from 'node:fs';
import { type IncomingMessage, request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import type { EventName, ServerFrame } from '../../core/api/contract';
import { Studio } from '../../core/api/studio';
import { isLoopbackAddress } from '../../core/api/web-security';
import { refuseUpgrade, startWebServer, type WebServer } from '../../core/api/web-server';

let server: WebServer;
let studio: Studio;
let staticDir: string;

beforeAll(async () => {
  staticDir = mkdtempSync(join(tmpdir(), 'pushcut-static-'));
  writeFileSync(join(staticDir, 'index.html'), '<!doctype html><title>Pushcut Studio</title>');
  studio = new Studio({ shell: 'test', version: '1.2.3', providers: [] });
  const relay = Object.assign(studio, {
    onAny: (l: (n: EventName, p: unknown) => void) => studio.on('log', (p) => l('log', p)),
  });
  server = await startWebServer({ studio: relay, staticDir, port: 0 });
});
afterAll(async () => {
  await server.close();
  await studio.close();
});

/** Open an API socket; resolves with the socket or the HTTP status the server refused with. */
function openSocket(path: string, headers: Record<string, string> = {}): Promise<WebSocket | number> {
  return new Promise((resolve) => {
    const ws = new WebSocket(`ws://127.0.0.1:${server.port}${path}`, { headers });
    ws.once('open', () => resolve(ws));
    ws.once('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0));
    ws.once('error', () => resolve(-1));
  });
}

const origin = () => ({ Origin: `http://127.0.0.1:${server.port}` });

describe('web-mode server', () => {
  it('serves the UI on loopback with a strict CSP and prints a URL with the token', async () => {
    expect(server.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/\?token=[\w-]{20,}$/);
    const res = await fetch(`http://127.0.0.1:${server.port}/`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-security-policy')).toContain("default-src 'self'");
    expect(await res.text()).toContain('Pushcut Studio');
  });

  it('answers API calls from its own page with the right token', async () => {
    const ws = await openSocket(`/api?token=${server.token}`, origin());
    expect(ws).toBeInstanceOf(WebSocket);
    const sock = ws as WebSocket;
    const reply = new Promise<ServerFrame>((r) => sock.once('message', (d) => r(JSON.parse(String(d)))));
    sock.send(JSON.stringify({ type: 'invoke', id: 7, command: 'app.info', args: {} }));
    const frame = await reply;
    expect(frame).toMatchObject({ type: 'result', id: 7, ok: true, value: { version: '1.2.3' } });
    sock.close();
  });

  it('answers a malformed frame with a clear error and keeps the socket open', async () => {
    const sock = (await openSocket(`/api?token=${server.token}`, origin())) as WebSocket;
    const next = () => new Promise<ServerFrame>((r) => sock.once('message', (d) => r(JSON.parse(String(d)))));
    let reply = next();
    sock.send('{not json');
    expect(await reply).toMatchObject({ ok: false, error: { message: expect.stringContaining('not JSON') } });
    reply = next();
    sock.send(JSON.stringify({ type: 'invoke', id: 8, command: 'robot.move', args: { target: 'up' } }));
    expect(await reply).toMatchObject({ id: 8, ok: false, error: { code: 'invalid_args', field: 'target' } });
    reply = next();
    sock.send(JSON.stringify({ type: 'invoke', id: 9, command: 'app.info', args: {} }));
    expect(await reply).toMatchObject({ id: 9, ok: true });
    sock.close();
  });

  it('refuses a page from another origin', async () => {
    expect(await openSocket(`/api?token=${server.token}`, { Origin: 'http://evil.example' })).toBe(403);
    expect(await openSocket(`/api?token=${server.token}`, { Origin: 'http://127.0.0.1:1' })).toBe(403);
  });

  it('refuses a missing or wrong token', async () => {
    expect(await openSocket('/api', origin())).toBe(401);
    expect(await openSocket('/api?token=wrong', origin())).toBe(401);
    expect(await openSocket(`/api?token=${server.token}x`, origin())).toBe(401);
  });

  it('refuses a foreign Host header (DNS rebinding)', async () => {
    expect(await openSocket(`/api?token=${server.token}`, { ...origin(), Host: 'attacker.example' })).toBe(
      403,
    );
    const status = await new Promise<number>((resolve) => {
      const req = request({
        host: '127.0.0.1',
        port: server.port,
        path: '/',
        headers: { Host: 'attacker.example' },
      });
      req.on('response', (res) => resolve(res.statusCode ?? 0)).end();
    });
    expect(status).toBe(403);
  });

  it('refuses connections that do not come from loopback', () => {
    const req = {
      socket: { remoteAddress: '192.168.1.20' },
      headers: { host: `127.0.0.1:${server.port}` },
      url: `/api?token=${server.token}`,
    } as unknown as IncomingMessage;
    expect(refuseUpgrade(req, server.port, server.token)?.status).toBe(403);
    expect(isLoopbackAddress('::ffff:127.0.0.1')).toBe(true);
    expect(isLoopbackAddress('::1')).toBe(true);
    expect(isLoopbackAddress('10.0.0.1')).toBe(false);
    expect(isLoopbackAddress('0.0.0.0')).toBe(false);
  });

  it('will not bind to a non-loopback address', async () => {
    await expect(startWebServer({ studio: studio as never, staticDir, host: '0.0.0.0' })).rejects.toThrow(
      /loopback only/,
    );
  });

  it('does not serve files outside the UI folder', async () => {
    const res = await fetch(`http://127.0.0.1:${server.port}/..%2f..%2fetc%2fpasswd`);
    expect(await res.text()).not.toContain('root:');
  });
});
