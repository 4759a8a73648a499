import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import {
  type DType,
  type NestedArray,
  Tensor,
  flip,
  packPaddedSequence,
  packSequence,
  padPackedSequence,
  padSequence,
  unpackSequence,
  unpadSequence,
} from '../../src/index.js';
import { distinctSequences, expectedPacked, paddedOf, stableOrder } from './helpers.js';

const RUNS = { numRuns: 80 };

interface Batch {
  lengths: number[];
  feature: number[];
  batchFirst: boolean;
  dtype: DType;
  extra: number;
  paddingValue: number;
}

const batchArb = (minLength: number): fc.Arbitrary<Batch> =>
  fc.record({
    lengths: fc.array(fc.integer({ min: minLength, max: 6 }), { minLength: 1, maxLength: 5 }),
    feature: fc.array(fc.integer({ min: 1, max: 3 }), { maxLength: 2 }),
    batchFirst: fc.boolean(),
    dtype: fc.constantFrom<DType>('float32', 'float64', 'int32'),
    extra: fc.integer({ min: 0, max: 2 }),
    paddingValue: fc.integer({ min: -5, max: 5 }),
  });

/** A batch together with a permutation of its positions. */
const permutedArb = fc.tuple(batchArb(1), fc.array(fc.double({ min: 0, max: 1, noNaN: true }), { minLength: 5, maxLength: 5 })).map(([batch, keys]) => {
  const perm = batch.lengths.map((_, i) => i).sort((a, b) => keys[a]! - keys[b]! || a - b);
  return { batch, perm };
});

const rows = (t: Tensor): string[] => (t.toArray() as NestedArray[]).map((r) => JSON.stringify(r));

test('property: padPackedSequence(packPaddedSequence(x)) is x on the valid steps and paddingValue elsewhere', () => {
  fc.assert(
    fc.property(batchArb(1), fc.boolean(), (b, sortFirst) => {
      const lengths = sortFirst ? [...b.lengths].sort((x, y) => y - x) : b.lengths;
      const seqs = distinctSequences(lengths, b.feature, b.dtype);
      const longest = Math.max(...lengths);
      const x = paddedOf(seqs, b.batchFirst, -99, longest + b.extra);
      const packed = packPaddedSequence(x, lengths, { batchFirst: b.batchFirst, enforceSorted: sortFirst });
      const [padded, outLengths] = padPackedSequence(packed, {
        batchFirst: b.batchFirst,
        paddingValue: b.paddingValue,
        totalLength: longest + b.extra,
      });
      assert.equal(padded.dtype, b.dtype);
      assert.deepEqual(padded.toArray(), paddedOf(seqs, b.batchFirst, b.paddingValue, longest + b.extra).toArray());
      assert.deepEqual(outLengths.toArray(), lengths);
    }),
    RUNS,
  );
});

test('property: packed data is step-major over the stably sorted batch, with matching batch sizes', () => {
  fc.assert(
    fc.property(batchArb(1), (b) => {
      const seqs = distinctSequences(b.lengths, b.feature, b.dtype);
      const packed = packPaddedSequence(paddedOf(seqs, b.batchFirst), b.lengths, { batchFirst: b.batchFirst, enforceSorted: false });
      const order = stableOrder(b.lengths);
      assert.deepEqual(packed.data.toArray(), expectedPacked(seqs, order));
      const longest = Math.max(...b.lengths);
      const sizes = Array.from({ length: longest }, (_, t) => b.lengths.filter((l) => l > t).length);
      assert.deepEqual(packed.batchSizes.toArray(), sizes);
      assert.deepEqual(packed.sortedIndices!.toArray(), order);
      const unsorted = packed.unsortedIndices!.data;
      order.forEach((batchPos, j) => assert.equal(unsorted[batchPos], j));
    }),
    RUNS,
  );
});

test('property: packSequence equals packPaddedSequence of padSequence, and unpackSequence inverts it', () => {
  fc.assert(
    fc.property(batchArb(1), fc.boolean(), (b, enforceSorted) => {
      const lengths = enforceSorted ? [...b.lengths].sort((x, y) => y - x) : b.lengths;
      const seqs = distinctSequences(lengths, b.feature, b.dtype);
      const direct = packSequence(seqs, { enforceSorted });
      const viaPadding = packPaddedSequence(padSequence(seqs), lengths, { enforceSorted });
      assert.deepEqual(direct.data.toArray(), viaPadding.data.toArray());
      assert.deepEqual(direct.batchSizes.toArray(), viaPadding.batchSizes.toArray());
      assert.deepEqual(direct.sortedIndices?.toArray() ?? null, viaPadding.sortedIndices?.toArray() ?? null);
      assert.deepEqual(
        unpackSequence(direct).map((s) => s.toArray()),
        seqs.map((s) => s.toArray()),
      );
    }),
    RUNS,
  );
});

test('property: unpadSequence inverts padSequence, zero lengths included', () => {
  fc.assert(
    fc.property(batchArb(0), (b) => {
      const seqs = distinctSequences(b.lengths, b.feature, b.dtype);
      const padded = padSequence(seqs, { batchFirst: b.batchFirst, paddingValue: b.paddingValue });
      const back = unpadSequence(padded, b.lengths, { batchFirst: b.batchFirst });
      assert.deepEqual(
        back.map((s) => s.shape),
        seqs.map((s) => s.shape),
      );
      assert.deepEqual(
        back.map((s) => s.toArray()),
        seqs.map((s) => s.toArray()),
      );
      const longest = Math.max(...b.lengths);
      assert.deepEqual(padded.toArray(), paddedOf(seqs, b.batchFirst, b.paddingValue, longest).toArray());
    }),
    RUNS,
  );
});

test('property: left padding is right padding of the reversed sequences, reversed in time', () => {
  fc.assert(
    fc.property(batchArb(0), (b) => {
      const seqs = distinctSequences(b.lengths, b.feature, b.dtype);
      const timeAxis = b.batchFirst ? 1 : 0;
      const options = { batchFirst: b.batchFirst, paddingValue: b.paddingValue };
      const left = padSequence(seqs, { ...options, paddingSide: 'left' });
      const mirrored = flip(
        padSequence(
          seqs.map((s) => flip(s, 0)),
          options,
        ),
        timeAxis,
      );
      assert.deepEqual(left.toArray(), mirrored.toArray());
    }),
    RUNS,
  );
});

test('property: packing does not depend on the batch order, up to the permutation', () => {
  fc.assert(
    fc.property(permutedArb, ({ batch: b, perm }) => {
      const seqs = distinctSequences(b.lengths, b.feature, b.dtype);
      const options = { batchFirst: b.batchFirst, enforceSorted: false };
      const packed = packPaddedSequence(paddedOf(seqs, b.batchFirst), b.lengths, options);
      const permSeqs = perm.map((i) => seqs[i]!);
      const permLengths = perm.map((i) => b.lengths[i]!);
      const permPacked = packPaddedSequence(paddedOf(permSeqs, b.batchFirst), permLengths, options);
      assert.deepEqual(permPacked.batchSizes.toArray(), packed.batchSizes.toArray());
      // Every step holds the same rows; only sequences of equal length may trade places.
      let at = 0;
      for (const size of packed.batchSizes.data) {
        const step = (p: typeof packed): string[] => rows(p.data.narrow(0, at, size)).sort();
        assert.deepEqual(step(permPacked), step(packed));
        at += size;
      }
      if (new Set(b.lengths).size === b.lengths.length) assert.deepEqual(permPacked.data.toArray(), packed.data.toArray());
      assert.deepEqual(
        unpackSequence(permPacked).map((s) => s.toArray()),
        perm.map((i) => seqs[i]!.toArray()),
      );
    }),
    RUNS,
  );
});

test('property: the gradient of packing is padding of the upstream gradient with zeros', () => {
  fc.assert(
    fc.property(batchArb(1), (b) => {
      const seqs = distinctSequences(b.lengths, b.feature, 'float64');
      const longest = Math.max(...b.lengths);
      const x = paddedOf(seqs, b.batchFirst, 0, longest + b.extra);
      x.requiresGrad = true;
      const packed = packPaddedSequence(x, b.lengths, { batchFirst: b.batchFirst, enforceSorted: false });
      const upstream = new Tensor(
        Float64Array.from({ length: packed.data.size }, (_, i) => (i % 7) - 3),
        packed.data.shape,
      );
      packed.data.backward(upstream);
      const [expected] = padPackedSequence(packed.withData(upstream), { batchFirst: b.batchFirst, totalLength: longest + b.extra });
      assert.deepEqual(x.grad!.toArray(), expected.toArray());
    }),
    RUNS,
  );
});
