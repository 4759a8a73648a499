// Pretrained vectors in the `word v1 v2 …` text format: parsing (with and without a header),
// errors naming the file and line, and copying into an embedding.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FormatError, Vocabulary, loadPretrainedVectors, nn, parseVectors } from '../../src/index.js';

test('vectors with and without a header; duplicates keep the first; CRLF and runs of spaces', () => {
  const v = parseVectors('the 0.1 0.2\r\n\ncat  0.3 -4e-1\nthe 9 9\n', 'v.txt');
  assert.equal(v.dim, 2);
  assert.deepEqual(v.words, ['the', 'cat']);
  assert.deepEqual(Array.from(v.vectors), Array.from(Float32Array.of(0.1, 0.2, 0.3, -0.4)));
  assert.equal(v.duplicates, 1);
  const h = parseVectors('2 3\na 1 2 3\nb 4 5 6\n', 'v.vec');
  assert.deepEqual(h.words, ['a', 'b']);
  assert.equal(h.dim, 3);
});

test('bad lines are errors naming the file and the line', () => {
  const fails = (text: string, pattern: RegExp): void =>
    assert.throws(
      () => parseVectors(text, 'v.txt'),
      (e: unknown) => e instanceof FormatError && pattern.test(e.message),
      pattern.source,
    );
  fails('a 1 2\nb 1 2 3\n', /^v\.txt:2: expected 2 values \(as on the first vector's line\); got 3$/);
  fails('a 1 2\nb 1 x\n', /^v\.txt:2: value 2 of "b" is not a finite number: "x"$/);
  fails('a 1 2\nb\n', /^v\.txt:2: expected 'word v1 v2 …'; the line has a word and no values$/);
  fails('a 1 NaN\n', /^v\.txt:1: value 2 of "a" is not a finite number/);
  fails('3 2\na 1 2\n', /^v\.txt: the header declares 3 vectors; the file holds 1$/);
  fails('1 3\na 1 2\n', /^v\.txt:2: the header declares 3 dimensions; this line has 2 values$/);
  fails('\n\n', /^v\.txt: holds no vectors/);
});

test('loadPretrainedVectors copies the rows of known tokens, lower-cased as a fallback, and leaves padding', () => {
  const vocab = Vocabulary.build([['The', 'cat', 'dog']], { specials: ['<pad>', '<unk>'], padToken: '<pad>', unkToken: '<unk>' });
  const embedding = new nn.Embedding({ numEmbeddings: vocab.size, embeddingDim: 2, paddingIdx: 0 });
  const before = Array.from(embedding.weight.data);
  const found = loadPretrainedVectors(embedding.weight, vocab, parseVectors('the 1 2\ncat 3 4\n<pad> 7 7\n', 'v.txt'), { lowercaseFallback: true });
  assert.equal(found, 2);
  const row = (token: string): number[] => Array.from(embedding.weight.data.slice(vocab.indexOf(token) * 2, vocab.indexOf(token) * 2 + 2));
  assert.deepEqual(row('The'), [1, 2]);
  assert.deepEqual(row('cat'), [3, 4]);
  assert.deepEqual(row('<pad>'), [0, 0]);
  assert.deepEqual(row('dog'), before.slice(vocab.indexOf('dog') * 2, vocab.indexOf('dog') * 2 + 2));
  assert.throws(() => loadPretrainedVectors(embedding.weight, vocab, parseVectors('a 1 2 3\n', 'v.txt')), /weight must be \(vocab\.size, vectors\.dim\)/);
});
