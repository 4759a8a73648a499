// Edit distance, corpus BLEU and the sequence metrics built on them, against hand-computed values
// and the corpus BLEU of NLTK's documentation example.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { corpusBleu, editDistance, sequenceMetrics } from '../../src/index.js';

test('edit distance: insertions, deletions and substitutions each cost 1', () => {
  assert.equal(editDistance(Array.from('kitten'), Array.from('sitting')), 3);
  assert.equal(editDistance([], ['a', 'b']), 2);
  assert.equal(editDistance(['a', 'b'], []), 2);
  assert.equal(editDistance(Array.from('flaw'), Array.from('lawn')), 2);
  assert.equal(editDistance(['K', 'AE1', 'T'], ['K', 'AE1', 'T']), 0);
  // Symmetric, and never more than the longer length.
  for (const [a, b] of [
    ['intention', 'execution'],
    ['abc', 'yabd'],
    ['', ''],
  ] as const) {
    const d = editDistance(Array.from(a), Array.from(b));
    assert.equal(d, editDistance(Array.from(b), Array.from(a)));
    assert.ok(d <= Math.max(a.length, b.length));
  }
  assert.equal(editDistance(Array.from('intention'), Array.from('execution')), 5);
});

test("corpus BLEU equals NLTK's documented corpus_bleu example (0.5920778868801042)", () => {
  const split = (s: string): string[] => s.split(' ');
  const hyp1 = split('It is a guide to action which ensures that the military always obeys the commands of the party');
  const ref1a = split('It is a guide to action that ensures that the military will forever heed Party commands');
  const ref1b = split('It is the guiding principle which guarantees the military forces always being under the command of the Party');
  const ref1c = split('It is the practical guide for the army always to heed the directions of the party');
  const hyp2 = split('he read the book because he was interested in world history');
  const ref2a = split('he was interested in world history because he read the book');
  const score = corpusBleu([hyp1, hyp2], [[ref1a, ref1b, ref1c], [ref2a]]);
  assert.ok(Math.abs(score.bleu - 0.5920778868801042) < 1e-12, `bleu ${score.bleu}`);
  assert.equal(score.hypothesisLength, 18 + 11);
  assert.equal(score.brevityPenalty, 1);
});

test('corpus BLEU: identical is 1, a missing 4-gram match is 0, short hypotheses pay the brevity penalty', () => {
  const ref = ['a', 'b', 'c', 'd', 'e', 'f'];
  assert.equal(corpusBleu([ref], [[ref]]).bleu, 1);
  assert.equal(corpusBleu([['a', 'b', 'c', 'x', 'e', 'f']], [[ref]]).bleu, 0);
  const short = corpusBleu([['a', 'b', 'c', 'd']], [[ref]]);
  assert.ok(Math.abs(short.brevityPenalty - Math.exp(1 - 6 / 4)) < 1e-15);
  assert.ok(Math.abs(short.bleu - short.brevityPenalty) < 1e-15);
  assert.throws(() => corpusBleu([ref], []), /corpusBleu: hypotheses and references must have one entry per output; got 1 and 0/);
});

test('sequence metrics: exact match against any reference; error rates from the closest reference', () => {
  const outputs = [
    ['K', 'AE1', 'T'],
    ['D', 'AO1', 'G', 'Z'],
    ['HH', 'AH0'],
  ];
  const references = [
    [['K', 'AE1', 'T']],
    [
      ['D', 'AA1', 'G'],
      ['D', 'AO1', 'G'],
    ],
    [['HH', 'AH0', 'L', 'OW1']],
  ];
  const m = sequenceMetrics(outputs, references, { separator: ' ', bleu: false });
  assert.equal(m.exactMatch, 1 / 3);
  // Token edits: 0; 1 (vs D AO1 G, length 3); 2 (length 4) → 3 / 10.
  assert.equal(m.ter, 3 / 10);
  // Characters: 'K AE1 T' exact; 'D AO1 G Z' vs 'D AO1 G' → 2 of 7; 'HH AH0' vs 'HH AH0 L OW1' → 6 of 12.
  assert.equal(m.cer, 8 / (7 + 7 + 12));
  assert.equal(m.count, 3);
  assert.equal(m.bleu, undefined);
  assert.equal(sequenceMetrics([['a']], [[['a']]], { bleu: true }).bleu, 0); // shorter than a 2-gram: p_2 = 0
});
