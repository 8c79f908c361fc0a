import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { EventName } from '../core/api/contract';
import { ApiError } from '../core/api/errors';
import { REPORT_PATH, reportFile } from '../core/api/report-route';
import { appVersion } from '../core/api/serve';
import { StudioClient } from '../core/api/studio-client';
import { CONTENT_SECURITY_POLICY } from '../core/api/web-server';
import { EVENT_CHANNEL, INVOKE_CHANNEL } from './bridge';
import type { ElectronMain, WebContentsLike } from './electron-types';

/**
 * Electron main process: windows, security guards and the IPC relay. The Studio itself runs in a
 * process of its own, so robot control and training never block this event loop.
 */
const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, '..', '..');
const electronModule = 'electron';
const { app, BrowserWindow, ipcMain, session, shell } = (await import(electronModule)) as ElectronMain;

const studio = StudioClient.start(
  'electron',
  appVersion(),
  pathToFileURL(join(root, 'core/api/studio-host.ts')),
);
const rendererIndex = join(root, 'dist/renderer/index.html');

ipcMain.handle(INVOKE_CHANNEL, async (_event, command: unknown, args: unknown) => {
  try {
    // biome-ignore lint/suspicious/noExplicitAny: the Studio validates both against the contract
    return { ok: true, value: await studio.invoke(command as any, args as any) };
  } catch (err) {
    return { ok: false, error: ApiError.from(err).toShape() };
  }
});

function guard(contents: WebContentsLike): void {
  const allowed = pathToFileURL(rendererIndex).href;
  contents.on('will-navigate', (event: { preventDefault(): void }, url: string) => {
    if (url !== allowed) event.preventDefault();
  });
  // The Train panel's "Open report" link (/runs/<run>/report): open the run's report.html with the
  // system's browser, never inside the app; every other window.open stays refused.
  contents.setWindowOpenHandler(({ url }) => {
    try {
      const run = decodeURIComponent(new URL(url).pathname).match(REPORT_PATH)?.[1];
      const file = run ? reportFile(run) : null;
      if (file) void shell.openPath(file);
    } catch {
      // not a URL we know: refused like any other
    }
    return { action: 'deny' };
  });
}

async function createWindow(): Promise<void> {
  session.defaultSession.webRequest.onHeadersReceived((details, callback) => {
    callback({
      responseHeaders: { ...details.responseHeaders, 'Content-Security-Policy': [CONTENT_SECURITY_POLICY] },
    });
  });
  session.defaultSession.setPermissionRequestHandler((_wc, permission, callback) =>
    callback(permission === 'media'),
  );
  const win = new BrowserWindow({
    width: 1400,
    height: 900,
    title: 'Pushcut Studio',
    webPreferences: {
      preload: join(here, 'preload.cjs'),
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      webSecurity: true,
    },
  });
  guard(win.webContents);
  const off = studio.onAny((name: EventName, payload: unknown) => {
    if (!win.isDestroyed()) win.webContents.send(EVENT_CHANNEL, name, payload);
  });
  win.on('closed', off);
  await win.loadFile(rendererIndex);
}

app.on('web-contents-created', (_e: unknown, contents: WebContentsLike) => guard(contents));
app.on('window-all-closed', async () => {
  await studio.close();
  app.quit();
});
await app.whenReady();
await createWindow();
