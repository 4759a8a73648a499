// nn.LSTM with peepholes and nn.PeepholeLSTMCell against an independent PyTorch implementation of
// the peephole equations (test/fixtures/peephole, see test/fixtures/README.md): outputs, final
// states and every gradient, fused and composed.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { nn, packPaddedSequence, padPackedSequence, readSafetensorsFile, select, stack, PackedSequence, type Tensor } from '../../src/index.js';
import { assertClose, TORCH_FLOAT32_TOLERANCE } from '../helpers/close.js';

interface PeepholeConfig {
  mode: 'LSTM';
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
  peepholes: true;
}

const TOL = TORCH_FLOAT32_TOLERANCE;
const dir = join(import.meta.dirname, '..', 'fixtures', 'peephole');
const files = readdirSync(dir)
  .filter((f) => f.endsWith('.safetensors'))
  .sort();

function leaf(t: Tensor): Tensor {
  const copy = t.detach().clone();
  copy.requiresGrad = true;
  return copy;
}

function load(file: string): { config: PeepholeConfig; t: (name: string) => Tensor; params: Record<string, Tensor> } {
  const { tensors, metadata } = readSafetensorsFile(readFileSync(join(dir, file)));
  const config = JSON.parse(metadata.config!) as PeepholeConfig;
  assert.equal(config.peepholes, true, `${file}: config.peepholes`);
  const t = (name: string): Tensor => {
    const found = tensors[name];
    assert.ok(found, `${file}: missing tensor ${name}`);
    return found;
  };
  const params = Object.fromEntries(
    Object.entries(tensors)
      .filter(([k]) => k.startsWith('param.'))
      .map(([k, v]) => [k.slice(6), v]),
  );
  return { config, t, params };
}

function runLayer(file: string, implementation: 'fused' | 'composed'): void {
  const { config, t, params } = load(file);
  const lstm = new nn.LSTM({
    inputSize: config.inputSize,
    hiddenSize: config.hiddenSize,
    numLayers: config.numLayers,
    bias: config.bias,
    batchFirst: config.batchFirst,
    bidirectional: config.bidirectional,
    projSize: config.projSize,
    peepholes: true,
    implementation,
  });
  const named = new Map(lstm.namedParameters());
  // The fixture lists the parameters in the order the module registers them.
  assert.deepEqual([...named.keys()], Object.keys(params), 'parameter names and order');
  lstm.loadStateDict(params);

  const input = leaf(t('input'));
  const h0 = config.withH0 ? leaf(t('h0')) : null;
  const c0 = config.withH0 ? leaf(t('c0')) : null;
  const x =
    config.input === 'packed'
      ? packPaddedSequence(input, config.lengths!, { batchFirst: config.batchFirst, enforceSorted: config.enforceSorted ?? true })
      : input;
  const [output, [hN, cN]] = lstm.forward(x, h0 && c0 ? [h0, c0] : null);
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
  assertClose(cN, t('c_n'), 'c_n', TOL, TOL);

  padded
    .mul(t('grad_output'))
    .sum()
    .add(hN.mul(t('grad_h_n')).sum())
    .add(cN.mul(t('grad_c_n')).sum())
    .backward();
  assertClose(input.grad!, t('grad.input'), 'grad.input', TOL, TOL);
  if (h0) assertClose(h0.grad!, t('grad.h0'), 'grad.h0', TOL, TOL);
  if (c0) assertClose(c0.grad!, t('grad.c0'), 'grad.c0', TOL, TOL);
  for (const [name, p] of named) {
    assert.ok(p.grad, `grad.param.${name} is missing`);
    assertClose(p.grad, t(`grad.param.${name}`), `grad.param.${name}`, TOL, TOL);
  }
}

/** One-layer, one-direction, unprojected, unpacked fixtures are also nn.PeepholeLSTMCell stepped over time. */
function cellApplies(config: PeepholeConfig): boolean {
  return config.numLayers === 1 && !config.bidirectional && config.projSize === 0 && config.input !== 'packed';
}

function runCell(file: string): void {
  const { config, t, params } = load(file);
  const cell = new nn.PeepholeLSTMCell({ inputSize: config.inputSize, hiddenSize: config.hiddenSize, bias: config.bias });
  cell.loadStateDict(Object.fromEntries(Object.entries(params).map(([k, v]) => [k.replace(/_l0$/, ''), v])));
  const input = leaf(t('input'));
  const unbatched = config.input === 'unbatched';
  const timeAxis = config.batchFirst && !unbatched ? 1 : 0;
  // The layer's states carry a leading (layers · directions) axis of 1; the cell's do not.
  const h0 = config.withH0 ? leaf(select(t('h0'), 0, 0)) : null;
  const c0 = config.withH0 ? leaf(select(t('c0'), 0, 0)) : null;
  let state: [Tensor, Tensor] | null = h0 && c0 ? [h0, c0] : null;
  const hs: Tensor[] = [];
  for (let s = 0; s < input.shape[timeAxis]!; s++) {
    state = cell.forward(select(input, timeAxis, s), state);
    hs.push(state[0]);
  }
  const output = stack(hs, timeAxis);
  const [hN, cN] = state!;
  assertClose(output, t('output'), 'output', TOL, TOL);
  assertClose(hN, select(t('h_n'), 0, 0), 'h_n', TOL, TOL);
  assertClose(cN, select(t('c_n'), 0, 0), 'c_n', TOL, TOL);
  output
    .mul(t('grad_output'))
    .sum()
    .add(hN.mul(select(t('grad_h_n'), 0, 0)).sum())
    .add(cN.mul(select(t('grad_c_n'), 0, 0)).sum())
    .backward();
  assertClose(input.grad!, t('grad.input'), 'grad.input', TOL, TOL);
  if (h0) assertClose(h0.grad!, select(t('grad.h0'), 0, 0), 'grad.h0', TOL, TOL);
  if (c0) assertClose(c0.grad!, select(t('grad.c0'), 0, 0), 'grad.c0', TOL, TOL);
  for (const [name, p] of cell.namedParameters()) {
    assert.ok(p.grad, `grad.param.${name} is missing`);
    assertClose(p.grad, t(`grad.param.${name}_l0`), `grad.param.${name}`, TOL, TOL);
  }
}

describe('peephole LSTM matches the PyTorch peephole equations', () => {
  test('the fixture set covers projection, two layers, both directions and packed input', () => {
    const configs = files.map((f) => load(f).config);
    assert.ok(files.length >= 5, `found ${files.length} fixtures`);
    assert.ok(configs.some((c) => c.projSize > 0));
    assert.ok(configs.some((c) => c.numLayers > 1 && c.bidirectional));
    assert.ok(configs.some((c) => c.input === 'packed' && c.enforceSorted === false));
    assert.ok(configs.some(cellApplies));
  });
  for (const file of files) {
    test(`${file} (fused)`, () => runLayer(file, 'fused'));
    test(`${file} (composed)`, () => runLayer(file, 'composed'));
    if (cellApplies(load(file).config)) test(`${file} (PeepholeLSTMCell)`, () => runCell(file));
  }
});
