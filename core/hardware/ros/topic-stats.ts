import { type RosTime, timeToSec } from './messages';

export interface TopicStat {
  topic: string;
  type: string;
  messages: number;
  /** Messages per second over the recent window. */
  ratePerSec: number;
  /** Mean of (receive time - header.stamp) over the recent window, ms; null without stamps. */
  latencyMs: number | null;
  /** Time since the last message, ms; null before the first. */
  lastMessageAgeMs: number | null;
}

const WINDOW = 50;

/** Per-topic message rate and header-stamp latency, over the last 50 messages. */
export class TopicStats {
  private readonly entries = new Map<
    string,
    { type: string; count: number; arrivals: number[]; latencies: number[] }
  >();

  track(topic: string, type: string): void {
    if (!this.entries.has(topic)) this.entries.set(topic, { type, count: 0, arrivals: [], latencies: [] });
  }

  record(topic: string, stamp?: RosTime): void {
    const e = this.entries.get(topic);
    if (!e) return;
    const now = Date.now();
    e.count++;
    e.arrivals.push(performance.now());
    if (e.arrivals.length > WINDOW) e.arrivals.shift();
    const s = timeToSec(stamp);
    if (s > 0) {
      e.latencies.push(now - s * 1000);
      if (e.latencies.length > WINDOW) e.latencies.shift();
    }
  }

  snapshot(): TopicStat[] {
    const now = performance.now();
    return [...this.entries].map(([topic, e]) => {
      const first = e.arrivals[0];
      const last = e.arrivals[e.arrivals.length - 1];
      const span = first !== undefined && last !== undefined ? (last - first) / 1000 : 0;
      return {
        topic,
        type: e.type,
        messages: e.count,
        ratePerSec: span > 0 ? (e.arrivals.length - 1) / span : 0,
        latencyMs: e.latencies.length ? e.latencies.reduce((a, b) => a + b, 0) / e.latencies.length : null,
        lastMessageAgeMs: last === undefined ? null : now - last,
      };
    });
  }
}
