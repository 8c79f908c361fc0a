import type { HostTensor } from '../../nn/runtime';

type Data = HostTensor['data'];

function alloc(like: Data, n: number): Data {
  const C = like.constructor as new (n: number) => Data;
  return new C(n);
}

/** Row `i` of a batched tensor, batch axis removed (copied, so the batch buffer can be reused). */
export function sliceRow(t: HostTensor, i: number): HostTensor {
  const [b, ...rest] = t.shape;
  if (b === undefined || i < 0 || i >= b) throw new Error(`row ${i} is outside a batch of ${b}`);
  const n = rest.reduce((a, c) => a * c, 1);
  const data = alloc(t.data, n);
  (data as unknown as { set(a: ArrayLike<unknown>): void }).set(
    (t.data as unknown as { subarray(a: number, b: number): ArrayLike<unknown> }).subarray(
      i * n,
      (i + 1) * n,
    ),
  );
  return { dtype: t.dtype, shape: rest, data };
}

/** Stack rows (same dtype and shape) into one batch tensor. */
export function stackRows(rows: readonly HostTensor[]): HostTensor {
  const first = rows[0];
  if (!first) throw new Error('stackRows: no rows');
  const n = first.shape.reduce((a, c) => a * c, 1);
  const data = alloc(first.data, n * rows.length);
  rows.forEach((r, i) => {
    if (r.shape.join() !== first.shape.join() || r.dtype !== first.dtype)
      throw new Error(
        `stackRows: row ${i} is ${r.dtype}[${r.shape}], expected ${first.dtype}[${first.shape}]`,
      );
    (data as unknown as { set(a: ArrayLike<unknown>, o: number): void }).set(
      r.data as ArrayLike<unknown>,
      i * n,
    );
  });
  return { dtype: first.dtype, shape: [rows.length, ...first.shape], data };
}

/** Stack per-row input records (same names, shapes and dtypes) into one batch of model inputs. */
export function stackBatch(rows: readonly Record<string, HostTensor>[]): Record<string, HostTensor> {
  const batch: Record<string, HostTensor> = {};
  for (const name of Object.keys(rows[0] ?? {}))
    batch[name] = stackRows(
      rows.map((r) => {
        const t = r[name];
        if (!t) throw new Error(`stackBatch: a row lacks input "${name}"`);
        return t;
      }),
    );
  return batch;
}

/** Split a batch of model inputs into per-row input records. */
export function splitBatch(batch: Record<string, HostTensor>, rows: number): Record<string, HostTensor>[] {
  return Array.from({ length: rows }, (_, i) => {
    const row: Record<string, HostTensor> = {};
    for (const [k, t] of Object.entries(batch)) row[k] = sliceRow(t, i);
    return row;
  });
}
