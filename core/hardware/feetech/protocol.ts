import type { BusProtocol, Frame, FrameParser, SyncWriteEntry } from '../serial/protocol';
import { STS_BAUD_CODES, STS_CONTROL_TABLE } from './control-table';

/** Feetech STS/SMS packets: `FF FF ID LEN INSTR|ERR PARAMS... CHK`, LEN = params + 2. */
export const FEETECH_INSTRUCTION = {
  PING: 0x01,
  READ: 0x02,
  WRITE: 0x03,
  REG_WRITE: 0x04,
  ACTION: 0x05,
  SYNC_READ: 0x82,
  SYNC_WRITE: 0x83,
} as const;

export const FEETECH_BROADCAST_ID = 0xfe;

const ERROR_BITS: [number, string][] = [
  [1, 'input voltage'],
  [2, 'angle sensor'],
  [4, 'overheat'],
  [8, 'overcurrent'],
  [32, 'overload'],
];

export function feetechChecksum(bytes: Uint8Array, start: number, end: number): number {
  let sum = 0;
  for (let i = start; i < end; i++) sum += bytes[i]!;
  return ~sum & 0xff;
}

/** Build a packet (instruction or status: same framing). */
export function feetechPacket(id: number, code: number, params: ArrayLike<number>): Uint8Array {
  if (params.length + 2 > 0xff) throw new RangeError(`Feetech packet too long: ${params.length} params`);
  const out = new Uint8Array(params.length + 6);
  out[0] = 0xff;
  out[1] = 0xff;
  out[2] = id;
  out[3] = params.length + 2;
  out[4] = code;
  out.set(params as ArrayLike<number>, 5);
  out[out.length - 1] = feetechChecksum(out, 2, out.length - 1);
  return out;
}

/**
 * Streaming frame parser: finds `FF FF`, checks the checksum, and on any mismatch drops one byte
 * and searches again, so it resynchronises on garbage without losing a following good frame.
 */
export class FeetechFrameParser implements FrameParser {
  private buf: Uint8Array = new Uint8Array(0);
  discarded = 0;

  reset(): void {
    this.discarded += this.buf.length;
    this.buf = new Uint8Array(0);
  }

  /** Start of the first complete frame with a valid checksum at or after `from`, or -1. */
  private nextCompleteFrame(buf: Uint8Array, from: number): number {
    for (let j = from; j + 6 <= buf.length; j++) {
      if (buf[j] !== 0xff || buf[j + 1] !== 0xff || buf[j + 2] === 0xff || buf[j + 3]! < 2) continue;
      const end = j + buf[j + 3]! + 4;
      if (end <= buf.length && feetechChecksum(buf, j + 2, end - 1) === buf[end - 1]) return j;
    }
    return -1;
  }

  push(bytes: Uint8Array): Frame[] {
    const merged = new Uint8Array(this.buf.length + bytes.length);
    merged.set(this.buf, 0);
    merged.set(bytes, this.buf.length);
    const frames: Frame[] = [];
    let i = 0;
    while (i < merged.length) {
      if (merged[i] !== 0xff) {
        i++;
        this.discarded++;
        continue;
      }
      if (i + 4 > merged.length) break;
      if (merged[i + 1] !== 0xff || merged[i + 2] === 0xff || merged[i + 3]! < 2) {
        i++;
        this.discarded++;
        continue;
      }
      const len = merged[i + 3]!;
      const total = len + 4;
      if (i + total > merged.length) {
        // A corrupt length can make a header wait for bytes that belong to later frames: if a
        // complete valid frame starts further on, this header was garbage.
        const next = this.nextCompleteFrame(merged, i + 1);
        if (next < 0) break;
        this.discarded += next - i;
        i = next;
        continue;
      }
      const chk = feetechChecksum(merged, i + 2, i + total - 1);
      if (chk !== merged[i + total - 1]) {
        i++;
        this.discarded++;
        continue;
      }
      const code = merged[i + 4]!;
      frames.push({
        id: merged[i + 2]!,
        instruction: code,
        error: code,
        params: merged.slice(i + 5, i + total - 1),
      });
      i += total;
    }
    this.buf = merged.slice(i);
    return frames;
  }
}

export const feetechProtocol: BusProtocol = {
  name: 'feetech',
  broadcastId: FEETECH_BROADCAST_ID,
  maxId: 0xfc,
  table: STS_CONTROL_TABLE,
  latencyMs: 50,
  scanBauds: [1_000_000, ...Object.values(STS_BAUD_CODES).filter((b) => b !== 1_000_000)],
  pingReplySize: 0,
  encodePing: (id) => feetechPacket(id, FEETECH_INSTRUCTION.PING, []),
  encodeRead: (id, addr, size) => feetechPacket(id, FEETECH_INSTRUCTION.READ, [addr, size]),
  encodeWrite: (id, addr, data) => feetechPacket(id, FEETECH_INSTRUCTION.WRITE, [addr, ...data]),
  encodeSyncRead: (addr, size, ids) =>
    feetechPacket(FEETECH_BROADCAST_ID, FEETECH_INSTRUCTION.SYNC_READ, [addr, size, ...ids]),
  encodeSyncWrite: (addr, size, entries: readonly SyncWriteEntry[]) => {
    const params: number[] = [addr, size];
    for (const e of entries) {
      if (e.data.length !== size)
        throw new RangeError(`sync write to id ${e.id}: ${e.data.length} bytes, expected ${size}`);
      params.push(e.id, ...e.data);
    }
    return feetechPacket(FEETECH_BROADCAST_ID, FEETECH_INSTRUCTION.SYNC_WRITE, params);
  },
  encodeStatus: (id, error, data) => feetechPacket(id, error, data),
  statusLength: (dataSize) => dataSize + 6,
  createParser: () => new FeetechFrameParser(),
  // Same framing both ways: on a Feetech bus every frame a host receives is a status packet.
  isStatus: () => true,
  errorNames: (error) => ERROR_BITS.filter(([bit]) => (error & bit) !== 0).map(([, name]) => name),
};
