import { readFileSync, renameSync, writeFileSync } from 'node:fs';
import { crc32 } from '../util/crc32';

/**
 * Checkpoint file: 8-byte magic "PCKPT001", uint32 LE header length, a JSON header (model name,
 * metadata, tensor table, CRC-32 of the data), then the float32 tensor data.
 */
const MAGIC = 'PCKPT001';

export interface CheckpointTensor {
  shape: number[];
  data: Float32Array;
}

export interface Checkpoint {
  model: string;
  meta: Record<string, unknown>;
  tensors: Map<string, CheckpointTensor>;
}

interface Header {
  format: 'pushcut-checkpoint';
  version: 1;
  model: string;
  meta: Record<string, unknown>;
  tensors: { name: string; shape: number[]; offset: number; length: number }[];
  crc32: number;
}

export function encodeCheckpoint(ckpt: Checkpoint): Uint8Array {
  const entries = [...ckpt.tensors.entries()];
  const total = entries.reduce((a, [, t]) => a + t.data.length, 0);
  const data = new Float32Array(total);
  const table: Header['tensors'] = [];
  let off = 0;
  for (const [name, t] of entries) {
    const n = t.shape.reduce((a, b) => a * b, 1);
    if (n !== t.data.length)
      throw new Error(`checkpoint tensor "${name}": ${t.data.length} values for shape [${t.shape}]`);
    data.set(t.data, off);
    table.push({ name, shape: t.shape, offset: off, length: n });
    off += n;
  }
  const dataBytes = new Uint8Array(data.buffer);
  const header: Header = {
    format: 'pushcut-checkpoint',
    version: 1,
    model: ckpt.model,
    meta: ckpt.meta,
    tensors: table,
    crc32: crc32(dataBytes),
  };
  const headerBytes = new TextEncoder().encode(JSON.stringify(header));
  // Pad the header so the float data starts 4-byte aligned.
  const padded = Math.ceil((12 + headerBytes.length) / 4) * 4 - 12;
  const out = new Uint8Array(12 + padded + dataBytes.length);
  out.set(new TextEncoder().encode(MAGIC), 0);
  new DataView(out.buffer).setUint32(8, padded, true);
  out.fill(0x20, 12, 12 + padded);
  out.set(headerBytes, 12);
  out.set(dataBytes, 12 + padded);
  return out;
}

export function decodeCheckpoint(bytes: Uint8Array, source = 'checkpoint'): Checkpoint {
  const fail = (why: string): never => {
    throw new Error(
      `${source} is not a usable checkpoint: ${why}. Re-save it from the trainer or pick another file.`,
    );
  };
  if (bytes.length < 12 || new TextDecoder().decode(bytes.subarray(0, 8)) !== MAGIC)
    fail('missing PCKPT001 header (wrong or corrupt file)');
  const hlen = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength).getUint32(8, true);
  if (12 + hlen > bytes.length) fail('truncated header');
  let header: Header;
  try {
    header = JSON.parse(new TextDecoder().decode(bytes.subarray(12, 12 + hlen)));
  } catch {
    return fail('header is not valid JSON (file corrupt)');
  }
  if (header.format !== 'pushcut-checkpoint' || header.version !== 1)
    fail(`unsupported format ${header.format} v${header.version}`);
  const dataBytes = bytes.slice(12 + hlen);
  const need = header.tensors.reduce((a, t) => Math.max(a, t.offset + t.length), 0) * 4;
  if (dataBytes.length !== need)
    fail(`data is ${dataBytes.length} bytes, header expects ${need} (truncated?)`);
  if (crc32(dataBytes) !== header.crc32) fail('data checksum mismatch (file corrupt)');
  const all = new Float32Array(dataBytes.buffer, dataBytes.byteOffset, dataBytes.byteLength / 4);
  const tensors = new Map<string, CheckpointTensor>();
  for (const t of header.tensors)
    tensors.set(t.name, { shape: t.shape, data: all.slice(t.offset, t.offset + t.length) });
  return { model: header.model, meta: header.meta, tensors };
}

/** Write atomically (temp file + rename) so a crash never leaves a half-written checkpoint. */
export function saveCheckpoint(path: string, ckpt: Checkpoint): void {
  const tmp = `${path}.tmp-${process.pid}`;
  writeFileSync(tmp, encodeCheckpoint(ckpt));
  renameSync(tmp, path);
}

export function loadCheckpoint(path: string): Checkpoint {
  let bytes: Uint8Array;
  try {
    bytes = readFileSync(path);
  } catch (e) {
    throw new Error(`cannot read checkpoint ${path}: ${(e as Error).message}`);
  }
  return decodeCheckpoint(bytes, `checkpoint ${path}`);
}

/** Throw a clear error naming every tensor that is missing, extra or of the wrong shape. */
export function checkCheckpointFits(
  ckpt: Checkpoint,
  model: string,
  expected: readonly { name: string; shape: readonly number[] }[],
  source = 'checkpoint',
): void {
  const problems: string[] = [];
  if (ckpt.model !== model) problems.push(`it is for model "${ckpt.model}", not "${model}"`);
  for (const e of expected) {
    const t = ckpt.tensors.get(e.name);
    if (!t) problems.push(`missing tensor "${e.name}"`);
    else if (t.shape.join(',') !== e.shape.join(','))
      problems.push(`tensor "${e.name}" has shape [${t.shape}], model needs [${e.shape}]`);
  }
  if (problems.length) {
    throw new Error(
      `${source} does not match the model: ${problems.slice(0, 6).join('; ')}${problems.length > 6 ? `; and ${problems.length - 6} more` : ''}. Use a checkpoint saved with the same policy configuration.`,
    );
  }
}
