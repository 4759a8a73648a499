// memoryUsage() reports the wasm backend's memory as the runtime sees it, without starting the
// backend just to be read, and shows the arena empty between ops.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { wasmFeatures } from '../../src/backend/wasm/features.js';
import { existingWasmRuntime, wasmRuntime } from '../../src/backend/wasm/runtime.js';
import { getBackend, manualSeed, matmul, memoryUsage, mseLoss, nn, optim, randn, setBackend } from '../../src/index.js';

const skip = wasmFeatures().simd ? false : 'WebAssembly SIMD unavailable';

// Runs first in this file's own process, before anything has used the wasm backend.
test('before the wasm backend runs, every field is 0 and reading does not start it', () => {
  assert.equal(existingWasmRuntime(), null, 'the wasm runtime exists before any op');
  assert.deepEqual(memoryUsage(), { wasmBytes: 0, wasmResidentBytes: 0, wasmArenaBytes: 0, wasmMaximumBytes: 0 });
  assert.equal(existingWasmRuntime(), null, 'memoryUsage() started the wasm runtime');
});

test('on the wasm backend it reports the memory, the parameters resident in it and an empty arena between ops', { skip }, () => {
  const before = getBackend();
  setBackend('wasm');
  try {
    manualSeed(0);
    const model = new nn.Linear({ inFeatures: 64, outFeatures: 32 });
    const opt = new optim.Adam(model.parameters(), { lr: 1e-3 });
    for (let i = 0; i < 3; i++) {
      opt.zeroGrad();
      mseLoss(model.forward(randn([16, 64])), randn([16, 32])).backward();
      opt.step();
    }
    const rt = wasmRuntime();
    const usage = memoryUsage();
    assert.equal(usage.wasmBytes, rt.memory.byteLength);
    assert.equal(usage.wasmMaximumBytes, rt.memory.maximumBytes);
    assert.ok(usage.wasmBytes >= 4 * 2 ** 20 && usage.wasmBytes <= usage.wasmMaximumBytes, `wasmBytes ${usage.wasmBytes}`);
    assert.equal(usage.wasmArenaBytes, 0, 'the arena holds blocks between ops');
    // Parameters are resident only over a shared memory (see resident.ts).
    if (rt.shared) assert.ok(usage.wasmResidentBytes >= 4 * (64 * 32 + 32), `wasmResidentBytes ${usage.wasmResidentBytes}`);
    else assert.equal(usage.wasmResidentBytes, 0);

    // Inside an op the arena's blocks count; a product whose output outgrows the memory grows it.
    const inside = rt.scope(() => {
      rt.alloc(1000);
      return memoryUsage().wasmArenaBytes;
    });
    assert.ok(inside >= 1000 && inside < 1000 + 128, `wasmArenaBytes inside an op: ${inside}`);
    const n = Math.ceil(Math.sqrt(usage.wasmBytes / 4));
    matmul(randn([n, 1]), randn([1, n]));
    const after = memoryUsage();
    assert.ok(after.wasmBytes > usage.wasmBytes, `wasmBytes ${usage.wasmBytes} → ${after.wasmBytes} after a product with ${n}×${n} outputs`);
    assert.equal(after.wasmArenaBytes, 0);
  } finally {
    setBackend(before);
  }
});
