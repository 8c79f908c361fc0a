/**
 * The slice of Electron's main-process API this app uses. Electron is an optional dependency (its
 * binary cannot always be downloaded), so the main process types against this instead of the package.
 */
export interface WebContentsLike {
  on(event: 'will-navigate', listener: (event: { preventDefault(): void }, url: string) => void): void;
  setWindowOpenHandler(handler: (details: { url: string }) => { action: 'deny' | 'allow' }): void;
  send(channel: string, ...args: unknown[]): void;
}

interface BrowserWindowLike {
  webContents: WebContentsLike;
  isDestroyed(): boolean;
  on(event: 'closed', listener: () => void): void;
  loadFile(path: string): Promise<void>;
}

type HeadersListener = (
  details: { responseHeaders?: Record<string, string[]> },
  callback: (response: { responseHeaders: Record<string, string[]> }) => void,
) => void;

export interface ElectronMain {
  app: {
    on(event: string, listener: (...args: never[]) => void): void;
    whenReady(): Promise<void>;
    quit(): void;
  };
  BrowserWindow: new (options: Record<string, unknown>) => BrowserWindowLike;
  shell: { openPath(path: string): Promise<string> };
  ipcMain: {
    handle(channel: string, listener: (event: unknown, ...args: never[]) => Promise<unknown>): void;
  };
  session: {
    defaultSession: {
      webRequest: { onHeadersReceived(listener: HeadersListener): void };
      setPermissionRequestHandler(
        handler: (wc: unknown, permission: string, callback: (ok: boolean) => void) => void,
      ): void;
    };
  };
}
