import { test } from 'node:test';
import assert from 'node:assert/strict';
import { manualSeed } from '../../src/index.js';
import { sampleLogits } from '../../src/decode/sample.js';

const logits = [0, 2, 1, -1];

function histogram(draw: () => number, n = 4000): number[] {
  const counts = [0, 0, 0, 0];
  for (let i = 0; i < n; i++) counts[draw()]!++;
  return counts.map((c) => c / n);
}

test('greedy and temperature 0 take the arg max', () => {
  assert.equal(sampleLogits(logits, { greedy: true }), 1);
  assert.equal(sampleLogits(logits, { temperature: 0 }), 1);
});

test('sampling follows softmax(logits / T) and is reproducible with manualSeed', () => {
  manualSeed(1);
  const freq = histogram(() => sampleLogits(logits));
  const z = logits.map(Math.exp);
  const total = z.reduce((a, b) => a + b, 0);
  freq.forEach((f, i) => assert.ok(Math.abs(f - z[i]! / total) < 0.03, `token ${i}: ${f} vs ${z[i]! / total}`));
  manualSeed(9);
  const a = Array.from({ length: 20 }, () => sampleLogits(logits));
  manualSeed(9);
  const b = Array.from({ length: 20 }, () => sampleLogits(logits));
  assert.deepEqual(a, b);
  // A high temperature flattens the distribution.
  const hot = histogram(() => sampleLogits(logits, { temperature: 100 }));
  hot.forEach((f) => assert.ok(Math.abs(f - 0.25) < 0.04));
});

test('top-k and top-p keep only the most likely tokens', () => {
  manualSeed(2);
  const k2 = histogram(() => sampleLogits(logits, { topK: 2 }));
  assert.equal(k2[0]! + k2[3]!, 0);
  assert.ok(k2[1]! > k2[2]!);
  // p(1) ≈ 0.64, p(2) ≈ 0.23: top-p 0.5 keeps only token 1, 0.8 keeps 1 and 2.
  const p5 = histogram(() => sampleLogits(logits, { topP: 0.5 }));
  assert.deepEqual(p5, [0, 1, 0, 0]);
  const p8 = histogram(() => sampleLogits(logits, { topP: 0.8 }));
  assert.equal(p8[0]! + p8[3]!, 0);
  assert.throws(() => sampleLogits(logits, { topP: 0 }), /topP must be in \(0, 1\]/);
  assert.throws(() => sampleLogits(logits, { topK: 0 }), /topK must be a positive integer/);
  assert.throws(() => sampleLogits(logits, { temperature: -1 }), /temperature/);
});
