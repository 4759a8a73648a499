// Requests larger than the runtime can hold are ResourceErrors that name the op, the argument,
// the bytes needed and the limit, not the engine's bare RangeError.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { nn, zeros, ones, randn, setNumThreads, getNumThreads, ResourceError, ValueError } from '../../src/index.js';
import { WasmMemory } from '../../src/backend/wasm/memory.js';

function resource(make: () => unknown, pattern: RegExp): void {
  assert.throws(make, (e: unknown) => {
    assert.ok(e instanceof ResourceError, `expected a ResourceError; got ${String(e)}`);
    assert.match(e.message, pattern);
    return true;
  });
}

test('creation ops name the shape, the bytes and the limit', () => {
  resource(() => zeros([1e6, 1e6]), /^zeros: shape \[1000000, 1000000\] of float32 .*needs 4000000000000 bytes; the limit of one array is \d+ bytes/);
  resource(() => ones([1e6, 1e6], { dtype: 'float64' }), /^ones: .*needs 8000000000000 bytes/);
  resource(() => randn([2 ** 20, 2 ** 20]), /^randn: .*bytes/);
});

test('layers name the parameter that is too large', () => {
  resource(() => new nn.LSTM({ inputSize: 1e6, hiddenSize: 1e6 }), /^LSTM: weight_ih_l0: .*shape \[4000000, 1000000\].*needs 16000000000000 bytes/);
  resource(() => new nn.GRU({ inputSize: 1e6, hiddenSize: 1e6 }), /^GRU: weight_ih_l0: .*bytes/);
  resource(() => new nn.Embedding({ numEmbeddings: 1e9, embeddingDim: 64 }), /^Embedding: weight: .*needs 256000000000 bytes/);
  resource(() => new nn.Linear({ inFeatures: 1e6, outFeatures: 1e6 }), /^Linear: weight: /);
});

test('the wasm memory says how much it needs, its maximum and the way forward', () => {
  const memory = new WasmMemory(false, 16, 1024);
  resource(
    () => memory.ensure(2 ** 32 + 1),
    /needs 4294967297 bytes of WebAssembly memory; the maximum is 67108864\. Use a smaller batch or sequence chunk, or the reference backend/,
  );
  resource(() => memory.ensure(Number.NaN), /the maximum is/);
});

test('setNumThreads(0) is a ValueError naming the argument and the accepted range', () => {
  const before = getNumThreads();
  for (const bad of [0, -1, 1.5, Number.NaN]) {
    assert.throws(
      () => setNumThreads(bad),
      (e: unknown) => e instanceof ValueError && /setNumThreads: n must be an integer of at least 1 \(counts above 64 use 64\); got /.test(e.message),
    );
  }
  assert.equal(getNumThreads(), before);
});
