/** importOnnx: an ONNX model file as a runnable Module. */
import { FormatError, ValueError } from '../../errors.js';
import type { Tensor } from '../../tensor/tensor.js';
import { Attributes, nodeLabel } from './attributes.js';
import { decodeModel, type OnnxGraph, type OnnxNode } from './onnx_proto.js';
import { OnnxModel, type CompiledNode, type OnnxInput } from './onnx_model.js';
import type { BuildContext } from './operator.js';
import { OPERATORS } from './operators.js';
import { tensorFromProto } from './tensor_data.js';

/** The default-domain opsets whose operator forms the importer reads. */
export const IMPORT_OPSETS = [7, 21] as const;

/**
 * Reads an ONNX model and returns it as an OnnxModel, a Module whose `run` / `forward` compute the
 * graph's outputs with this library's ops. Reads the graphs PyTorch's `torch.onnx.export` writes
 * for nn.LSTM / nn.GRU / nn.RNN and models around them, and the graphs `exportOnnx` writes.
 *
 * Operators: LSTM, GRU, RNN, Gemm, MatMul, Add, Sub, Mul, Div, Pow, Neg, Abs, Sqrt, Exp, Log,
 * Erf, Tanh, Sigmoid, Relu, LeakyRelu, Softmax, LogSoftmax, LayerNormalization, ReduceMean,
 * ReduceSum, Gather, Shape, Reshape, Transpose, Flatten, Squeeze, Unsqueeze, Concat, Slice,
 * Expand, Constant, ConstantOfShape, Cast, Dropout (eval: the identity), Identity; default domain,
 * opsets 7 to 21. An operator, attribute or attribute value outside this set is a FormatError
 * naming the node, the operator and what it does not support, raised here, before any run.
 *
 * The file is untrusted: a truncated or malformed protobuf, a tensor whose data is shorter than
 * its shape, a tensor over 2^32 elements, a graph with a cycle or a value nothing produces are
 * FormatErrors; reading never allocates more than the file's size calls for.
 *
 * @example
 * import { nn, exportOnnx, importOnnx, randn } from 'recurrent';
 * const gru = new nn.GRU({ inputSize: 4, hiddenSize: 8 });
 * const model = importOnnx(exportOnnx(gru));
 * const [output, hn] = model.forward(randn([5, 2, 4])); // as gru.forward
 * output!.shape; // [5, 2, 8]
 */
export function importOnnx(bytes: Uint8Array): OnnxModel {
  if (!(bytes instanceof Uint8Array)) throw new ValueError(`importOnnx: bytes must be a Uint8Array; got ${bytes === null ? 'null' : typeof bytes}`);
  const model = decodeModel(bytes);
  const opsets = model.opsetImport.filter((o) => o.domain === '' || o.domain === 'ai.onnx');
  if (opsets.length === 0) throw new FormatError('ONNX: the model imports no opset of the default domain');
  const opset = Math.max(...opsets.map((o) => o.version));
  if (opset < IMPORT_OPSETS[0] || opset > IMPORT_OPSETS[1]) {
    throw new FormatError(`ONNX: opset ${opset} is not supported; supported: ${IMPORT_OPSETS[0]} to ${IMPORT_OPSETS[1]}`);
  }
  return compile(model.graph, opset, model.metadata);
}

function compile(graph: OnnxGraph, opset: number, metadata: [string, string][]): OnnxModel {
  const initializers = new Map<string, Tensor>();
  for (const t of graph.initializer) {
    if (t.name === '') throw new FormatError('ONNX: an initializer has no name');
    if (initializers.has(t.name)) throw new FormatError(`ONNX: initializer '${t.name}' is given twice`);
    initializers.set(t.name, tensorFromProto(t, `initializer '${t.name}'`));
  }
  const inputs: OnnxInput[] = graph.input.filter((i) => !initializers.has(i.name));
  const available = new Set([...initializers.keys(), ...inputs.map((i) => i.name)]);
  const order = topologicalOrder(graph.node, available);
  const graphOutputs = graph.output.map((o) => o.name);
  const readers = new Set([...graph.node.flatMap((n) => n.input), ...graphOutputs]);
  for (const name of graphOutputs) {
    if (!available.has(name) && !graph.node.some((n) => n.output.includes(name))) {
      throw new FormatError(`ONNX: graph output '${name}' is produced by no node, input or initializer`);
    }
  }

  const constants = new Map(initializers);
  const consumed = new Set<string>();
  const compiled: CompiledNode[] = [];
  for (const index of order) {
    const node = graph.node[index]!;
    const label = nodeLabel(node, index);
    const spec = node.domain === '' || node.domain === 'ai.onnx' ? OPERATORS[node.opType] : undefined;
    if (spec === undefined) {
      const domain = node.domain === '' ? '' : ` of domain '${node.domain}'`;
      throw new FormatError(`ONNX: ${label}: operator '${node.opType}'${domain} is not supported; supported: ${Object.keys(OPERATORS).sort().join(', ')}`);
    }
    const [least, most] = spec.inputs;
    if (node.input.length < least || node.input.length > most) {
      throw new FormatError(
        `ONNX: ${label}: takes ${least === most ? least : `${least} to ${most === Infinity ? 'any number of' : most}`} inputs; got ${node.input.length}`,
      );
    }
    const ctx: BuildContext = {
      attrs: new Attributes(node, label, spec.attributes),
      opset,
      inputCount: node.input.length,
      outputCount: node.output.length,
      hasInput: (i) => (node.input[i] ?? '') !== '',
      constantInput: (i) => constants.get(node.input[i] ?? '') ?? null,
      outputUsed: (i) => (node.output[i] ?? '') !== '' && readers.has(node.output[i]!),
    };
    const kernel = spec.build(ctx);
    for (const i of kernel.consumes ?? []) if (ctx.hasInput(i)) consumed.add(node.input[i]!);
    if (node.opType === 'Constant') node.output.forEach((name, k) => constants.set(name, kernel.run([])[k]!));
    compiled.push({ node, label, kernel });
  }

  // Floating initializers read by anything but a recurrent node's weights are parameters; the rest are constants.
  const parameters = new Map<string, Tensor>();
  const known = new Map<string, Tensor>();
  const readElsewhere = new Set(
    compiled.flatMap(({ node, kernel }) => node.input.filter((name, i) => name !== '' && !(kernel.consumes ?? []).includes(i))).concat(graphOutputs),
  );
  for (const [name, t] of initializers) {
    if (consumed.has(name) && !readElsewhere.has(name)) continue;
    if (t.dtype !== 'int32') parameters.set(name, t);
    known.set(name, t);
  }
  return new OnnxModel(inputs, graphOutputs, compiled, known, parameters, metadata);
}

/**
 * The nodes in an order where each comes after the producers of its inputs (Kahn's algorithm).
 * A value read but never produced, produced twice, or a cycle is a FormatError naming the nodes.
 */
function topologicalOrder(nodes: readonly OnnxNode[], available: ReadonlySet<string>): number[] {
  const producer = new Map<string, number>();
  nodes.forEach((node, i) => {
    for (const name of node.output) {
      if (name === '') continue;
      if (available.has(name) || producer.has(name)) {
        throw new FormatError(
          `ONNX: ${nodeLabel(node, i)}: output '${name}' is already ${available.has(name) ? 'a graph input or initializer' : 'produced by another node'}`,
        );
      }
      producer.set(name, i);
    }
  });
  const waiting = nodes.map(() => 0);
  const dependents: number[][] = nodes.map(() => []);
  nodes.forEach((node, i) => {
    for (const name of node.input) {
      if (name === '' || available.has(name)) continue;
      const from = producer.get(name);
      if (from === undefined) throw new FormatError(`ONNX: ${nodeLabel(node, i)}: input '${name}' is produced by no node, graph input or initializer`);
      waiting[i]!++;
      dependents[from]!.push(i);
    }
  });
  const ready = nodes.flatMap((_, i) => (waiting[i] === 0 ? [i] : []));
  const order: number[] = [];
  for (let k = 0; k < ready.length; k++) {
    const i = ready[k]!;
    order.push(i);
    for (const j of dependents[i]!) if (--waiting[j]! === 0) ready.push(j);
  }
  if (order.length < nodes.length) {
    const stuck = nodes.flatMap((node, i) => (waiting[i]! > 0 ? [nodeLabel(node, i)] : []));
    const shown = stuck.slice(0, 5).join(', ') + (stuck.length > 5 ? `, and ${stuck.length - 5} more` : '');
    throw new FormatError(`ONNX: the graph has a cycle: ${stuck.length} node(s) wait on each other (${shown})`);
  }
  return order;
}
