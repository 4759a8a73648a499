// A user's backend: registered, selected by name, run by every op; its name and kernels are
// checked when it is registered, and a fused recurrence it lacks is a clear error, or (in the
// layers) the composed recurrence instead.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  type Backend,
  BackendError,
  getBackend,
  gruRecurrence,
  listBackends,
  lstmRecurrence,
  nn,
  registerBackend,
  rnnRecurrence,
  setBackend,
  tensor,
  ValueError,
  zeros,
} from '../../src/index.js';
import { fusedRecurrenceAvailable } from '../../src/tensor/ops/recurrence.js';
import { gruRecurrenceBackward, lstmRecurrenceBackward, rnnRecurrenceBackward } from '../../src/tensor/ops/recurrence_backward.js';
import { referenceBackend } from '../../src/backend/reference/reference_backend.js';

/** The reference kernels without the fused recurrences, counting the matrix products. */
function countingBackend(name: string): Backend & { gemms: number } {
  const { rnnForward: _rf, rnnBackward: _rb, lstmForward: _lf, lstmBackward: _lb, gruForward: _gf, gruBackward: _gb, ...plain } = referenceBackend;
  const b = {
    ...plain,
    name,
    gemms: 0,
    gemm(g: Parameters<Backend['gemm']>[0]): void {
      b.gemms++;
      referenceBackend.gemm(g);
    },
  };
  return b;
}

const valueError = (pattern: RegExp) => (e: unknown) => e instanceof ValueError && pattern.test(e.message);

test('a registered backend is listed, selectable, and runs the ops', () => {
  const before = getBackend();
  const counting = countingBackend('counting');
  registerBackend(counting);
  assert.ok(listBackends().includes('counting'));
  try {
    setBackend('counting');
    assert.equal(getBackend(), 'counting');
    const y = tensor([[1, 2]]).matmul(tensor([[3], [4]]));
    assert.deepEqual(y.toArray(), [[11]]);
    assert.ok(counting.gemms > 0, 'the matrix product did not run through the registered backend');
  } finally {
    setBackend(before);
  }
  // Registering the same object again is harmless.
  registerBackend(counting);
  assert.equal(listBackends().filter((n) => n === 'counting').length, 1);
});

test('registerBackend refuses a taken name, naming it', () => {
  assert.throws(() => registerBackend(countingBackend('reference')), valueError(/registerBackend: a backend named 'reference' is already registered/));
  registerBackend(countingBackend('mine'));
  assert.throws(() => registerBackend(countingBackend('mine')), valueError(/registerBackend: a backend named 'mine' is already registered/));
  // The reference backend is still the reference kernels.
  setBackend('reference');
  assert.deepEqual(
    tensor([1, 2])
      .add(tensor([3, 4]))
      .toArray(),
    [4, 6],
  );
});

test('registerBackend refuses a missing or empty name and missing kernels, naming them', () => {
  assert.throws(() => registerBackend(null as unknown as Backend), valueError(/registerBackend: expected a backend object; got null/));
  assert.throws(() => registerBackend(countingBackend('')), valueError(/registerBackend: name must be a non-empty string; got ""/));
  assert.throws(() => registerBackend({ ...countingBackend('x'), name: 7 } as unknown as Backend), valueError(/name must be a non-empty string; got 7/));
  const { gemm: _g, softmax: _s, ...partial } = countingBackend('partial');
  assert.throws(() => registerBackend(partial as unknown as Backend), valueError(/registerBackend: backend 'partial' lacks the kernels softmax, gemm/));
  assert.ok(!listBackends().includes('partial') && !listBackends().includes(''));
});

test('a backend without fused recurrences: the layers run composed, the fused ops and their backwards name the missing kernel', () => {
  const before = getBackend();
  registerBackend(countingBackend('unfused'));
  const batchSizes = new Int32Array([1]);
  const layout = { batch: 1, hiddenSize: 2, batchSizes, reverse: false };
  const [x2, x6, x8, h, w2, w6, w8] = [[1, 2], [6], [8], [1, 2], [2, 2], [6, 2], [8, 2]].map((s) => zeros(s));
  const [out, hN] = [zeros([1, 2]), zeros([1, 2])];
  const saved = { xProj: x2!, h0: h!, wHH: w2!, bHH: null, out, hN };
  const missing = (kernel: string) => (e: unknown) =>
    e instanceof BackendError && e.message === `${kernel}: the unfused backend has no fused kernel for it; use implementation 'composed'`;
  try {
    setBackend('unfused');
    assert.equal(fusedRecurrenceAvailable('lstm'), false);
    const lstm = new nn.LSTM({ inputSize: 3, hiddenSize: 4 });
    const [y] = lstm.forward(tensor([[[1, 2, 3]], [[4, 5, 6]]]));
    assert.deepEqual(y.shape, [2, 1, 4]);
    assert.throws(() => rnnRecurrence(x2!.reshape([1, 2]), h!.reshape([1, 2]), w2!, null, { batchSizes, nonlinearity: 'tanh' }), missing('rnnForward'));
    assert.throws(() => gruRecurrence(x6!.reshape([1, 6]), h!.reshape([1, 2]), w6!, null, { batchSizes, resetAfter: true }), missing('gruForward'));
    const c0 = zeros([1, 2]);
    assert.throws(() => lstmRecurrence(x8!.reshape([1, 8]), h!.reshape([1, 2]), c0, w8!, null, null, null, { batchSizes }), missing('lstmForward'));
    assert.throws(() => rnnRecurrenceBackward(saved, layout, { nonlinearity: 'tanh' }, null, null), missing('rnnBackward'));
    const gruCache = { gates: new Float32Array(6), hn: new Float32Array(2) };
    assert.throws(
      () => gruRecurrenceBackward({ ...saved, xProj: zeros([1, 6]), wHH: w6! }, layout, gruCache, { resetAfter: true }, null, null),
      missing('gruBackward'),
    );
    const lstmSaved = { xProj: zeros([1, 8]), h0: h!.reshape([1, 2]), c0, wHH: w8!, bHH: null, wHR: null, peepholes: null, out, hN, cN: zeros([1, 2]) };
    const lstmCache = { gates: new Float32Array(8), cells: new Float32Array(2), m: null };
    assert.throws(() => lstmRecurrenceBackward(lstmSaved, layout, lstmCache, null, null, null), missing('lstmBackward'));
  } finally {
    setBackend(before);
  }
});
