// The page of equivalence.test.ts: the PyTorch fixture checks of the ops and of the recurrent
// layers (fused and composed) run here, in the browser, on the wasm backend; then, where the page
// has threads, a threaded LSTM and GRU must equal the one-thread results bit for bit, with the
// workers taking part. The outcome is left in globalThis.__result for the test to read.
import {
  getBackend,
  getNumThreads,
  manualSeed,
  nn,
  ready,
  registerBackend,
  randn,
  setBackend,
  setNumThreads,
  type Tensor,
} from '../../../packages/recurrent/src/index.js';
import { WasmRuntime } from '../../../packages/recurrent/src/backend/wasm/runtime.js';
import { makeWasmBackend } from '../../../packages/recurrent/src/backend/wasm/wasm_backend.js';
import { checkOpFixture } from '../../../packages/recurrent/test/tensor/op_fixture_check.js';
import { checkRnnFixture } from '../../../packages/recurrent/test/nn/rnn_fixture_check.js';

export interface EquivalenceResult {
  backend: string;
  threads: number;
  threadsNote: string | null;
  isolated: boolean;
  /** Checks run and passed, by kind. */
  passed: Record<string, number>;
  failures: string[];
  /** Chunks that worker threads ran in the threaded comparison (absent without threads). */
  workerChunks?: number;
  done: true;
}

interface FixtureList {
  ops: string[];
  rnn: string[];
}

async function bytes(path: string): Promise<Uint8Array> {
  const response = await fetch(path);
  if (!response.ok) throw new Error(`${path}: HTTP ${response.status}`);
  return new Uint8Array(await response.arrayBuffer());
}

function check(result: EquivalenceResult, kind: string, name: string, fn: () => void): void {
  try {
    fn();
    result.passed[kind] = (result.passed[kind] ?? 0) + 1;
  } catch (e) {
    result.failures.push(`${kind} ${name}: ${e instanceof Error ? e.message : String(e)}`);
  }
}

/** Output, final state and every gradient of a small training step of `cell` on the active backend. */
function trainingStep(cell: 'LSTM' | 'GRU'): Float32Array[] {
  manualSeed(7);
  const options = { inputSize: 32, hiddenSize: 256 };
  const layer = cell === 'LSTM' ? new nn.LSTM(options) : new nn.GRU(options);
  const x = randn([12, 32, 32]);
  x.requiresGrad = true;
  const [out] = layer instanceof nn.LSTM ? layer.forward(x) : layer.forward(x);
  out.mul(out).sum().backward();
  const grads = layer.parameters().map((p) => (p.grad as Tensor).data as Float32Array);
  return [out.data as Float32Array, (x.grad as Tensor).data as Float32Array, ...grads];
}

/** The threaded runtime (its caller only hands out work) must give the one-thread results exactly. */
async function threadedEqualsOneThread(result: EquivalenceResult): Promise<void> {
  const threads = new WasmRuntime({ threads: 2, callerWorks: false });
  const started = await threads.startThreadsAsync();
  if (started !== 2) throw new Error(`2 threads asked for, ${started} started`);
  registerBackend({ ...makeWasmBackend(threads), name: 'wasm-2-workers' });
  for (const cell of ['LSTM', 'GRU'] as const) {
    check(result, 'threaded', cell, () => {
      setBackend('wasm');
      setNumThreads(1);
      const one = trainingStep(cell);
      setBackend('wasm-2-workers');
      const two = trainingStep(cell);
      one.forEach((a, i) => {
        const b = two[i]!;
        const at = a.findIndex((v, j) => !Object.is(v, b[j]));
        if (a.length !== b.length || at >= 0) throw new Error(`array ${i} differs at ${at}: ${a[at]} on 1 thread, ${b[at]} on 2`);
      });
    });
  }
  result.workerChunks = threads.chunksOnWorkers;
  threads.stopThreads();
  setBackend('wasm');
}

async function main(): Promise<EquivalenceResult> {
  const info = await ready();
  const result: EquivalenceResult = {
    backend: getBackend(),
    threads: getNumThreads(),
    threadsNote: info.threadsNote,
    isolated: crossOriginIsolated,
    passed: {},
    failures: [],
    done: true,
  };
  const list = (await (await fetch('fixtures.json')).json()) as FixtureList;
  for (const file of list.ops) {
    const data = await bytes(`fixtures/ops/${file}`);
    check(result, 'ops', file, () => checkOpFixture(data));
  }
  for (const file of list.rnn) {
    const data = await bytes(`fixtures/rnn/${file}`);
    for (const implementation of ['fused', 'composed'] as const)
      check(result, `rnn ${implementation}`, file, () => checkRnnFixture(file, data, implementation));
  }
  if (result.threads > 1) await threadedEqualsOneThread(result);
  return result;
}

const scope = globalThis as { __result?: EquivalenceResult | { error: string } };
main().then(
  (r) => (scope.__result = r),
  (e: unknown) => (scope.__result = { error: e instanceof Error ? (e.stack ?? e.message) : String(e) }),
);
