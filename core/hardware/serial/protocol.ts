/**
 * What a servo-bus protocol (Feetech STS/SMS, Dynamixel 2.0) provides to the generic bus driver and
 * to the virtual bus: packet encoders, a streaming frame parser, the control table and value codecs.
 */

/** How a register's raw unsigned value maps to a signed number. */
export type SignEncoding =
  | { kind: 'unsigned' }
  /** Sign-magnitude with the sign at `bit` (Feetech). */
  | { kind: 'magnitude'; bit: number }
  /** Two's complement over the register's size (Dynamixel). */
  | { kind: 'twos' };

export interface RegisterDef {
  addr: number;
  size: 1 | 2 | 4;
  sign: SignEncoding;
}

/** One decoded frame: an instruction (to a motor) or a status packet (from a motor). */
export interface Frame {
  id: number;
  /** Instruction code; for status packets the protocol's status marker (see `isStatus`). */
  instruction: number;
  /** Error byte of a status packet; 0 for instructions. */
  error: number;
  /** Parameters (instruction) or data (status), unstuffed. */
  params: Uint8Array;
}

export interface FrameParser {
  /** Feed received bytes; returns every complete frame with a valid checksum. Never throws. */
  push(bytes: Uint8Array): Frame[];
  /** Drop buffered bytes (before a new request). */
  reset(): void;
  /** Bytes discarded so far because they did not form a valid frame. */
  readonly discarded: number;
}

export interface SyncWriteEntry {
  id: number;
  data: Uint8Array;
}

export interface BusProtocol {
  readonly name: 'feetech' | 'dynamixel';
  readonly broadcastId: number;
  readonly maxId: number;
  readonly table: Readonly<Record<string, RegisterDef>>;
  /** Extra latency the vendor SDK adds to every packet timeout (ms). */
  readonly latencyMs: number;
  /** Baud rates a scan tries, most likely first. */
  readonly scanBauds: readonly number[];

  encodePing(id: number): Uint8Array;
  encodeRead(id: number, addr: number, size: number): Uint8Array;
  encodeWrite(id: number, addr: number, data: Uint8Array): Uint8Array;
  encodeSyncRead(addr: number, size: number, ids: readonly number[]): Uint8Array;
  encodeSyncWrite(addr: number, size: number, entries: readonly SyncWriteEntry[]): Uint8Array;
  /** Encode a status packet (used by the virtual bus). */
  encodeStatus(id: number, error: number, data: Uint8Array): Uint8Array;
  /** Bytes of a status packet carrying `dataSize` data bytes on the wire (without stuffing). */
  statusLength(dataSize: number): number;
  /** Size of the data in a PING reply (Feetech 0, Dynamixel 3: model + firmware). */
  readonly pingReplySize: number;
  createParser(): FrameParser;
  /** Whether a parsed frame is a status packet (a reply) rather than an instruction. */
  isStatus(frame: Frame): boolean;
  /** Names of the faults set in a status error byte; empty when none. */
  errorNames(error: number): string[];
}

export function encodeValue(reg: RegisterDef, value: number): Uint8Array {
  if (!Number.isInteger(value)) throw new RangeError(`register value ${value} is not an integer`);
  let raw: number;
  const bits = reg.size * 8;
  if (reg.sign.kind === 'magnitude') {
    const max = 2 ** reg.sign.bit - 1;
    if (Math.abs(value) > max) {
      throw new RangeError(
        `value ${value} does not fit sign-magnitude with sign bit ${reg.sign.bit} (|v| <= ${max})`,
      );
    }
    raw = value < 0 ? 2 ** reg.sign.bit + -value : value;
  } else if (reg.sign.kind === 'twos') {
    const lo = -(2 ** (bits - 1));
    const hi = 2 ** (bits - 1) - 1;
    if (value < lo || value > hi) throw new RangeError(`value ${value} outside ${lo}..${hi}`);
    raw = value < 0 ? 2 ** bits + value : value;
  } else {
    if (value < 0 || value >= 2 ** bits) throw new RangeError(`value ${value} outside 0..${2 ** bits - 1}`);
    raw = value;
  }
  const out = new Uint8Array(reg.size);
  for (let i = 0; i < reg.size; i++) out[i] = Math.floor(raw / 2 ** (8 * i)) & 0xff;
  return out;
}

export function decodeValue(reg: RegisterDef, bytes: Uint8Array, offset = 0): number {
  let raw = 0;
  for (let i = 0; i < reg.size; i++) raw += (bytes[offset + i] ?? 0) * 2 ** (8 * i);
  if (reg.sign.kind === 'magnitude') {
    const signBit = 2 ** reg.sign.bit;
    const magnitude = raw % signBit;
    return Math.floor(raw / signBit) % 2 === 1 ? -magnitude : magnitude;
  }
  if (reg.sign.kind === 'twos') {
    const bits = reg.size * 8;
    return raw >= 2 ** (bits - 1) ? raw - 2 ** bits : raw;
  }
  return raw;
}

export const toHex = (bytes: Uint8Array): string =>
  Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join(' ');

export const fromHex = (hex: string): Uint8Array =>
  Uint8Array.from(
    hex
      .trim()
      .split(/\s+/)
      .filter((s) => s.length > 0)
      .map((s) => Number.parseInt(s, 16)),
  );
