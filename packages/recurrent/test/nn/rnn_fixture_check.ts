// One recurrent-layer fixture of test/fixtures/rnn (nn.RNN / LSTM / GRU from PyTorch 1.13; the
// format is in test/fixtures/README.md) checked on one implementation: outputs, final states and
// every gradient. Shared by rnn_fixtures.test.ts (Node) and the browser tests (test/browser).
import assert from 'node:assert/strict';
import { nn, packPaddedSequence, padPackedSequence, readSafetensorsFile, PackedSequence, type Tensor } from '../../src/index.js';
import { assertClose, TORCH_FLOAT32_TOLERANCE } from '../helpers/close.js';

interface RnnConfig {
  mode: 'RNN_TANH' | 'RNN_RELU' | 'LSTM' | 'GRU';
  inputSize: number;
  hiddenSize: number;
  numLayers: number;
  bias: boolean;
  batchFirst: boolean;
  bidirectional: boolean;
  projSize: number;
  input: 'padded' | 'packed' | 'unbatched';
  lengths?: number[];
  enforceSorted?: boolean;
  withH0: boolean;
}

const TOL = TORCH_FLOAT32_TOLERANCE;
function build(config: RnnConfig, implementation: 'fused' | 'composed'): nn.RNNBase {
  const common = {
    inputSize: config.inputSize,
    hiddenSize: config.hiddenSize,
    numLayers: config.numLayers,
    bias: config.bias,
    batchFirst: config.batchFirst,
    bidirectional: config.bidirectional,
    implementation,
  };
  if (config.mode === 'LSTM') return new nn.LSTM({ ...common, projSize: config.projSize });
  if (config.mode === 'GRU') return new nn.GRU(common);
  return new nn.RNN({ ...common, nonlinearity: config.mode === 'RNN_RELU' ? 'relu' : 'tanh' });
}

function leaf(t: Tensor): Tensor {
  const copy = t.detach().clone();
  copy.requiresGrad = true;
  return copy;
}

/** Checks the fixture `file` (its name, for messages, and its bytes) on one implementation. */
export function checkRnnFixture(file: string, bytes: Uint8Array, implementation: 'fused' | 'composed'): void {
  const { tensors, metadata } = readSafetensorsFile(bytes);
  const config = JSON.parse(metadata.config!) as RnnConfig;
  const t = (name: string): Tensor => {
    const found = tensors[name];
    assert.ok(found, `${file}: missing tensor ${name}`);
    return found;
  };
  const module = build(config, implementation);
  const params = Object.fromEntries(
    Object.entries(tensors)
      .filter(([k]) => k.startsWith('param.'))
      .map(([k, v]) => [k.slice(6), v]),
  );
  module.loadStateDict(params);

  const input = leaf(t('input'));
  const h0 = config.withH0 ? leaf(t('h0')) : null;
  const c0 = config.withH0 && config.mode === 'LSTM' ? leaf(t('c0')) : null;
  const x =
    config.input === 'packed'
      ? packPaddedSequence(input, config.lengths!, { batchFirst: config.batchFirst, enforceSorted: config.enforceSorted ?? true })
      : input;

  let output: Tensor | PackedSequence;
  let hN: Tensor;
  let cN: Tensor | null = null;
  if (module instanceof nn.LSTM) {
    [output, [hN, cN]] = module.forward(x, h0 && c0 ? [h0, c0] : null);
  } else {
    [output, hN] = (module as nn.RNN | nn.GRU).forward(x, h0);
  }
  // A packed input gives a packed output, any other input a tensor.
  let padded: Tensor;
  if (config.input === 'packed') {
    assert.ok(output instanceof PackedSequence, `${file}: a packed input must give a PackedSequence output; got ${output.constructor.name}`);
    padded = padPackedSequence(output, { batchFirst: config.batchFirst })[0];
  } else {
    assert.ok(!(output instanceof PackedSequence), `${file}: a ${config.input} input must give a tensor output; got a PackedSequence`);
    padded = output;
  }

  assertClose(padded, t('output'), 'output', TOL, TOL);
  assertClose(hN, t('h_n'), 'h_n', TOL, TOL);
  if (cN) assertClose(cN, t('c_n'), 'c_n', TOL, TOL);

  let loss = padded
    .mul(t('grad_output'))
    .sum()
    .add(hN.mul(t('grad_h_n')).sum());
  if (cN) loss = loss.add(cN.mul(t('grad_c_n')).sum());
  loss.backward();

  assertClose(input.grad!, t('grad.input'), 'grad.input', TOL, TOL);
  if (h0) assertClose(h0.grad!, t('grad.h0'), 'grad.h0', TOL, TOL);
  if (c0) assertClose(c0.grad!, t('grad.c0'), 'grad.c0', TOL, TOL);
  const named = new Map(module.namedParameters());
  assert.deepEqual([...named.keys()].sort(), Object.keys(params).sort(), 'parameter names');
  for (const [name, p] of named) assertClose(p.grad!, t(`grad.param.${name}`), `grad.param.${name}`, TOL, TOL);
}
