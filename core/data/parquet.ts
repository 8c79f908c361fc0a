import { readFileSync } from 'node:fs';
import type { SchemaElement } from 'hyparquet';
import { parquetReadObjects } from 'hyparquet';
import { parquetWriteBuffer } from 'hyparquet-writer';
import { DatasetError } from './errors';

/** Column kinds this package writes; lists nest as parquet 3-level LISTs (what pyarrow writes). */
export type ColumnKind =
  | 'float32'
  | 'float64'
  | 'int64'
  | 'bool'
  | 'string'
  | 'float32[]'
  | 'float64[]'
  | 'int64[]'
  | 'string[]'
  | 'float64[][][]';

export interface Column {
  name: string;
  kind: ColumnKind;
  data: unknown[];
  /** Fixed list length, recorded in the `huggingface` metadata so `datasets` restores it. */
  length?: number;
}

const LEAF: Record<string, SchemaElement> = {
  float32: { name: '', type: 'FLOAT', repetition_type: 'OPTIONAL' },
  float64: { name: '', type: 'DOUBLE', repetition_type: 'OPTIONAL' },
  int64: { name: '', type: 'INT64', repetition_type: 'OPTIONAL' },
  bool: { name: '', type: 'BOOLEAN', repetition_type: 'OPTIONAL' },
  string: { name: '', type: 'BYTE_ARRAY', converted_type: 'UTF8', repetition_type: 'OPTIONAL' },
};

function schemaFor(name: string, kind: string): SchemaElement[] {
  if (kind.endsWith('[]')) {
    return [
      { name, repetition_type: 'OPTIONAL', converted_type: 'LIST', num_children: 1 },
      { name: 'list', repetition_type: 'REPEATED', num_children: 1 },
      ...schemaFor('element', kind.slice(0, -2)),
    ];
  }
  const leaf = LEAF[kind];
  if (!leaf) throw new Error(`unknown column kind ${kind}`);
  return [{ ...leaf, name }];
}

const HF_DTYPE: Record<string, string> = {
  float32: 'float32',
  float64: 'float64',
  int64: 'int64',
  bool: 'bool',
  string: 'string',
};

function hfFeature(kind: string, length?: number): unknown {
  if (kind.endsWith('[]')) {
    const inner = hfFeature(kind.slice(0, -2));
    return length === undefined
      ? { feature: inner, _type: 'Sequence' }
      : { feature: inner, length, _type: 'Sequence' };
  }
  return { dtype: HF_DTYPE[kind], _type: 'Value' };
}

function convert(kind: ColumnKind, data: unknown[]): unknown[] {
  if (kind === 'int64') return data.map((v) => (v === null || v === undefined ? null : BigInt(v as number)));
  if (kind === 'int64[]') return data.map((v) => (v == null ? null : (v as number[]).map((x) => BigInt(x))));
  return data;
}

export function encodeParquet(
  columns: Column[],
  extraMetadata: { key: string; value: string }[] = [],
): Uint8Array {
  const schema: SchemaElement[] = [{ name: 'root', num_children: columns.length }];
  for (const c of columns) schema.push(...schemaFor(c.name, c.kind));
  const features = Object.fromEntries(columns.map((c) => [c.name, hfFeature(c.kind, c.length)]));
  const buf = parquetWriteBuffer({
    columnData: columns.map((c) => ({ name: c.name, data: convert(c.kind, c.data) as never })),
    schema: schema as never,
    codec: 'SNAPPY',
    rowGroupSize: 100_000,
    kvMetadata: [{ key: 'huggingface', value: JSON.stringify({ info: { features } }) }, ...extraMetadata],
    createdBy: 'pushcut-studio',
  });
  return new Uint8Array(buf);
}

/** Read all rows of a parquet file; int64 values come back as numbers. */
export async function readParquetRows(path: string): Promise<Record<string, unknown>[]> {
  let bytes: Buffer;
  try {
    bytes = readFileSync(path);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new DatasetError(
      `Missing dataset file ${path} (${code}).`,
      'missing_file',
      'The dataset is incomplete: copy it again, or remove the episode that refers to this file.',
    );
  }
  try {
    const file = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
    const rows = (await parquetReadObjects({ file })) as Record<string, unknown>[];
    for (const row of rows) for (const k of Object.keys(row)) row[k] = unbig(row[k]);
    return rows;
  } catch (err) {
    throw new DatasetError(
      `Corrupt parquet file ${path}: ${(err as Error).message}.`,
      'corrupt_file',
      'Restore this file from a backup, or delete the episode that refers to it.',
    );
  }
}

function unbig(v: unknown): unknown {
  if (typeof v === 'bigint') return Number(v);
  if (Array.isArray(v)) return v.map(unbig);
  return v;
}
