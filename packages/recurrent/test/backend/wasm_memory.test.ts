// No leak: thousands of training-like steps on the wasm backend, through the public API, leave the
// wasm memory at its warm-up size, the arena empty between ops, and the process RSS bounded.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { wasmFeatures } from '../../src/backend/wasm/features.js';
import { wasmRuntime } from '../../src/backend/wasm/runtime.js';
import { getBackend, manualSeed, matmul, mseLoss, nn, optim, randn, setBackend, sigmoid, softmax, sum, tanh, type Tensor } from '../../src/index.js';

const skip = wasmFeatures().simd ? false : 'WebAssembly SIMD unavailable';

function param(t: Tensor): Tensor {
  t.requiresGrad = true;
  return t;
}

function gc(): void {
  const collect = (globalThis as { gc?: () => void }).gc;
  if (collect) collect();
}

/** Runs `steps` iterations of `step`, asserting flat wasm memory after `warmup` and bounded RSS growth. */
function assertNoLeak(steps: number, warmup: number, rssBoundMiB: number, step: () => void): void {
  const rt = wasmRuntime();
  for (let i = 0; i < warmup; i++) step();
  gc();
  const memoryAfterWarmup = rt.memory.byteLength;
  const rssAfterWarmup = process.memoryUsage().rss;
  for (let i = warmup; i < steps; i++) {
    step();
    assert.equal(rt.arena.used, 0, `arena not empty after step ${i}`);
  }
  gc();
  assert.equal(rt.memory.byteLength, memoryAfterWarmup, 'wasm memory grew after warm-up');
  const growth = (process.memoryUsage().rss - rssAfterWarmup) / 2 ** 20;
  assert.ok(growth < rssBoundMiB, `RSS grew by ${growth.toFixed(1)} MiB`);
}

test('10,000 training steps of a two-layer network leave wasm memory flat', { skip }, () => {
  const before = getBackend();
  setBackend('wasm');
  try {
    manualSeed(1);
    const w1 = param(randn([64, 128]).mul(0.1));
    const w2 = param(randn([128, 32]).mul(0.1));
    const opt = new optim.SGD([w1, w2], { lr: 0.01 });
    const x = randn([32, 64]);
    const target = randn([32, 32]).sigmoid();
    let first = 0;
    let last = 0;
    let i = 0;
    assertNoLeak(10_000, 200, 150, () => {
      opt.zeroGrad();
      const h = tanh(matmul(x, w1)); // (32, 128): wasm gemm and tanh
      const y = sigmoid(matmul(h, w2)); // (32, 32)
      const loss = mseLoss(y, target).add(sum(softmax(h, -1)).mul(0));
      loss.backward();
      opt.step();
      const value = loss.item();
      if (i === 0) first = value;
      last = value;
      i++;
    });
    assert.ok(last < first, `loss fell from ${first} to ${last}`);
  } finally {
    setBackend(before);
  }
});

test('1,000 LSTM training steps leave wasm memory flat', { skip }, () => {
  const before = getBackend();
  setBackend('wasm');
  try {
    manualSeed(2);
    const lstm = new nn.LSTM({ inputSize: 16, hiddenSize: 32 });
    const head = new nn.Linear({ inFeatures: 32, outFeatures: 8 });
    const opt = new optim.SGD([...lstm.parameters(), ...head.parameters()], { lr: 0.05 });
    const x = randn([6, 16, 16]);
    const target = randn([6, 16, 8]);
    assertNoLeak(1_000, 50, 150, () => {
      opt.zeroGrad();
      const [out] = lstm.forward(x) as [Tensor, unknown];
      const loss = mseLoss(head.forward(out), target);
      loss.backward();
      opt.step();
    });
  } finally {
    setBackend(before);
  }
});
