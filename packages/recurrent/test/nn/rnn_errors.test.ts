// Bad options and inputs to the recurrent layers get typed errors that name the argument, the
// expected and the actual value.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DTypeError, ShapeError, ValueError, nn, randn, zeros } from '../../src/index.js';

test('options are validated eagerly', () => {
  assert.throws(() => new nn.LSTM({ inputSize: 0, hiddenSize: 4 }), { name: 'ValueError', message: /LSTM: inputSize must be a positive integer; got 0/ });
  assert.throws(() => new nn.GRU({ inputSize: 2, hiddenSize: 4, numLayers: 1.5 }), {
    name: 'ValueError',
    message: /numLayers must be a positive integer; got 1.5/,
  });
  assert.throws(() => new nn.LSTM({ inputSize: 2, hiddenSize: 4, projSize: 4 }), {
    name: 'ValueError',
    message: /projSize must be a non-negative integer smaller than hiddenSize 4; got 4/,
  });
  assert.throws(() => new nn.RNN({ inputSize: 2, hiddenSize: 4, dropout: 1.5 }), {
    name: 'ValueError',
    message: /dropout must be a number in \[0, 1\]; got 1.5/,
  });
  assert.throws(() => new nn.RNN({ inputSize: 2, hiddenSize: 4, nonlinearity: 'sigmoid' as 'tanh' }), ValueError);
});

test('input rank, feature size and dtype are checked', () => {
  const lstm = new nn.LSTM({ inputSize: 3, hiddenSize: 4 });
  assert.throws(() => lstm.forward(randn([2, 3, 4, 3])), {
    name: 'ShapeError',
    message: /LSTM: expected input to be 2-D \(unbatched\) or 3-D \(batched\); got 4-D tensor \[2, 3, 4, 3\]/,
  });
  assert.throws(() => lstm.forward(randn([5, 2, 7])), { name: 'ShapeError', message: /LSTM: input's last axis must be inputSize 3; got 7/ });
  assert.throws(() => lstm.forward(randn([5, 2, 3], { dtype: 'float64' })), DTypeError);
});

test('initial states are checked against (D·numLayers, N, H_out)', () => {
  const gru = new nn.GRU({ inputSize: 3, hiddenSize: 4, numLayers: 2, bidirectional: true });
  const x = randn([5, 2, 3]);
  assert.throws(() => gru.forward(x, zeros([2, 2, 4])), { name: 'ShapeError', message: /GRU: expected h0 of shape \[4, 2, 4\]; got \[2, 2, 4\]/ });
  const lstm = new nn.LSTM({ inputSize: 3, hiddenSize: 4, projSize: 2 });
  assert.throws(() => lstm.forward(x, [zeros([1, 2, 4]), zeros([1, 2, 4])]), { message: /expected h0 of shape \[1, 2, 2\]; got \[1, 2, 4\]/ });
  assert.throws(() => lstm.forward(x, [zeros([1, 2, 2]), zeros([1, 2, 2])]), { message: /expected c0 of shape \[1, 2, 4\]; got \[1, 2, 2\]/ });
  // Unbatched input takes unbatched states.
  assert.throws(() => lstm.forward(randn([5, 3]), [zeros([1, 1, 2]), zeros([1, 1, 4])]), ShapeError);
  const [out, [h, c]] = lstm.forward(randn([5, 3]), [zeros([1, 2]), zeros([1, 4])]);
  assert.deepEqual(
    [out.shape, h.shape, c.shape],
    [
      [5, 2],
      [1, 2],
      [1, 4],
    ],
  );
});

test('output and state shapes follow PyTorch, whatever batchFirst says', () => {
  const lstm = new nn.LSTM({ inputSize: 3, hiddenSize: 5, numLayers: 3, bidirectional: true, batchFirst: true, projSize: 2 });
  const [out, [h, c]] = lstm.forward(randn([4, 7, 3]));
  assert.deepEqual(
    [out.shape, h.shape, c.shape],
    [
      [4, 7, 4],
      [6, 4, 2],
      [6, 4, 5],
    ],
  );
  const rnn = new nn.RNN({ inputSize: 3, hiddenSize: 5 });
  const [o2, h2] = rnn.forward(randn([0, 2, 3]));
  assert.deepEqual(
    [o2.shape, h2.shape],
    [
      [0, 2, 5],
      [1, 2, 5],
    ],
  );
});
