// loadStateDict validates the whole dict (keys, kinds, shapes, dtypes, data lengths) before it
// copies anything: whatever the input, a refused load leaves every parameter bitwise unchanged.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { RecurrentError, Tensor, manualSeed, nn, zeros } from '../../src/index.js';

function snapshot(model: nn.Module): Map<string, Uint8Array> {
  return new Map(
    Object.entries(model.stateDict()).map(([k, t]) => [k, new Uint8Array(t.data.buffer.slice(t.data.byteOffset, t.data.byteOffset + t.data.byteLength))]),
  );
}

/** A Tensor whose data array is longer than its shape says, as code that swaps `data` makes one. */
function withData(like: Tensor, data: Float32Array): Tensor {
  const t = zeros([...like.shape]);
  Reflect.set(t, 'data', data);
  return t;
}

test('a refused load changes nothing, whatever is wrong with the dict', () => {
  manualSeed(3);
  const model = new nn.LSTM({ inputSize: 3, hiddenSize: 4, numLayers: 2, bidirectional: true }); // 16 parameters
  const good = model.stateDict();
  const keys = Object.keys(good);
  assert.equal(keys.length, 16);
  const last = keys[keys.length - 1]!;
  const replacement = Object.fromEntries(keys.map((k) => [k, zeros([...good[k]!.shape])]));
  const bad: [string, unknown][] = [
    ['null', null],
    ['undefined', undefined],
    ['an array', [replacement[keys[0]!]]],
    ['a number', 7],
    ['a key holding undefined', { ...replacement, [last]: undefined }],
    ['a key holding null', { ...replacement, [last]: null }],
    ['a key holding a plain object', { ...replacement, [last]: { shape: good[last]!.shape, data: new Float32Array(4 * 4) } }],
    ['data longer than the shape', { ...replacement, [last]: withData(good[last]!, new Float32Array(good[last]!.size + 5)) }],
    ['data shorter than the shape', { ...replacement, [last]: withData(good[last]!, new Float32Array(good[last]!.size - 1)) }],
    [
      'data that is not a typed array',
      {
        ...replacement,
        [last]: (() => {
          const t = zeros([...good[last]!.shape]);
          Reflect.set(t, 'data', Array.from(t.data));
          return t;
        })(),
      },
    ],
    ['a wrong shape', { ...replacement, [last]: zeros([good[last]!.size + 1]) }],
    ['a missing key', Object.fromEntries(keys.slice(1).map((k) => [k, replacement[k]]))],
    ['an unexpected key', { ...replacement, extra: zeros([1]) }],
  ];
  const before = snapshot(model);
  for (const [what, dict] of bad) {
    assert.throws(
      () => model.loadStateDict(dict as Record<string, Tensor>),
      (e: unknown) => e instanceof RecurrentError && e.message.startsWith('loadStateDict'),
      `${what} should be a typed error`,
    );
    assert.deepEqual(snapshot(model), before, `${what} changed a parameter`);
  }
  // Non-strict loading skips missing and unexpected keys, but still refuses bad values.
  for (const [what, dict] of bad.slice(4, 11)) {
    assert.throws(() => model.loadStateDict(dict as Record<string, Tensor>, { strict: false }), RecurrentError, what);
    assert.deepEqual(snapshot(model), before, `${what} changed a parameter (strict: false)`);
  }
  model.loadStateDict(replacement);
  for (const t of Object.values(model.stateDict())) assert.ok(t.data.every((v) => v === 0));
});
