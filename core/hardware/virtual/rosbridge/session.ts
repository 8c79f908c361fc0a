import type { WebSocket } from 'ws';
import { serializeCdr } from './cdr';
import { type Compression, encodeFrames, FragmentAssembler, type RosbridgeMessage } from './codec';

export type StatusLevel = 'none' | 'error' | 'warning' | 'info';
const LEVEL_RANK: Record<StatusLevel, number> = { none: 0, error: 1, warning: 2, info: 3 };

export interface SubscribeOptions {
  throttleRate: number;
  queueLength: number;
  fragmentSize?: number;
  compression: Compression;
}

/** One published message, encoded at most once per (compression, fragment size). */
export class Outgoing {
  private cache = new Map<string, (string | Uint8Array)[]>();

  constructor(
    readonly topic: string,
    readonly type: string,
    readonly msg: unknown,
  ) {}

  frames(compression: Compression, fragmentSize?: number): (string | Uint8Array)[] {
    const key = `${compression}:${fragmentSize ?? 0}`;
    let f = this.cache.get(key);
    if (!f) {
      let msg = this.msg;
      if (compression === 'cbor-raw') {
        const bytes = serializeCdr(this.type, this.msg);
        const ms = Date.now();
        if (bytes) msg = { secs: Math.floor(ms / 1000), nsecs: (ms % 1000) * 1e6, bytes };
      }
      f = encodeFrames({ op: 'publish', topic: this.topic, msg }, compression, fragmentSize);
      this.cache.set(key, f);
    }
    return f;
  }
}

interface TopicSubscription {
  /** Options per subscribe id; the effective options combine them (minimum throttle, ...). */
  byId: Map<string, SubscribeOptions>;
  effective: SubscribeOptions;
  lastSent: number;
  queue: Outgoing[];
  timer: NodeJS.Timeout | null;
}

function combine(all: Iterable<SubscribeOptions>): SubscribeOptions {
  const list = [...all];
  const last = list[list.length - 1]!;
  const frags = list.map((o) => o.fragmentSize).filter((f): f is number => f !== undefined);
  return {
    throttleRate: Math.min(...list.map((o) => o.throttleRate)),
    queueLength: Math.max(...list.map((o) => o.queueLength)),
    fragmentSize: frags.length ? Math.min(...frags) : undefined,
    compression: last.compression,
  };
}

/** One connected WebSocket client: its subscriptions, status level and fragment buffers. */
export class ClientSession {
  level: StatusLevel = 'error';
  readonly subscriptions = new Map<string, TopicSubscription>();
  readonly advertisedTopics = new Set<string>();
  readonly advertisedServices = new Set<string>();
  readonly advertisedActions = new Set<string>();
  readonly fragments: FragmentAssembler;
  dropped = 0;

  constructor(
    readonly id: number,
    private readonly ws: WebSocket,
    private readonly maxBufferedBytes: number,
    fragmentLimits: { maxBytes: number; maxPending: number; timeoutMs: number },
  ) {
    this.fragments = new FragmentAssembler(fragmentLimits);
  }

  get open(): boolean {
    return this.ws.readyState === this.ws.OPEN;
  }

  sendFrames(frames: (string | Uint8Array)[]): boolean {
    if (!this.open) return false;
    if (this.ws.bufferedAmount > this.maxBufferedBytes) {
      this.dropped++;
      return false;
    }
    for (const f of frames) this.ws.send(f, { binary: typeof f !== 'string' });
    return true;
  }

  send(message: RosbridgeMessage, compression: Compression = 'none', fragmentSize?: number): void {
    this.sendFrames(encodeFrames(message, compression, fragmentSize));
  }

  status(level: Exclude<StatusLevel, 'none'>, msg: string, id?: string): void {
    if (LEVEL_RANK[level] > LEVEL_RANK[this.level]) return;
    const m: RosbridgeMessage = { op: 'status', level, msg };
    if (id !== undefined) m.id = id;
    this.send(m);
  }

  subscribe(topic: string, sid: string, options: SubscribeOptions): void {
    let sub = this.subscriptions.get(topic);
    if (!sub) {
      sub = { byId: new Map(), effective: options, lastSent: 0, queue: [], timer: null };
      this.subscriptions.set(topic, sub);
    }
    sub.byId.set(sid, options);
    sub.effective = combine(sub.byId.values());
  }

  /** Remove one subscribe id (or all for the topic); true when the topic has none left. */
  unsubscribe(topic: string, sid?: string): boolean {
    const sub = this.subscriptions.get(topic);
    if (!sub) return true;
    if (sid !== undefined && sub.byId.size > 1) {
      sub.byId.delete(sid);
      sub.effective = combine(sub.byId.values());
      return false;
    }
    if (sub.timer) clearTimeout(sub.timer);
    this.subscriptions.delete(topic);
    return true;
  }

  /** Deliver a published message, honouring throttle_rate and queue_length. */
  deliver(out: Outgoing): void {
    const sub = this.subscriptions.get(out.topic);
    if (!sub) return;
    const { throttleRate, queueLength, compression, fragmentSize } = sub.effective;
    const now = Date.now();
    if (throttleRate <= 0 || (now - sub.lastSent >= throttleRate && sub.queue.length === 0)) {
      sub.lastSent = now;
      this.sendFrames(out.frames(compression, fragmentSize));
      return;
    }
    if (queueLength <= 0) return;
    sub.queue.push(out);
    if (sub.queue.length > queueLength) sub.queue.splice(0, sub.queue.length - queueLength);
    this.scheduleFlush(out.topic, sub);
  }

  private scheduleFlush(topic: string, sub: TopicSubscription): void {
    if (sub.timer) return;
    const wait = Math.max(0, sub.lastSent + sub.effective.throttleRate - Date.now());
    sub.timer = setTimeout(() => {
      sub.timer = null;
      if (this.subscriptions.get(topic) !== sub) return;
      const next = sub.queue.shift();
      if (!next) return;
      sub.lastSent = Date.now();
      this.sendFrames(next.frames(sub.effective.compression, sub.effective.fragmentSize));
      if (sub.queue.length) this.scheduleFlush(topic, sub);
    }, wait);
  }

  dispose(): void {
    for (const sub of this.subscriptions.values()) if (sub.timer) clearTimeout(sub.timer);
    this.subscriptions.clear();
  }
}
