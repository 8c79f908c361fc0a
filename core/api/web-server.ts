import { randomBytes } from 'node:crypto';
import { createReadStream, existsSync, statSync } from 'node:fs';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { extname, join, normalize, sep } from 'node:path';
import { type WebSocket, WebSocketServer } from 'ws';
import type { ClientFrame, CommandName, EventName, ServerFrame, StudioApi } from './contract';
import { ApiError } from './errors';
import { serveReport } from './report-route';
import {
  allowedHosts,
  allowedOrigins,
  isLoopbackAddress,
  isLoopbackHost,
  tokenMatches,
} from './web-security';

export interface WebServerOptions {
  studio: StudioApi & { onAny(listener: (name: EventName, payload: unknown) => void): () => void };
  /** Folder with the built renderer (index.html). */
  staticDir: string;
  port?: number;
  host?: string;
  token?: string;
}

export interface WebServer {
  url: string;
  port: number;
  token: string;
  close(): Promise<void>;
}

const MIME: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.json': 'application/json',
  '.mp4': 'video/mp4',
  '.woff2': 'font/woff2',
};

export const CONTENT_SECURITY_POLICY =
  "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data: blob:; media-src 'self' blob:; connect-src 'self' ws://127.0.0.1:* ws://localhost:*; object-src 'none'; base-uri 'none'; frame-ancestors 'none'";

/** Frames above this many buffered bytes are dropped for display streams (a slow tab must not stall us). */
const MAX_BUFFERED = 4 * 1024 * 1024;

/**
 * Web mode: the built renderer plus the Studio API over a WebSocket, on loopback only. A robot is a
 * physical hazard, so every API connection must come from this machine, from our own page's Origin,
 * with the per-launch token printed in the URL.
 */
export async function startWebServer(options: WebServerOptions): Promise<WebServer> {
  const host = options.host ?? '127.0.0.1';
  if (!isLoopbackHost(host)) {
    throw new Error(
      `Refusing to serve on "${host}": web mode drives a robot and binds to loopback only (use 127.0.0.1)`,
    );
  }
  const token = options.token ?? randomBytes(24).toString('base64url');
  let port = options.port ?? 0;

  const http = createServer((req, res) => {
    if (!serveReport(req, res, { port, token })) serveStatic(req, res, options.staticDir, port);
  });
  const wss = new WebSocketServer({ noServer: true, maxPayload: 1024 * 1024 });

  http.on('upgrade', (req, socket, head) => {
    const refusal = refuseUpgrade(req, port, token);
    if (refusal) {
      socket.end(`HTTP/1.1 ${refusal.status} ${refusal.reason}\r\nConnection: close\r\n\r\n`);
      return;
    }
    wss.handleUpgrade(req, socket, head, (ws) => relay(ws, options.studio));
  });

  await new Promise<void>((resolve, reject) => {
    http.once('error', (err: NodeJS.ErrnoException) =>
      reject(
        err.code === 'EADDRINUSE'
          ? new Error(`Port ${port} is in use: choose another with --port (or PUSHCUT_PORT)`)
          : err,
      ),
    );
    http.listen(port, host, () => resolve());
  });
  port = (http.address() as AddressInfo).port;
  const url = `http://127.0.0.1:${port}/?token=${token}`;
  return {
    url,
    port,
    token,
    close: async () => {
      for (const ws of wss.clients) ws.terminate();
      await new Promise<void>((r) => wss.close(() => r()));
      http.closeAllConnections();
      await new Promise<void>((r) => http.close(() => r()));
    },
  };
}

/** Why an API connection is refused, or null when it may proceed. */
export function refuseUpgrade(
  req: IncomingMessage,
  port: number,
  token: string,
): { status: number; reason: string } | null {
  if (!isLoopbackAddress(req.socket.remoteAddress))
    return { status: 403, reason: 'Forbidden (not loopback)' };
  if (!allowedHosts(port).has(req.headers.host ?? '')) return { status: 403, reason: 'Forbidden (bad Host)' };
  const origin = req.headers.origin;
  // Browsers always send Origin on WebSockets; a page from any other origin must never reach the arm.
  if (origin !== undefined && !allowedOrigins(port).has(origin)) {
    return { status: 403, reason: 'Forbidden (bad Origin)' };
  }
  const url = new URL(req.url ?? '/', 'http://127.0.0.1');
  if (url.pathname !== '/api') return { status: 404, reason: 'Not Found' };
  if (!tokenMatches(token, url.searchParams.get('token')))
    return { status: 401, reason: 'Unauthorized (token)' };
  return null;
}

function relay(ws: WebSocket, studio: WebServerOptions['studio']): void {
  const send = (frame: ServerFrame) => {
    if (ws.readyState === ws.OPEN) ws.send(JSON.stringify(frame));
  };
  const off = studio.onAny((name, payload) => {
    if (name === 'observation' && ws.bufferedAmount > MAX_BUFFERED) return;
    send({ type: 'event', name, payload });
  });
  ws.on('close', off);
  ws.on('message', async (data) => {
    let frame: ClientFrame;
    try {
      frame = parseClientFrame(data.toString());
    } catch (err) {
      send({ type: 'result', id: -1, ok: false, error: ApiError.from(err).toShape() });
      return;
    }
    try {
      // biome-ignore lint/suspicious/noExplicitAny: the Studio validates arguments against the contract
      const value = await studio.invoke(frame.command as CommandName, frame.args as any);
      send({ type: 'result', id: frame.id, ok: true, value });
    } catch (err) {
      send({ type: 'result', id: frame.id, ok: false, error: ApiError.from(err).toShape() });
    }
  });
}

export function parseClientFrame(text: string): ClientFrame {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    throw new ApiError('invalid_args', 'Malformed frame: not JSON');
  }
  const f = raw as Partial<ClientFrame>;
  if (typeof f !== 'object' || f === null || f.type !== 'invoke' || typeof f.id !== 'number') {
    throw new ApiError('invalid_args', 'Malformed frame: expected {type:"invoke", id:number, command, args}');
  }
  if (typeof f.command !== 'string')
    throw new ApiError('invalid_args', 'Malformed frame: command must be a string');
  return { type: 'invoke', id: f.id, command: f.command, args: f.args ?? {} };
}

function serveStatic(req: IncomingMessage, res: ServerResponse, root: string, port: number): void {
  if (!allowedHosts(port).has(req.headers.host ?? '') || !isLoopbackAddress(req.socket.remoteAddress)) {
    res.writeHead(403).end('Forbidden');
    return;
  }
  const path = decodeURIComponent(new URL(req.url ?? '/', 'http://127.0.0.1').pathname);
  const file = normalize(join(root, path === '/' ? 'index.html' : path));
  if (!file.startsWith(normalize(root) + sep) && file !== normalize(root)) {
    res.writeHead(403).end('Forbidden');
    return;
  }
  if (!existsSync(join(root, 'index.html'))) {
    res.writeHead(503, { 'content-type': 'text/plain' }).end('The UI is not built yet: run `npm run build`.');
    return;
  }
  const target = existsSync(file) && statSync(file).isFile() ? file : join(root, 'index.html');
  res.writeHead(200, {
    'content-type': MIME[extname(target)] ?? 'application/octet-stream',
    'content-security-policy': CONTENT_SECURITY_POLICY,
    'x-content-type-options': 'nosniff',
    'cache-control': 'no-store',
  });
  createReadStream(target).pipe(res);
}
