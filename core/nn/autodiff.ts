import type { Graph, NodeRecord } from './graph';
import { add } from './ops/elementwise';
import { expand } from './ops/shape';
import type { Tensor } from './tensor';

/**
 * Reverse-mode gradients of a scalar `loss` with respect to `wrt`, appended to the same graph.
 * Only nodes on a path from some `wrt` tensor to the loss are differentiated (others are pruned);
 * a tensor used by several nodes gets the sum of their contributions. A `wrt` tensor the loss does
 * not depend on gets a zero gradient.
 */
export function grad(loss: Tensor, wrt: readonly Tensor[]): Tensor[] {
  const graph: Graph = loss.graph;
  if (loss.size !== 1) throw new Error(`grad: loss must be a scalar, got ${loss}`);
  const producer = new Map<string, NodeRecord>();
  for (const n of graph.nodes) for (const o of n.outputs) producer.set(o.name, n);

  // Forward pass: which tensors depend on a wrt tensor.
  const dependsOnWrt = new Set(wrt.map((t) => t.name));
  for (const n of graph.nodes) {
    if (n.inputs.some((t) => t && dependsOnWrt.has(t.name)))
      for (const o of n.outputs) dependsOnWrt.add(o.name);
  }
  if (!dependsOnWrt.has(loss.name)) return wrt.map((t) => zerosLike(t));

  // Backward reachability from the loss, restricted to wrt-dependent tensors.
  const onPath = new Set<NodeRecord>();
  const stack = [loss];
  const seen = new Set<string>();
  while (stack.length) {
    const t = stack.pop() as Tensor;
    if (seen.has(t.name)) continue;
    seen.add(t.name);
    const n = producer.get(t.name);
    if (!n || onPath.has(n)) continue;
    onPath.add(n);
    for (const i of n.inputs) if (i && dependsOnWrt.has(i.name)) stack.push(i);
  }

  const grads = new Map<string, Tensor>();
  const accumulate = (t: Tensor, g: Tensor) => {
    if (g.shape.join() !== t.shape.join()) {
      throw new Error(`grad: gradient ${g} does not match ${t} (a backward rule is wrong)`);
    }
    const prev = grads.get(t.name);
    grads.set(t.name, prev ? add(prev, g) : g);
  };
  grads.set(loss.name, graph.const(1, loss.shape, loss.dtype));

  const prevScope = graph.scope;
  graph.scope = 'grad/';
  try {
    const order = graph.nodes.filter((n) => onPath.has(n));
    for (let i = order.length - 1; i >= 0; i--) {
      const n = order[i] as NodeRecord;
      const gOut = n.outputs.map((o) => grads.get(o.name));
      if (gOut.every((g) => !g)) continue;
      if (!n.backward)
        throw new Error(`grad: op ${n.opType} has no gradient rule (used on the path to the loss)`);
      const needs = n.inputs.map((t) => !!t && dependsOnWrt.has(t.name) && t.isFloat);
      const gIn = n.backward(gOut, needs);
      n.inputs.forEach((t, j) => {
        const g = gIn[j];
        if (t && g && needs[j]) accumulate(t, g);
      });
    }
  } finally {
    graph.scope = prevScope;
  }
  return wrt.map((t) => grads.get(t.name) ?? zerosLike(t));
}

function zerosLike(t: Tensor): Tensor {
  return expand(t.graph.const(0, [], t.dtype), t.shape);
}
