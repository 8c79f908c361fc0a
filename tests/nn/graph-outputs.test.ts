import * as ort from 'onnxruntime-node';
import { describe, expect, it } from 'vitest';
import { Graph } from '../../core/nn/graph';
import { add, mul, relu } from '../../core/nn/ops';
import { createSession, sessionOptions } from '../../core/nn/runtime';

describe('graph outputs', () => {
  it('a node writes straight to its output name (no Identity copy), and aliased outputs still work', async () => {
    const g = new Graph('outputs');
    const x = g.input('x', [3]);
    const y = relu(add(x, 1));
    g.output(y, 'y');
    g.output(y, 'y_again'); // the same tensor under a second name
    g.output(x, 'x_echo'); // a graph input passed through
    g.output(mul(y, 2), 'twice');
    const proto = g.toModelProto();
    const ops = proto.graph?.node?.map((n) => n.opType) ?? [];
    expect(ops.filter((o) => o === 'Identity')).toHaveLength(2); // y_again and x_echo only
    const produced = new Set(proto.graph?.node?.flatMap((n) => n.output ?? []));
    for (const o of ['y', 'y_again', 'x_echo', 'twice']) expect(produced.has(o)).toBe(true);

    const s = await createSession(g.toBytes(), { threads: 1 });
    const out = await s.run({ x: new ort.Tensor('float32', Float32Array.of(-3, 0, 2), [3]) });
    expect(Array.from(out.y?.data as Float32Array)).toEqual([0, 1, 3]);
    expect(Array.from(out.y_again?.data as Float32Array)).toEqual([0, 1, 3]);
    expect(Array.from(out.x_echo?.data as Float32Array)).toEqual([-3, 0, 2]);
    expect(Array.from(out.twice?.data as Float32Array)).toEqual([0, 2, 6]);
    await s.release();
  });
});

describe('session options', () => {
  it('pool threads do not spin unless asked to', () => {
    const spin = (o: ort.InferenceSession.SessionOptions) =>
      (o.extra as { session: { intra_op: { allow_spinning: string } } }).session.intra_op.allow_spinning;
    expect(spin(sessionOptions())).toBe('0');
    expect(spin(sessionOptions({ spinning: true }))).toBe('1');
    expect(sessionOptions({ threads: 1 }).intraOpNumThreads).toBe(1);
  });
});
