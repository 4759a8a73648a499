// Resident storage: parameters living in wasm memory. Blocks are zeroed, aligned, survive memory
// growth, are freed and reused after garbage collection; modules place their float32 parameters
// there on the wasm backend, and kernels see in-place updates (an optimizer step) with no stale copy.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { setImmediate as tick } from 'node:timers/promises';
import { wasmFeatures } from '../../src/backend/wasm/features.js';
import { WasmRuntime, wasmRuntime } from '../../src/backend/wasm/runtime.js';
import { getBackend, manualSeed, nn, noGrad, optim, randn, setBackend, tensor, type Tensor } from '../../src/index.js';

const features = wasmFeatures();
const skip = features.simd && features.sharedMemory ? false : 'needs WebAssembly SIMD and shared memory';

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

async function collect(): Promise<void> {
  // Finalization callbacks run as tasks after a collection.
  for (let i = 0; i < 5; i++) {
    gc();
    await tick();
  }
}

function onBackend<T>(name: string, fn: () => T): T {
  const before = getBackend();
  setBackend(name);
  try {
    return fn();
  } finally {
    setBackend(before);
  }
}

test('resident arrays are zeroed, 64-byte aligned, owned, and survive memory growth', { skip }, () => {
  const rt = new WasmRuntime({ threads: 1 });
  const a = rt.resident.f32(1000)!;
  const b = rt.resident.f32(3)!;
  assert.ok(a.every((x) => x === 0) && b.every((x) => x === 0));
  assert.equal(a.byteOffset % 64, 0);
  assert.equal(b.byteOffset % 64, 0);
  assert.ok(b.byteOffset >= a.byteOffset + 4000, 'blocks overlap');
  assert.ok(rt.arena.base >= b.byteOffset + 12, 'the arena starts above the resident blocks');
  a.fill(2.5);
  const before = rt.memory.byteLength;
  rt.scope(() => rt.alloc(before * 2)); // grows the memory
  assert.ok(rt.memory.byteLength > before);
  assert.ok(rt.owns(a), 'a view of the buffer before growth is still owned');
  assert.ok(a.every((x) => x === 2.5));
  assert.equal(rt.f32(a.byteOffset, 1000)[999], 2.5);
  assert.equal(rt.owns(new Float32Array(4)), false);
});

test('an unshared memory refuses resident arrays, and none is placed while the arena is in use', { skip }, () => {
  assert.equal(new WasmRuntime({ shared: false }).resident.f32(10), null);
  const rt = new WasmRuntime({ threads: 1 });
  rt.scope(() => {
    rt.alloc(100);
    assert.equal(rt.resident.f32(10), null);
  });
  assert.notEqual(rt.resident.f32(10), null);
});

test('a collected resident array frees its block for reuse and gives the top back to the arena', { skip }, async () => {
  const rt = new WasmRuntime({ threads: 1 });
  const base0 = rt.arena.base;
  const keep = rt.resident.f32(256)!;
  (() => {
    for (let i = 0; i < 50; i++) rt.resident.f32(10_000);
  })();
  const grown = rt.arena.base;
  assert.ok(grown >= base0 + 50 * 40_000);
  await collect();
  assert.equal(rt.resident.bytesInUse, 1024, 'only the kept array is live');
  assert.ok(rt.arena.base < grown, 'freed blocks at the top went back to the arena');
  assert.ok(rt.arena.base <= keep.byteOffset + 1024 + 64);
  keep[0] = 1;
  assert.equal(keep[0], 1);
});

test('freed blocks below live ones are reused first-fit', { skip }, async () => {
  const rt = new WasmRuntime({ threads: 1 });
  let dropped: Float32Array | null = rt.resident.f32(4096);
  const hole = dropped!.byteOffset;
  const pinned = rt.resident.f32(16)!;
  dropped = null;
  await collect();
  const reused = rt.resident.f32(1000)!;
  assert.equal(reused.byteOffset, hole);
  assert.ok(pinned.byteOffset > hole);
});

test('modules place float32 parameters in wasm memory on the wasm backend, and only there', { skip }, () => {
  const rt = wasmRuntime();
  const lstm = onBackend('wasm', () => new nn.LSTM({ inputSize: 5, hiddenSize: 7 }));
  for (const [name, p] of lstm.namedParameters()) assert.ok(rt.owns(p.data), `${name} is not resident`);
  const onReference = onBackend('reference', () => new nn.Linear({ inFeatures: 3, outFeatures: 2 }));
  for (const p of onReference.parameters()) assert.equal(rt.owns(p.data), false);
  const f64 = onBackend('wasm', () => new nn.Linear({ inFeatures: 3, outFeatures: 2, dtype: 'float64' }));
  for (const p of f64.parameters()) assert.equal(rt.owns(p.data), false);
  const converted = onBackend('wasm', () => f64.to('float32'));
  for (const p of converted.parameters()) assert.ok(rt.owns(p.data));
});

test('kernels see in-place parameter updates: wasm training equals the reference step for step', { skip }, () => {
  const run = (backendName: string): Float32Array[] =>
    onBackend(backendName, () => {
      manualSeed(7);
      const lstm = new nn.LSTM({ inputSize: 4, hiddenSize: 6 });
      const head = new nn.Linear({ inFeatures: 6, outFeatures: 3 });
      const opt = new optim.SGD([...lstm.parameters(), ...head.parameters()], { lr: 0.05 });
      const x = randn([5, 2, 4]);
      const outputs: Float32Array[] = [];
      for (let step = 0; step < 4; step++) {
        opt.zeroGrad();
        const [out] = lstm.forward(x) as [Tensor, unknown];
        const y = head.forward(out);
        outputs.push(y.data.slice() as Float32Array);
        y.mul(y).sum().backward();
        opt.step();
      }
      // Batch-1 steps take the matrix–vector path on the updated weights.
      noGrad(() => {
        const [out] = lstm.forward(
          tensor(
            Array.from({ length: 4 }, (_, i) => i / 4),
            [1, 1, 4],
          ),
        ) as [Tensor, unknown];
        outputs.push(head.forward(out).data.slice() as Float32Array);
      });
      return outputs;
    });
  const wasm = run('wasm');
  const reference = run('reference');
  wasm.forEach((w, i) => {
    for (let j = 0; j < w.length; j++)
      assert.ok(Math.abs(w[j]! - reference[i]![j]!) <= 1e-5 * (1 + Math.abs(reference[i]![j]!)), `output ${i}[${j}]: ${w[j]} vs ${reference[i]![j]}`);
  });
  assert.ok(
    wasm[0]!.some((v, j) => v !== wasm[3]![j]),
    'training changed the outputs',
  );
});

test('a tensor registered twice (tied weights) is placed once and stays one tensor', { skip }, () => {
  const rt = wasmRuntime();
  class Tied extends nn.Module {
    constructor(w: Tensor) {
      super();
      this.registerParameter('encoder', w);
      this.registerParameter('decoder', w);
    }
  }
  onBackend('wasm', () => {
    const w = randn([10, 4]);
    const values = w.data.slice();
    const tied = new Tied(w);
    const data = w.data;
    assert.ok(rt.owns(data));
    assert.deepEqual(data, values);
    const dict = tied.stateDict();
    assert.equal(dict.encoder!.data, data);
    assert.equal(dict.decoder!.data, data);
  });
});
