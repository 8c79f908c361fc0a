import type { BusProtocol, Frame, FrameParser, SyncWriteEntry } from '../serial/protocol';
import { X_SERIES_CONTROL_TABLE } from './control-table';

/** Dynamixel protocol 2.0: `FF FF FD 00 ID LEN_L LEN_H INSTR PARAMS... CRC_L CRC_H`, LEN = params + 3. */
export const DYNAMIXEL_INSTRUCTION = {
  PING: 0x01,
  READ: 0x02,
  WRITE: 0x03,
  REG_WRITE: 0x04,
  ACTION: 0x05,
  FACTORY_RESET: 0x06,
  REBOOT: 0x08,
  CLEAR: 0x10,
  STATUS: 0x55,
  SYNC_READ: 0x82,
  SYNC_WRITE: 0x83,
  BULK_READ: 0x92,
  BULK_WRITE: 0x93,
} as const;

export const DYNAMIXEL_BROADCAST_ID = 0xfe;
const HEADER = [0xff, 0xff, 0xfd, 0x00] as const;
/** Largest LEN the parser accepts; a longer one is treated as a corrupt header. */
const MAX_LEN = 1024;

const CRC_TABLE = (() => {
  const table = new Uint16Array(256);
  for (let i = 0; i < 256; i++) {
    let crc = i << 8;
    for (let b = 0; b < 8; b++) crc = crc & 0x8000 ? ((crc << 1) ^ 0x8005) & 0xffff : (crc << 1) & 0xffff;
    table[i] = crc;
  }
  return table;
})();

/** CRC-16 (polynomial 0x8005, initial 0, not reflected) as in ROBOTIS's `updateCRC`. */
export function dynamixelCrc(bytes: Uint8Array, start = 0, end = bytes.length): number {
  let crc = 0;
  for (let i = start; i < end; i++) crc = ((crc << 8) ^ CRC_TABLE[((crc >> 8) ^ bytes[i]!) & 0xff]!) & 0xffff;
  return crc;
}

/** `FF FF FD` -> `FF FF FD FD` anywhere in the instruction/params region. */
export function stuff(body: ArrayLike<number>): number[] {
  const out: number[] = [];
  for (let i = 0; i < body.length; i++) {
    const b = body[i]!;
    out.push(b);
    if (b === 0xfd && i >= 2 && body[i - 1] === 0xff && body[i - 2] === 0xff) out.push(0xfd);
  }
  return out;
}

export function unstuff(body: Uint8Array): Uint8Array {
  const out: number[] = [];
  for (let i = 0; i < body.length; i++) {
    const b = body[i]!;
    out.push(b);
    if (b === 0xfd && i >= 2 && body[i - 1] === 0xff && body[i - 2] === 0xff && body[i + 1] === 0xfd) i++;
  }
  return Uint8Array.from(out);
}

/** Build a packet; `body` is the instruction byte followed by the params (status: 0x55, error, data). */
export function dynamixelPacket(id: number, body: ArrayLike<number>): Uint8Array {
  const stuffed = stuff(body);
  const len = stuffed.length + 2;
  const out = new Uint8Array(7 + len);
  out.set(HEADER, 0);
  out[4] = id;
  out[5] = len & 0xff;
  out[6] = len >> 8;
  out.set(stuffed, 7);
  const crc = dynamixelCrc(out, 0, out.length - 2);
  out[out.length - 2] = crc & 0xff;
  out[out.length - 1] = crc >> 8;
  return out;
}

const le16 = (v: number): [number, number] => [v & 0xff, (v >> 8) & 0xff];

/**
 * Streaming parser: finds `FF FF FD 00`, checks the CRC, unstuffs; on a bad CRC it drops one byte
 * and searches again. It accepts unstuffed packets too (ROBOTIS's Python SDK sends them).
 */
export class DynamixelFrameParser implements FrameParser {
  private buf: Uint8Array = new Uint8Array(0);
  discarded = 0;

  reset(): void {
    this.discarded += this.buf.length;
    this.buf = new Uint8Array(0);
  }

  /** Start of the first complete frame with a valid CRC at or after `from`, or -1. */
  private nextCompleteFrame(buf: Uint8Array, from: number): number {
    for (let j = from; j + 10 <= buf.length; j++) {
      if (buf[j] !== 0xff || buf[j + 1] !== 0xff || buf[j + 2] !== 0xfd || buf[j + 3] !== 0) continue;
      const len = buf[j + 5]! | (buf[j + 6]! << 8);
      const end = j + 7 + len;
      if (len < 3 || end > buf.length) continue;
      if (dynamixelCrc(buf, j, end - 2) === (buf[end - 2]! | (buf[end - 1]! << 8))) return j;
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
      let partial = false;
      let headerOk = true;
      for (let k = 0; k < 4; k++) {
        if (i + k >= merged.length) {
          partial = true;
          break;
        }
        if (merged[i + k] !== HEADER[k]) {
          headerOk = false;
          break;
        }
      }
      if (!headerOk) {
        i++;
        this.discarded++;
        continue;
      }
      if (partial || i + 7 > merged.length) break;
      const id = merged[i + 4]!;
      const len = merged[i + 5]! | (merged[i + 6]! << 8);
      if (id === 0xff || id === 0xfd || len < 3 || len > MAX_LEN) {
        i++;
        this.discarded++;
        continue;
      }
      const total = 7 + len;
      if (i + total > merged.length) {
        // A corrupt length can make a header wait for bytes that belong to later frames: if a
        // complete valid frame starts further on, this header was garbage.
        const next = this.nextCompleteFrame(merged, i + 1);
        if (next < 0) break;
        this.discarded += next - i;
        i = next;
        continue;
      }
      const crc = dynamixelCrc(merged, i, i + total - 2);
      if (crc !== (merged[i + total - 2]! | (merged[i + total - 1]! << 8))) {
        i++;
        this.discarded++;
        continue;
      }
      const body = unstuff(merged.subarray(i + 7, i + total - 2));
      const instruction = body[0]!;
      const isStatus = instruction === DYNAMIXEL_INSTRUCTION.STATUS;
      if (isStatus && body.length < 2) {
        i++;
        this.discarded++;
        continue;
      }
      frames.push({
        id,
        instruction,
        error: isStatus ? body[1]! : 0,
        params: body.slice(isStatus ? 2 : 1),
      });
      i += total;
    }
    this.buf = merged.slice(i);
    return frames;
  }
}

const ERROR_NUMBERS: Record<number, string> = {
  1: 'result fail',
  2: 'instruction error',
  3: 'CRC error',
  4: 'data range error',
  5: 'data length error',
  6: 'data limit error',
  7: 'access error',
};

export const dynamixelProtocol: BusProtocol = {
  name: 'dynamixel',
  broadcastId: DYNAMIXEL_BROADCAST_ID,
  maxId: 0xfc,
  table: X_SERIES_CONTROL_TABLE,
  latencyMs: 16,
  scanBauds: [57_600, 1_000_000, 115_200, 2_000_000, 3_000_000, 4_000_000, 9_600],
  pingReplySize: 3,
  encodePing: (id) => dynamixelPacket(id, [DYNAMIXEL_INSTRUCTION.PING]),
  encodeRead: (id, addr, size) =>
    dynamixelPacket(id, [DYNAMIXEL_INSTRUCTION.READ, ...le16(addr), ...le16(size)]),
  encodeWrite: (id, addr, data) => dynamixelPacket(id, [DYNAMIXEL_INSTRUCTION.WRITE, ...le16(addr), ...data]),
  encodeSyncRead: (addr, size, ids) =>
    dynamixelPacket(DYNAMIXEL_BROADCAST_ID, [
      DYNAMIXEL_INSTRUCTION.SYNC_READ,
      ...le16(addr),
      ...le16(size),
      ...ids,
    ]),
  encodeSyncWrite: (addr, size, entries: readonly SyncWriteEntry[]) => {
    const body: number[] = [DYNAMIXEL_INSTRUCTION.SYNC_WRITE, ...le16(addr), ...le16(size)];
    for (const e of entries) {
      if (e.data.length !== size)
        throw new RangeError(`sync write to id ${e.id}: ${e.data.length} bytes, expected ${size}`);
      body.push(e.id, ...e.data);
    }
    return dynamixelPacket(DYNAMIXEL_BROADCAST_ID, body);
  },
  encodeStatus: (id, error, data) => dynamixelPacket(id, [DYNAMIXEL_INSTRUCTION.STATUS, error, ...data]),
  statusLength: (dataSize) => dataSize + 11,
  createParser: () => new DynamixelFrameParser(),
  isStatus: (frame) => frame.instruction === DYNAMIXEL_INSTRUCTION.STATUS,
  errorNames: (error) => {
    const names: string[] = [];
    if (error & 0x80) names.push('hardware alert (read Hardware_Error_Status)');
    const num = error & 0x7f;
    if (num) names.push(ERROR_NUMBERS[num] ?? `error ${num}`);
    return names;
  },
};
