import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  tensor,
  zeros,
  ones,
  randn,
  manualSeed,
  gradcheck,
  Tensor,
  indexSelect,
  gather,
  scatterAdd,
  DTypeError,
  IndexError,
  ShapeError,
} from '../../src/index.js';

function leaf(shape: number[], seed: number): Tensor {
  manualSeed(seed);
  return randn(shape, { dtype: 'float64', requiresGrad: true });
}

const ix = (data: number | number[] | number[][] | number[][][]): Tensor => tensor(data, { dtype: 'int32' });
/** [[0, 1, 2], [3, 4, 5]] */
const m23 = (): Tensor =>
  tensor([
    [0, 1, 2],
    [3, 4, 5],
  ]);

// indexSelect

test('indexSelect picks rows along an axis, repeats allowed', () => {
  const x = m23();
  assert.deepEqual(indexSelect(x, 0, [1, 0, 1]).toArray(), [
    [3, 4, 5],
    [0, 1, 2],
    [3, 4, 5],
  ]);
  assert.deepEqual(indexSelect(x, 1, ix([2, 0])).toArray(), [
    [2, 0],
    [5, 3],
  ]);
  assert.deepEqual(indexSelect(x, -1, [1]).toArray(), [[1], [4]]);
  assert.deepEqual(x.indexSelect(-2, [1]).toArray(), [[3, 4, 5]]);
  assert.deepEqual(indexSelect(x, 1, []).shape, [2, 0]);
  assert.deepEqual(indexSelect(tensor([10, 20, 30]), 0, [2, 2, 0]).toArray(), [30, 30, 10]);
  const t = tensor(
    Array.from({ length: 24 }, (_, n) => n),
    [2, 3, 4],
  );
  // Axis 1 of a [2, 3, 4] tensor: rows j = 2 then 0 within each i.
  assert.deepEqual(indexSelect(t, 1, [2, 0]).toArray(), [
    [
      [8, 9, 10, 11],
      [0, 1, 2, 3],
    ],
    [
      [20, 21, 22, 23],
      [12, 13, 14, 15],
    ],
  ]);
  const e = indexSelect(zeros([0, 3]), 1, [2, 2]);
  assert.deepEqual(e.shape, [0, 2]);
  const i = indexSelect(
    ix([
      [1, 2],
      [3, 4],
    ]),
    0,
    [1],
  );
  assert.equal(i.dtype, 'int32');
  assert.deepEqual(i.toArray(), [[3, 4]]);
});

test('indexSelect errors', () => {
  const x = m23();
  assert.throws(() => indexSelect(x, 0, [2]), IndexError);
  assert.throws(() => indexSelect(x, 0, [-1]), IndexError);
  assert.throws(() => indexSelect(x, 1, ix([0, 3])), IndexError);
  assert.throws(() => indexSelect(x, 2, [0]), IndexError);
  assert.throws(() => indexSelect(x, 0, tensor([0])), DTypeError);
  assert.throws(() => indexSelect(x, 0, ix([[0]])), ShapeError);
  assert.throws(() => indexSelect(tensor(5), 0, [0]), ShapeError);
});

test('indexSelect backward adds the gradient of repeated rows', () => {
  const x = zeros([2, 3], { requiresGrad: true });
  indexSelect(x, 0, [1, 1, 0]).sum().backward();
  assert.deepEqual(x.grad!.toArray(), [
    [1, 1, 1],
    [2, 2, 2],
  ]);
  const y = zeros([2, 3], { requiresGrad: true });
  indexSelect(y, 1, [2, 2]).backward(
    tensor([
      [1, 2],
      [3, 4],
    ]),
  );
  assert.deepEqual(y.grad!.toArray(), [
    [0, 0, 3],
    [0, 0, 7],
  ]);
});

test('indexSelect gradcheck', () => {
  assert.ok(gradcheck((x) => indexSelect(x, 0, [1, 0, 1, 2]), [leaf([3, 2], 1)]));
  assert.ok(gradcheck((x) => indexSelect(x, -1, ix([3, 0, 3])), [leaf([2, 2, 4], 2)]));
});

// gather

test('gather picks x[i][index[i][j]] along axis 1, x[index[i][j]][j] along axis 0', () => {
  const x = tensor([
    [1, 2],
    [3, 4],
  ]);
  assert.deepEqual(
    gather(
      x,
      1,
      ix([
        [0, 0],
        [1, 0],
      ]),
    ).toArray(),
    [
      [1, 1],
      [4, 3],
    ],
  );
  assert.deepEqual(gather(x, 0, ix([[1, 0]])).toArray(), [[3, 2]]);
  assert.deepEqual(
    gather(
      x,
      0,
      ix([
        [1, 1],
        [0, 0],
        [1, 0],
      ]),
    ).toArray(),
    [
      [3, 4],
      [1, 2],
      [3, 2],
    ],
  );
  assert.deepEqual(x.gather(-1, ix([[1], [0]])).toArray(), [[2], [3]]);
  // The index may be smaller than x off the gather axis.
  assert.deepEqual(gather(m23(), 1, ix([[2], [0]])).toArray(), [[2], [3]]);
  assert.deepEqual(gather(m23(), 1, ix([[1, 2, 0, 0]])).toArray(), [[1, 2, 0, 0]]);
  const t = tensor([
    [
      [0, 1],
      [2, 3],
    ],
    [
      [4, 5],
      [6, 7],
    ],
  ]);
  assert.deepEqual(
    gather(
      t,
      -1,
      ix([
        [[1], [0]],
        [[0], [1]],
      ]),
    ).toArray(),
    [
      [[1], [2]],
      [[4], [7]],
    ],
  );
  assert.deepEqual(gather(t, 1, ix([[[1, 0]], [[0, 0]]])).toArray(), [[[2, 1]], [[4, 5]]]);
  assert.deepEqual(gather(tensor([5, 6, 7]), 0, ix([2, 2, 0, 1])).toArray(), [7, 7, 5, 6]);
  assert.deepEqual(gather(x, 1, zeros([2, 0], { dtype: 'int32' })).shape, [2, 0]);
});

test('gather errors', () => {
  const x = m23();
  assert.throws(() => gather(x, 1, ix([[3], [0]])), IndexError);
  assert.throws(() => gather(x, 1, ix([[-1], [0]])), IndexError);
  assert.throws(() => gather(x, 2, ix([[0]])), IndexError);
  assert.throws(() => gather(x, 1, ix([0, 1])), ShapeError);
  assert.throws(() => gather(x, 1, ix([[0], [0], [0]])), ShapeError);
  assert.throws(() => gather(x, 1, tensor([[0], [1]])), DTypeError);
  assert.throws(() => gather(tensor(5), 0, ix(0)), ShapeError);
});

test('gather backward scatters and adds the gradient', () => {
  const x = zeros([2, 2], { requiresGrad: true });
  gather(
    x,
    1,
    ix([
      [0, 0],
      [1, 0],
    ]),
  ).backward(
    tensor([
      [1, 2],
      [3, 4],
    ]),
  );
  assert.deepEqual(x.grad!.toArray(), [
    [3, 0],
    [4, 3],
  ]);
});

test('gather gradcheck', () => {
  assert.ok(
    gradcheck(
      (x) =>
        gather(
          x,
          1,
          ix([
            [0, 0, 2],
            [1, 2, 1],
          ]),
        ),
      [leaf([2, 3], 3)],
    ),
  );
  assert.ok(
    gradcheck(
      (x) =>
        gather(
          x,
          0,
          ix([
            [1, 1],
            [0, 1],
          ]),
        ),
      [leaf([3, 4], 4)],
    ),
  );
});

// scatterAdd

test('scatterAdd along axis 0 adds src[i][j] at out[index[i][j]][j]', () => {
  const src = tensor([
    [1, 2, 3],
    [4, 5, 6],
  ]);
  const x = zeros([2, 3]);
  const out = scatterAdd(
    x,
    0,
    ix([
      [0, 1, 0],
      [1, 0, 1],
    ]),
    src,
  );
  assert.deepEqual(out.toArray(), [
    [1, 5, 3],
    [4, 2, 6],
  ]);
  // Out of place: x keeps its values.
  assert.deepEqual(x.toArray(), [
    [0, 0, 0],
    [0, 0, 0],
  ]);
  assert.notEqual(out.data, x.data);
});

test('scatterAdd along axis 1 with repeated indices accumulates', () => {
  const x = ones([2, 3]);
  const out = x.scatterAdd(
    1,
    ix([
      [0, 0],
      [2, 1],
    ]),
    tensor([
      [1, 2],
      [3, 4],
    ]),
  );
  assert.deepEqual(out.toArray(), [
    [4, 1, 1],
    [1, 5, 4],
  ]);
  assert.deepEqual(x.toArray(), [
    [1, 1, 1],
    [1, 1, 1],
  ]);
  assert.deepEqual(scatterAdd(zeros([4]), -1, ix([3, 3, 0]), tensor([1, 10, 100])).toArray(), [100, 0, 0, 11]);
});

test('scatterAdd uses only the part of src that the index covers', () => {
  const src = tensor([
    [1, 2, 3],
    [4, 5, 6],
  ]);
  assert.deepEqual(scatterAdd(zeros([2, 3]), 1, ix([[2, 2]]), src).toArray(), [
    [0, 0, 3],
    [0, 0, 0],
  ]);
  assert.deepEqual(scatterAdd(zeros([3, 1]), 0, ix([[2], [0]]), src).toArray(), [[4], [0], [1]]);
  assert.deepEqual(scatterAdd(ones([2, 2]), 0, zeros([0, 2], { dtype: 'int32' }), src).toArray(), [
    [1, 1],
    [1, 1],
  ]);
  // Along the scatter axis the index may be longer than x (only src bounds it), as torch.
  assert.deepEqual(scatterAdd(zeros([2, 2]), 0, ix([[0], [1], [0]]), tensor([[1], [2], [3]])).toArray(), [
    [4, 0],
    [2, 0],
  ]);
});

test('scatterAdd errors', () => {
  const src = tensor([
    [1, 2],
    [3, 4],
  ]);
  const x = zeros([2, 2]);
  assert.throws(
    () =>
      scatterAdd(
        x,
        1,
        ix([
          [0, 2],
          [0, 0],
        ]),
        src,
      ),
    IndexError,
  );
  assert.throws(
    () =>
      scatterAdd(
        x,
        0,
        ix([
          [-1, 0],
          [0, 0],
        ]),
        src,
      ),
    IndexError,
  );
  assert.throws(
    () =>
      scatterAdd(
        x,
        2,
        ix([
          [0, 0],
          [0, 0],
        ]),
        src,
      ),
    IndexError,
  );
  assert.throws(
    () =>
      scatterAdd(
        x,
        1,
        ix([
          [0, 0, 0],
          [0, 0, 0],
        ]),
        src,
      ),
    ShapeError,
  );
  assert.throws(() => scatterAdd(x, 1, ix([[0], [1], [0]]), tensor([[1], [2], [3]])), ShapeError);
  assert.throws(() => scatterAdd(x, 1, ix([0, 0]), src), ShapeError);
  assert.throws(
    () =>
      scatterAdd(
        x,
        1,
        ix([
          [0, 0],
          [0, 0],
        ]),
        tensor(
          [
            [1, 2],
            [3, 4],
          ],
          { dtype: 'float64' },
        ),
      ),
    DTypeError,
  );
  assert.throws(
    () =>
      scatterAdd(
        x,
        1,
        tensor([
          [0, 0],
          [0, 0],
        ]),
        src,
      ),
    DTypeError,
  );
  assert.throws(() => scatterAdd(tensor(5), 0, ix(0), tensor(1)), ShapeError);
});

test('scatterAdd backward: x gets the gradient, src gets it gathered (zero where unused)', () => {
  const x = zeros([2, 3], { requiresGrad: true });
  const src = zeros([2, 3], { requiresGrad: true });
  scatterAdd(x, 1, ix([[2, 0]]), src).backward(
    tensor([
      [1, 2, 3],
      [4, 5, 6],
    ]),
  );
  assert.deepEqual(x.grad!.toArray(), [
    [1, 2, 3],
    [4, 5, 6],
  ]);
  assert.deepEqual(src.grad!.toArray(), [
    [3, 1, 0],
    [0, 0, 0],
  ]);
});

test('scatterAdd gradcheck on both x and src', () => {
  assert.ok(
    gradcheck(
      (x, s) =>
        scatterAdd(
          x,
          0,
          ix([
            [1, 0, 1],
            [1, 1, 0],
          ]),
          s,
        ),
      [leaf([2, 3], 5), leaf([2, 3], 6)],
    ),
  );
  assert.ok(
    gradcheck(
      (x, s) =>
        scatterAdd(
          x,
          -1,
          ix([
            [3, 3],
            [0, 1],
          ]),
          s,
        ).mul(x),
      [leaf([2, 4], 7), leaf([3, 3], 8)],
    ),
  );
});
