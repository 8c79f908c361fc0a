import onnxProto from 'onnx-proto';
import { type DType, type Shape, Tensor } from './tensor';

const { onnx } = onnxProto;

/** ONNX attribute values, tagged so ints and floats are never confused. */
export type Attr =
  | { i: number }
  | { f: number }
  | { ints: readonly number[] }
  | { floats: readonly number[] }
  | { s: string };

/** Given output gradients, return one gradient per input (undefined: none / not needed). */
export type BackwardFn = (
  gradOut: readonly (Tensor | undefined)[],
  needs: readonly boolean[],
) => (Tensor | undefined)[];

export interface NodeRecord {
  opType: string;
  inputs: readonly (Tensor | undefined)[];
  outputs: readonly Tensor[];
  attrs: Record<string, Attr>;
  backward?: BackwardFn;
}

export type TypedData = Float32Array | Float64Array | BigInt64Array | Int32Array | Uint8Array;

export interface Initializer {
  tensor: Tensor;
  data: TypedData;
}

export const OPSET = 17;
export const IR_VERSION = 8;

const DTYPE_CODE: Record<DType, number> = {
  float32: onnx.TensorProto.DataType.FLOAT,
  float64: onnx.TensorProto.DataType.DOUBLE,
  int64: onnx.TensorProto.DataType.INT64,
  int32: onnx.TensorProto.DataType.INT32,
  uint8: onnx.TensorProto.DataType.UINT8,
  bool: onnx.TensorProto.DataType.BOOL,
};

export function dtypeCode(d: DType): number {
  return DTYPE_CODE[d];
}

export function typedArrayFor(dtype: DType, values: ArrayLike<number> | number): TypedData {
  const src = typeof values === 'number' ? [values] : values;
  switch (dtype) {
    case 'float32':
      return Float32Array.from(src);
    case 'float64':
      return Float64Array.from(src);
    case 'int64':
      return BigInt64Array.from(Array.from(src, (v) => BigInt(Math.trunc(v))));
    case 'int32':
      return Int32Array.from(src);
    case 'uint8':
    case 'bool':
      return Uint8Array.from(src);
  }
}

/**
 * A graph under construction. Tensors are symbolic; every op records its ONNX node and, for
 * differentiable ops, a backward rule (see ops/*.ts). `toBytes()` emits an ONNX ModelProto.
 */
export class Graph {
  readonly nodes: NodeRecord[] = [];
  readonly inputs: Tensor[] = [];
  readonly outputs: { tensor: Tensor; name: string }[] = [];
  readonly initializers = new Map<string, Initializer>();
  private counter = 0;
  private readonly constCache = new Map<string, Tensor>();
  private readonly outputNodes = new Set<NodeRecord>();
  /** Prefix for generated names; the autodiff sets it to keep gradient nodes recognisable. */
  scope = '';

  constructor(readonly name = 'graph') {}

  fresh(hint: string): string {
    this.counter += 1;
    return `${this.scope}${hint}_${this.counter}`;
  }

  private checkName(name: string): void {
    if (this.inputs.some((t) => t.name === name) || this.initializers.has(name)) {
      throw new Error(`graph "${this.name}" already has a tensor named "${name}"`);
    }
  }

  input(name: string, shape: Shape, dtype: DType = 'float32'): Tensor {
    this.checkName(name);
    const t = new Tensor(this, name, [...shape], dtype);
    this.inputs.push(t);
    return t;
  }

  /** A named initializer (a parameter baked into the file, or a constant). */
  initializer(name: string, shape: Shape, dtype: DType, data: TypedData): Tensor {
    this.checkName(name);
    const n = shape.reduce((a, b) => a * b, 1);
    if (data.length !== n) {
      throw new Error(
        `initializer "${name}": ${data.length} values for shape [${shape.join(',')}] (needs ${n})`,
      );
    }
    const t = new Tensor(this, name, [...shape], dtype);
    this.initializers.set(name, { tensor: t, data });
    return t;
  }

  /** A constant tensor; small constants with equal content are shared. */
  const(values: ArrayLike<number> | number, shape: Shape = [], dtype: DType = 'float32'): Tensor {
    const data = typedArrayFor(dtype, values);
    const key =
      data.length <= 16
        ? `${dtype}|${shape.join(',')}|${Array.from(data as ArrayLike<unknown>).join(',')}`
        : '';
    const hit = key ? this.constCache.get(key) : undefined;
    if (hit) return hit;
    const t = this.initializer(this.fresh('const'), shape, dtype, data);
    if (key) this.constCache.set(key, t);
    return t;
  }

  /** An int64 vector constant (shapes, axes, slice bounds). */
  ints(values: readonly number[]): Tensor {
    return this.const(values, [values.length], 'int64');
  }

  /** Record a node producing the given outputs. Returns the output tensors. */
  node(
    opType: string,
    inputs: readonly (Tensor | undefined)[],
    outs: readonly { shape: Shape; dtype: DType }[],
    attrs: Record<string, Attr> = {},
    backward?: BackwardFn,
  ): Tensor[] {
    for (const t of inputs) {
      if (t && t.graph !== this) throw new Error(`${opType}: input ${t.name} belongs to another graph`);
    }
    const outputs = outs.map(
      (o) => new Tensor(this, this.fresh(opType.toLowerCase()), [...o.shape], o.dtype),
    );
    this.nodes.push({ opType, inputs, outputs, attrs, backward });
    return outputs;
  }

  /** Single-output convenience over `node`. */
  op1(
    opType: string,
    inputs: readonly (Tensor | undefined)[],
    shape: Shape,
    dtype: DType,
    attrs: Record<string, Attr> = {},
    backward?: BackwardFn,
  ): Tensor {
    const [y] = this.node(opType, inputs, [{ shape, dtype }], attrs, backward);
    return y as Tensor;
  }

  /**
   * Mark a tensor as a graph output under `name`. An Identity node gives it that name here; when
   * the model is emitted, the producing node writes straight to `name` instead wherever it can
   * (see `toModelProto`), so large outputs such as updated parameters are not copied.
   */
  output(tensor: Tensor, name: string): void {
    if (this.outputs.some((o) => o.name === name))
      throw new Error(`graph "${this.name}" already has output "${name}"`);
    const node: NodeRecord = {
      opType: 'Identity',
      inputs: [tensor],
      outputs: [new Tensor(this, name, tensor.shape, tensor.dtype)],
      attrs: {},
    };
    this.nodes.push(node);
    this.outputNodes.add(node);
    this.outputs.push({ tensor, name });
  }

  /**
   * Output Identity nodes that can be dropped by renaming their input: the input is produced by a
   * node (not a graph input or initializer) and no earlier output took that tensor's name.
   */
  private outputRenames(): { rename: Map<string, string>; dropped: Set<NodeRecord> } {
    const produced = new Set<string>();
    for (const n of this.nodes) if (!this.outputNodes.has(n)) for (const o of n.outputs) produced.add(o.name);
    const rename = new Map<string, string>();
    const dropped = new Set<NodeRecord>();
    for (const n of this.outputNodes) {
      const src = n.inputs[0] as Tensor;
      if (!produced.has(src.name) || rename.has(src.name)) continue;
      rename.set(src.name, (n.outputs[0] as Tensor).name);
      dropped.add(n);
    }
    return { rename, dropped };
  }

  toModelProto(docString = ''): onnxProto.onnx.ModelProto {
    const valueInfo = (name: string, shape: Shape, dtype: DType) =>
      onnx.ValueInfoProto.create({
        name,
        type: {
          tensorType: {
            elemType: DTYPE_CODE[dtype],
            shape: { dim: shape.map((d) => (d < 0 ? { dimParam: 'N' } : { dimValue: d })) },
          },
        },
      });
    const { rename, dropped } = this.outputRenames();
    const nameOf = (t: Tensor) => rename.get(t.name) ?? t.name;
    const nodes = this.nodes.flatMap((n, i) =>
      dropped.has(n)
        ? []
        : [
            onnx.NodeProto.create({
              name: `n${i}_${n.opType}`,
              opType: n.opType,
              input: n.inputs.map((t) => (t ? nameOf(t) : '')),
              output: n.outputs.map(nameOf),
              attribute: Object.entries(n.attrs).map(([name, a]) => attrProto(name, a)),
            }),
          ],
    );
    const initializer = [...this.initializers.values()].map(({ tensor, data }) =>
      onnx.TensorProto.create({
        name: tensor.name,
        dims: [...tensor.shape],
        dataType: DTYPE_CODE[tensor.dtype],
        rawData: new Uint8Array(data.buffer, data.byteOffset, data.byteLength),
      }),
    );
    const graph = onnx.GraphProto.create({
      name: this.name,
      node: nodes,
      initializer,
      input: this.inputs.map((t) => valueInfo(t.name, t.shape, t.dtype)),
      output: this.outputs.map((o) => valueInfo(o.name, o.tensor.shape, o.tensor.dtype)),
    });
    return onnx.ModelProto.create({
      irVersion: IR_VERSION,
      producerName: 'pushcut-nn',
      producerVersion: '0.1',
      docString,
      opsetImport: [{ domain: '', version: OPSET }],
      graph,
    });
  }

  toBytes(docString = ''): Uint8Array {
    return onnx.ModelProto.encode(this.toModelProto(docString)).finish();
  }
}

function attrProto(name: string, a: Attr): onnxProto.onnx.AttributeProto {
  const T = onnx.AttributeProto.AttributeType;
  if ('i' in a) return onnx.AttributeProto.create({ name, type: T.INT, i: a.i });
  if ('f' in a) return onnx.AttributeProto.create({ name, type: T.FLOAT, f: a.f });
  if ('ints' in a) return onnx.AttributeProto.create({ name, type: T.INTS, ints: [...a.ints] });
  if ('floats' in a) return onnx.AttributeProto.create({ name, type: T.FLOATS, floats: [...a.floats] });
  return onnx.AttributeProto.create({ name, type: T.STRING, s: new TextEncoder().encode(a.s) });
}
