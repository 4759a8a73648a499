// The CTC loss: against PyTorch 1.13 (test/fixtures/ctc, written by `tools/generate_fixtures.py
// --only ctc`), float64 gradient checks, brute-force path sums on tiny cases, impossible alignments
// and the argument checks.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import {
  DTypeError,
  IndexError,
  ShapeError,
  Tensor,
  ValueError,
  ctcLoss,
  gradcheck,
  logSoftmax,
  manualSeed,
  nn,
  randn,
  readSafetensorsFile,
  tensor,
  type CTCLossOptions,
} from '../../src/index.js';

const dir = join(import.meta.dirname, '..', 'fixtures', 'ctc');
const files = readdirSync(dir)
  .filter((f) => f.endsWith('.safetensors'))
  .sort();

interface FixtureOptions extends CTCLossOptions {
  unbatched?: boolean;
  concatenated?: boolean;
}

/** |a − e| ≤ atol + rtol·|e| everywhere, where an infinity or a NaN in `expected` must be the same in `actual`. */
function assertMatches(actual: Tensor, expected: Tensor, label: string, tol: number): void {
  assert.deepEqual([...actual.shape], [...expected.shape], `${label}: shape`);
  for (let i = 0; i < expected.size; i++) {
    const a = actual.data[i]!;
    const e = expected.data[i]!;
    if (!Number.isFinite(e)) {
      assert.ok(Object.is(a, e) || (Number.isNaN(a) && Number.isNaN(e)), `${label}: element ${i} is ${a}, expected ${e}`);
    } else {
      assert.ok(Math.abs(a - e) <= tol + tol * Math.abs(e), `${label}: element ${i} is ${a}, expected ${e} (tolerance ${tol})`);
    }
  }
}

function leaf(t: Tensor): Tensor {
  const copy = t.detach().clone();
  copy.requiresGrad = true;
  return copy;
}

describe('ctcLoss against PyTorch 1.13', () => {
  assert.ok(files.length >= 10, `expected the CTC fixtures in ${dir}`);
  for (const file of files) {
    test(file.replace('.safetensors', ''), () => {
      const { tensors, metadata } = readSafetensorsFile(readFileSync(join(dir, file)));
      const get = (name: string): Tensor => {
        const t = tensors[name];
        assert.ok(t, `${file}: missing ${name}`);
        return t;
      };
      const o = JSON.parse(metadata.options ?? '{}') as FixtureOptions;
      const tol = get('logits').dtype === 'float32' ? 2e-5 : 1e-10;
      const options: CTCLossOptions = { blank: o.blank, reduction: o.reduction, zeroInfinity: o.zeroInfinity };
      const inputLengths = o.unbatched ? get('input_lengths').data[0]! : get('input_lengths');
      const targetLengths = o.unbatched ? get('target_lengths').data[0]! : get('target_lengths');
      const gradOut = tensors['grad_out'];

      // Through logSoftmax: value and the gradient of the logits, which PyTorch and we agree on.
      const logits = leaf(get('logits'));
      const out = ctcLoss(logSoftmax(logits, -1), get('targets'), inputLengths, targetLengths, options);
      assertMatches(out, get('out'), `${file}: out`, tol);
      out.backward(gradOut);
      assertMatches(logits.grad!, get('grad.logits'), `${file}: grad.logits`, tol);

      // Directly on the log-probabilities: ours is the exact partial derivative, PyTorch's adds
      // exp(logProbs)·upstream on the frames that count (and is NaN wherever the loss is infinite).
      const logProbs = leaf(get('log_probs'));
      const direct = ctcLoss(logProbs, get('targets'), inputLengths, targetLengths, options);
      assertMatches(direct, get('out'), `${file}: out (log-probabilities)`, tol);
      direct.backward(gradOut);
      const torchGrad = get('grad.log_probs');
      const shifted = Float64Array.from(torchGrad.data);
      const [T, N, C] = o.unbatched ? [logProbs.shape[0]!, 1, logProbs.shape[1]!] : (logProbs.shape as [number, number, number]);
      const lens = o.unbatched ? [inputLengths as number] : Array.from((inputLengths as Tensor).data);
      const upstream = upstreamPerSequence(o, out, gradOut, get('target_lengths'), N);
      for (let t = 0; t < T; t++) {
        for (let n = 0; n < N; n++) {
          if (t >= lens[n]!) continue;
          for (let c = 0; c < C; c++) {
            const i = (t * N + n) * C + c;
            if (torchGrad.data[i] !== 0) shifted[i] = torchGrad.data[i]! - Math.exp(logProbs.data[i]!) * upstream[n]!;
          }
        }
      }
      assertMatches(logProbs.grad!, new Tensor(shifted, torchGrad.shape).to(logProbs.dtype), `${file}: grad.log_probs`, tol);
    });
  }
});

/** The upstream gradient that reaches each sequence's loss under the fixture's reduction. */
function upstreamPerSequence(o: FixtureOptions, out: Tensor, gradOut: Tensor | undefined, targetLengths: Tensor, N: number): number[] {
  const reduction = o.reduction ?? 'mean';
  if (reduction === 'none') return Array.from({ length: N }, (_, n) => (out.ndim === 0 ? gradOut!.data[0]! : gradOut!.data[n]!));
  if (reduction === 'sum') return new Array<number>(N).fill(1);
  return Array.from(targetLengths.data, (l) => 1 / Math.max(l, 1) / N);
}

/** −log Σ over every path of T labels that collapses to `target`, by enumeration (C^T paths). */
function bruteForceNll(logProbs: number[][], target: number[], blank: number): number {
  const T = logProbs.length;
  const C = logProbs[0]!.length;
  let total = 0;
  const path = new Array<number>(T).fill(0);
  for (let k = 0; k < C ** T; k++) {
    let rest = k;
    for (let t = 0; t < T; t++) {
      path[t] = rest % C;
      rest = Math.floor(rest / C);
    }
    const collapsed: number[] = [];
    path.forEach((c, t) => {
      if (c !== blank && (t === 0 || path[t - 1] !== c)) collapsed.push(c);
    });
    if (collapsed.length === target.length && collapsed.every((c, i) => c === target[i])) {
      total += Math.exp(path.reduce((s, c, t) => s + logProbs[t]![c]!, 0));
    }
  }
  return -Math.log(total);
}

describe('ctcLoss by enumeration of paths', () => {
  for (const [target, blank] of [
    [[1, 2], 0],
    [[1, 1], 0],
    [[2, 2, 0], 1],
    [[], 0],
    [[0, 1, 0], 2],
  ] as [number[], number][]) {
    test(`target [${target.join(', ')}], blank ${blank}`, () => {
      manualSeed(7);
      const T = 6;
      const logProbs = logSoftmax(randn([T, 3], { dtype: 'float64' }), 1);
      const rows = logProbs.toArray() as number[][];
      const expected = bruteForceNll(rows, target, blank);
      const ours = ctcLoss(logProbs, tensor(target.length > 0 ? target : [blank === 0 ? 1 : 0], { dtype: 'int32' }), T, target.length, {
        blank,
        reduction: 'sum',
      }).item();
      assert.ok(Math.abs(ours - expected) < 1e-12, `ours ${ours}, enumeration ${expected}`);
    });
  }
});

describe('float64 gradchecks', () => {
  test('batched, padded targets with repeats, every reduction', () => {
    manualSeed(3);
    const x = randn([7, 3, 4], { dtype: 'float64', requiresGrad: true });
    const targets = tensor(
      [
        [1, 1, 2],
        [3, 2, 1],
        [2, 3, 3],
      ],
      { dtype: 'int32' },
    );
    for (const reduction of ['none', 'sum', 'mean'] as const) {
      gradcheck((a) => ctcLoss(logSoftmax(a!, 2), targets, [7, 6, 5], [3, 2, 3], { reduction }), [x]);
      // Directly on (unnormalised) log-probabilities: the gradient is the true partial derivative.
      gradcheck((a) => ctcLoss(a!, targets, [7, 6, 5], [3, 2, 3], { reduction }), [x]);
    }
  });

  test('concatenated targets, blank last, unbatched', () => {
    manualSeed(4);
    const x = randn([6, 2, 5], { dtype: 'float64', requiresGrad: true });
    gradcheck((a) => ctcLoss(a!, tensor([0, 1, 3], { dtype: 'int32' }), [6, 4], [2, 1], { blank: 4 }), [x]);
    const u = randn([5, 4], { dtype: 'float64', requiresGrad: true });
    gradcheck((a) => ctcLoss(a!, tensor([2, 2], { dtype: 'int32' }), 5, 2, { reduction: 'none' }), [u]);
  });

  test('zeroInfinity: an impossible sequence adds nothing to the loss or the gradient', () => {
    manualSeed(5);
    const x = randn([4, 2, 3], { dtype: 'float64', requiresGrad: true });
    const targets = tensor(
      [
        [1, 1, 1],
        [1, 2, 0],
      ],
      { dtype: 'int32' },
    );
    gradcheck((a) => ctcLoss(logSoftmax(a!, 2), targets, [4, 4], [3, 2], { zeroInfinity: true, reduction: 'sum' }), [x]);
    const loss = ctcLoss(logSoftmax(x, 2), targets, [4, 4], [3, 2], { zeroInfinity: true, reduction: 'none' });
    assert.equal(loss.data[0], 0);
    x.grad = null;
    loss.sum().backward();
    for (let t = 0; t < 4; t++) for (let c = 0; c < 3; c++) assert.equal(x.grad!.data[(t * 2 + 0) * 3 + c], 0);
  });
});

describe('impossible alignments', () => {
  test('a target longer than the input, or repeats without room for blanks, gives Infinity', () => {
    const lp = logSoftmax(randn([4, 3, 5]), 2);
    const targets = tensor(
      [
        [1, 2, 3, 4, 1],
        [2, 2, 2, 0, 0],
        [1, 2, 0, 0, 0],
      ],
      { dtype: 'int32' },
    );
    const loss = ctcLoss(lp, targets, [4, 4, 4], [5, 3, 2], { reduction: 'none' });
    assert.equal(loss.data[0], Infinity);
    assert.equal(loss.data[1], Infinity);
    assert.ok(Number.isFinite(loss.data[2]));
    assert.equal(ctcLoss(lp, targets, [4, 4, 4], [5, 3, 2]).item(), Infinity);
    const zeroed = ctcLoss(lp, targets, [4, 4, 4], [5, 3, 2], { reduction: 'none', zeroInfinity: true });
    assert.deepEqual([zeroed.data[0], zeroed.data[1]], [0, 0]);
  });
});

describe('nn.CTCLoss', () => {
  test('the module is the functional form with its options', () => {
    const lp = logSoftmax(randn([8, 2, 6]), 2);
    const targets = tensor(
      [
        [1, 2, 3],
        [4, 4, 0],
      ],
      { dtype: 'int32' },
    );
    const criterion = new nn.CTCLoss({ blank: 5, reduction: 'sum' });
    assert.equal(criterion.forward(lp, targets, [8, 7], [3, 2]).item(), ctcLoss(lp, targets, [8, 7], [3, 2], { blank: 5, reduction: 'sum' }).item());
    assert.throws(() => new nn.CTCLoss({ blanc: 1 } as CTCLossOptions), /blanc/);
  });

  test('the loss is at most −log of the probability of any one alignment', () => {
    // p(target) ≥ p(any one alignment): the loss is at most −log of one path's probability.
    const lp = logSoftmax(randn([5, 4], { dtype: 'float64' }), 1);
    const path = [1, 0, 2, 2, 0];
    const pathLogProb = path.reduce((s, c, t) => s + lp.data[t * 4 + c]!, 0);
    assert.ok(ctcLoss(lp, tensor([1, 2], { dtype: 'int32' }), 5, 2, { reduction: 'sum' }).item() <= -pathLogProb + 1e-12);
  });
});

describe('argument checks', () => {
  const lp = logSoftmax(randn([6, 2, 4]), 2);
  const targets = tensor(
    [
      [1, 2],
      [3, 0],
    ],
    { dtype: 'int32' },
  );
  test('clear errors naming the argument', () => {
    assert.throws(() => ctcLoss(lp, targets.to('float32'), [6, 6], [2, 1]), DTypeError);
    assert.throws(
      () => ctcLoss(lp, targets, [6, 7], [2, 1]),
      (e: Error) => e instanceof ValueError && /inputLengths\[1\] = 7 exceeds the 6 frames/.test(e.message),
    );
    assert.throws(
      () => ctcLoss(lp, targets, [6], [2, 1]),
      (e: Error) => e instanceof ShapeError && /inputLengths must hold 2/.test(e.message),
    );
    assert.throws(
      () => ctcLoss(lp, targets, [6, 6], [2, 3]),
      (e: Error) => e instanceof ValueError && /targetLengths\[1\] = 3 exceeds/.test(e.message),
    );
    assert.throws(
      () => ctcLoss(lp, targets, [6, 6], [2, 2]),
      (e: Error) => e instanceof IndexError && /target 1 of sequence 1 is 0/.test(e.message),
    );
    assert.throws(
      () => ctcLoss(lp, tensor([1, 2, 3], { dtype: 'int32' }), [6, 6], [2, 2]),
      (e: Error) => e instanceof ShapeError && /Σ targetLengths = 4/.test(e.message),
    );
    assert.throws(() => ctcLoss(lp, targets, [6, 6], [2, 1], { blank: 4 }), /blank must be an integer in \[0, 3\]/);
    assert.throws(() => ctcLoss(randn([6, 4, 1, 1]), targets, [6, 6], [2, 1]), /must be \(T, N, C\)/);
    assert.throws(() => ctcLoss(lp, targets, [6, -1], [2, 1]), /inputLengths\[1\] must be a non-negative integer/);
  });
});
