import { WebSocket } from 'ws';
import type { RosbridgeMessage } from '../../../core/hardware/virtual/rosbridge/codec';

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Poll `fn` until it returns a truthy value (or throw after `timeoutMs` with `what`). */
export async function until<T>(
  fn: () => T | Promise<T>,
  what: string,
  timeoutMs = 5000,
): Promise<NonNullable<T>> {
  const deadline = Date.now() + timeoutMs;
  let lastErr: unknown;
  while (Date.now() < deadline) {
    try {
      const v = await fn();
      if (v) return v as NonNullable<T>;
    } catch (e) {
      lastErr = e;
    }
    await sleep(20);
  }
  throw new Error(
    `timed out waiting for ${what}${lastErr ? ` (last error: ${(lastErr as Error).message})` : ''}`,
  );
}

/** A raw rosbridge client on `ws` that records every frame it receives. */
export class RawClient {
  readonly received: { text?: string; binary?: Buffer; json?: RosbridgeMessage }[] = [];
  private constructor(readonly ws: WebSocket) {
    ws.on('message', (data, isBinary) => {
      const buf = Buffer.isBuffer(data) ? data : Buffer.from(data as ArrayBuffer);
      if (isBinary) this.received.push({ binary: buf });
      else {
        const text = buf.toString('utf8');
        let json: RosbridgeMessage | undefined;
        try {
          json = JSON.parse(text);
        } catch {
          json = undefined;
        }
        this.received.push({ text, json });
      }
    });
  }

  static async open(url: string): Promise<RawClient> {
    const ws = new WebSocket(url);
    await new Promise<void>((resolve, reject) => {
      ws.once('open', () => resolve());
      ws.once('error', reject);
    });
    return new RawClient(ws);
  }

  send(msg: unknown): void {
    this.ws.send(typeof msg === 'string' ? msg : JSON.stringify(msg));
  }

  sendBinary(bytes: Uint8Array): void {
    this.ws.send(bytes, { binary: true });
  }

  messages(): RosbridgeMessage[] {
    return this.received.flatMap((r) => (r.json ? [r.json] : []));
  }

  async waitFor(
    pred: (m: RosbridgeMessage) => boolean,
    what: string,
    timeoutMs = 3000,
  ): Promise<RosbridgeMessage> {
    return until(() => this.messages().find(pred), what, timeoutMs);
  }

  clear(): void {
    this.received.length = 0;
  }

  close(): void {
    this.ws.terminate();
  }
}
