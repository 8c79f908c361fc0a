import { decode as cborDecode, encode as cborEncode } from 'cbor-x';
import { packJsonInPng, unpackJsonFromPng } from '../../ros/png';

/** How a subscriber asked to receive a topic (rosbridge v2 `compression`). */
export type Compression = 'none' | 'png' | 'cbor' | 'cbor-raw';
export const COMPRESSIONS: readonly Compression[] = ['none', 'png', 'cbor', 'cbor-raw'];

/** A protocol error the server answers with a `status` message (never a crash). */
export class ProtocolError extends Error {
  constructor(
    message: string,
    readonly id?: string,
    readonly level: 'error' | 'warning' = 'error',
  ) {
    super(message);
    this.name = 'ProtocolError';
  }
}

export type RosbridgeMessage = { op: string; id?: string; [key: string]: unknown };

/** JSON with `uint8[]` as base64 and other typed arrays as plain arrays, as rosbridge sends them. */
export function toJson(message: unknown): string {
  return JSON.stringify(message, (_key, value: unknown) => {
    if (ArrayBuffer.isView(value) && !(value instanceof DataView)) {
      if (value instanceof Uint8Array)
        return Buffer.from(value.buffer, value.byteOffset, value.length).toString('base64');
      return Array.from(value as unknown as ArrayLike<number>);
    }
    return value;
  });
}

export function toCbor(message: unknown): Uint8Array {
  const b = cborEncode(message);
  return new Uint8Array(b.buffer, b.byteOffset, b.length);
}

let fragmentCounter = 0;

/** Split a JSON text into `fragment` messages of at most `size` characters of data each. */
export function fragmentJson(json: string, size: number, id?: string): string[] {
  if (!(size > 0) || json.length <= size) return [json];
  const fid = id ?? `fragment_${++fragmentCounter}`;
  const total = Math.ceil(json.length / size);
  const out: string[] = [];
  for (let num = 0; num < total; num++) {
    out.push(
      JSON.stringify({ op: 'fragment', id: fid, data: json.slice(num * size, (num + 1) * size), num, total }),
    );
  }
  return out;
}

/** Frames (text or binary) that carry one outgoing message with the given compression. */
export function encodeFrames(
  message: RosbridgeMessage,
  compression: Compression,
  fragmentSize?: number,
): (string | Uint8Array)[] {
  if (compression === 'cbor' || compression === 'cbor-raw') return [toCbor(message)];
  let json = toJson(message);
  if (compression === 'png') json = JSON.stringify({ op: 'png', data: packJsonInPng(json) });
  return fragmentSize ? fragmentJson(json, fragmentSize, message.id) : [json];
}

function asMessage(value: unknown, what: string): RosbridgeMessage {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new ProtocolError(`${what} is not a JSON object`);
  }
  const op = (value as { op?: unknown }).op;
  const id = (value as { id?: unknown }).id;
  const sid = typeof id === 'string' ? id : typeof id === 'number' ? String(id) : undefined;
  if (typeof op !== 'string') throw new ProtocolError(`${what} has no string "op" field`, sid);
  return { ...(value as object), op, id: sid } as RosbridgeMessage;
}

/** Parse one incoming frame: JSON text, or a binary CBOR message. */
export function decodeFrame(data: Buffer | ArrayBuffer | Buffer[], isBinary: boolean): RosbridgeMessage {
  const buf = Array.isArray(data) ? Buffer.concat(data) : Buffer.isBuffer(data) ? data : Buffer.from(data);
  if (isBinary) {
    let value: unknown;
    try {
      value = cborDecode(buf);
    } catch (e) {
      throw new ProtocolError(`binary frame is not valid CBOR: ${(e as Error).message}`);
    }
    return asMessage(value, 'CBOR message');
  }
  return parseJsonMessage(buf.toString('utf8'));
}

export function parseJsonMessage(text: string): RosbridgeMessage {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (e) {
    throw new ProtocolError(`malformed JSON: ${(e as Error).message}`);
  }
  return asMessage(value, 'message');
}

export function parsePngMessage(data: unknown, id?: string): RosbridgeMessage {
  if (typeof data !== 'string') throw new ProtocolError('png message needs a base64 string in "data"', id);
  let text: string;
  try {
    text = unpackJsonFromPng(data);
  } catch (e) {
    throw new ProtocolError(`png message does not decode: ${(e as Error).message}`, id);
  }
  return parseJsonMessage(text);
}

export interface FragmentLimits {
  maxBytes: number;
  maxPending: number;
  timeoutMs: number;
}

/** Reassembles incoming `fragment` messages (per client), with bounds on size, count and age. */
export class FragmentAssembler {
  private pending = new Map<
    string,
    { parts: (string | undefined)[]; received: number; bytes: number; at: number }
  >();

  constructor(readonly limits: FragmentLimits) {}

  /** Returns the whole JSON text once the last fragment of `id` arrives, else null. */
  add(msg: RosbridgeMessage): string | null {
    const { id } = msg;
    const { data, num, total } = msg as { data?: unknown; num?: unknown; total?: unknown };
    if (!id) throw new ProtocolError('fragment needs an "id"');
    if (typeof data !== 'string') throw new ProtocolError('fragment needs a string "data"', id);
    if (!Number.isInteger(total) || (total as number) < 1 || (total as number) > 100_000) {
      throw new ProtocolError('fragment "total" must be an integer from 1 to 100000', id);
    }
    if (!Number.isInteger(num) || (num as number) < 0 || (num as number) >= (total as number)) {
      throw new ProtocolError(
        `fragment "num" must be an integer from 0 to total-1 (${(total as number) - 1})`,
        id,
      );
    }
    this.expire();
    let entry = this.pending.get(id);
    if (entry && entry.parts.length !== total) {
      this.pending.delete(id);
      throw new ProtocolError(`fragment ${id}: total changed from ${entry.parts.length} to ${total}`, id);
    }
    if (!entry) {
      if (this.pending.size >= this.limits.maxPending) {
        throw new ProtocolError(
          `too many unfinished fragmented messages (${this.limits.maxPending}); dropped ${id}`,
          id,
        );
      }
      entry = {
        parts: new Array<string | undefined>(total as number),
        received: 0,
        bytes: 0,
        at: Date.now(),
      };
      this.pending.set(id, entry);
    }
    if (entry.parts[num as number] === undefined) {
      entry.bytes += data.length;
      if (entry.bytes > this.limits.maxBytes) {
        this.pending.delete(id);
        throw new ProtocolError(
          `fragmented message ${id} exceeds ${this.limits.maxBytes} bytes; dropped`,
          id,
        );
      }
      entry.parts[num as number] = data;
      entry.received++;
    }
    if (entry.received < entry.parts.length) return null;
    this.pending.delete(id);
    return entry.parts.join('');
  }

  get pendingCount(): number {
    return this.pending.size;
  }

  private expire(): void {
    const cutoff = Date.now() - this.limits.timeoutMs;
    for (const [id, e] of this.pending) if (e.at < cutoff) this.pending.delete(id);
  }
}
