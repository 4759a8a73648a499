import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  Tensor,
  concat,
  gradcheck,
  manualSeed,
  packPaddedSequence,
  packSequence,
  padPackedSequence,
  padSequence,
  randn,
  tensor,
  unpackSequence,
  unpadSequence,
} from '../../src/index.js';
import { distinctSequences, paddedOf } from './helpers.js';

function leaf(shape: readonly number[]): Tensor {
  const t = randn(shape, { dtype: 'float64' });
  t.requiresGrad = true;
  return t;
}

test('gradcheck: padPackedSequence(packPaddedSequence(x)) with sorting, batch first, extra padding', () => {
  manualSeed(1);
  const x = leaf([3, 4, 2]);
  const lengths = [2, 4, 1];
  assert.ok(
    gradcheck(
      (input) => {
        const p = packPaddedSequence(input!, lengths, { batchFirst: true, enforceSorted: false });
        return padPackedSequence(p, { batchFirst: true, paddingValue: 0.5, totalLength: 5 })[0];
      },
      [x],
    ),
  );
});

test('gradcheck: packed data of a time-major batch, and of a list of sequences', () => {
  manualSeed(2);
  assert.ok(gradcheck((input) => packPaddedSequence(input!, [3, 3, 2]).data, [leaf([3, 3])]));
  const seqs = [leaf([2, 2]), leaf([3, 2]), leaf([1, 2])];
  assert.ok(gradcheck((...s) => packSequence(s, { enforceSorted: false }).data, seqs));
});

test('gradcheck: padSequence (left padding) and the two splitting functions', () => {
  manualSeed(3);
  const seqs = [leaf([2, 3]), leaf([4, 3]), leaf([0, 3])];
  assert.ok(gradcheck((...s) => padSequence(s, { paddingSide: 'left', paddingValue: -2 }), seqs));
  const padded = leaf([4, 3, 2]);
  assert.ok(gradcheck((p) => concat(unpadSequence(p!, [4, 1, 3]), 0), [padded]));
  const layout = packPaddedSequence(
    tensor([
      [0, 0],
      [0, 0],
      [0, 0],
    ]),
    [1, 3],
    { enforceSorted: false },
  );
  assert.ok(gradcheck((d) => concat(unpackSequence(layout.withData(d!)), 0), [leaf([4, 2])]));
});

test('the gradient of packed data reaches the valid steps only', () => {
  const seqs = distinctSequences([1, 3, 2], [2], 'float64');
  const x = paddedOf(seqs, true);
  x.requiresGrad = true;
  const p = packPaddedSequence(x, [1, 3, 2], { batchFirst: true, enforceSorted: false });
  assert.ok(p.data.requiresGrad);
  const weights = new Tensor(
    Float64Array.from({ length: 12 }, (_, i) => i + 1),
    [6, 2],
  );
  p.data.backward(weights);
  // Packed order: (t0: b1, b2, b0), (t1: b1, b2), (t2: b1).
  assert.deepEqual(x.grad!.toArray(), [
    [
      [5, 6],
      [0, 0],
      [0, 0],
    ],
    [
      [1, 2],
      [7, 8],
      [11, 12],
    ],
    [
      [3, 4],
      [9, 10],
      [0, 0],
    ],
  ]);
});

test('the gradient of a padded output reaches the packed data, not the padding', () => {
  const data = new Tensor(new Float64Array(5), [5]);
  data.requiresGrad = true;
  const p = packPaddedSequence(
    tensor([
      [1, 2, 3],
      [4, 5, 0],
    ]),
    [3, 2],
    { batchFirst: true },
  );
  const [padded] = padPackedSequence(p.withData(data), { batchFirst: true, totalLength: 4 });
  padded.backward(
    tensor(
      [
        [1, 2, 3, 4],
        [5, 6, 7, 8],
      ],
      { dtype: 'float64' },
    ),
  );
  assert.deepEqual(data.grad!.toArray(), [1, 5, 2, 6, 3]);
});

test('int32 data packs and pads without recording gradients', () => {
  const p = packSequence([tensor([1, 2], { dtype: 'int32' }), tensor([3], { dtype: 'int32' })]);
  assert.equal(p.data.requiresGrad, false);
  assert.deepEqual(padPackedSequence(p)[0].toArray(), [
    [1, 3],
    [2, 0],
  ]);
});
