import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FormatError, IndexError, ShapeError, ValueError, Vocabulary, charTokenize, tensor, wordTokenize } from '../../src/index.js';

const docs = [wordTokenize('the cat sat'), wordTokenize('the dog sat'), wordTokenize('a cat')];

test('build orders specials, then tokens by decreasing count, ties by first appearance', () => {
  // counts: the 2, cat 2, sat 2, dog 1, a 1; first appearances: the, cat, sat, dog, a
  const v = Vocabulary.build(docs, { specials: ['<bos>', '<eos>'] });
  assert.deepEqual(v.tokens, ['<bos>', '<eos>', 'the', 'cat', 'sat', 'dog', 'a']);
  assert.equal(v.size, 7);
  assert.equal(v.unkIndex, null);
  assert.equal(v.padIndex, null);
  assert.deepEqual(v.specialIndices, [0, 1]);
});

test('build accepts a flat token stream and counts it', () => {
  const v = Vocabulary.build(charTokenize('abracadabra'));
  assert.deepEqual(v.tokens, ['a', 'b', 'r', 'c', 'd']);
  const w = Vocabulary.build(['x', 'y', 'y', 'z', 'z', 'z']);
  assert.deepEqual(w.tokens, ['z', 'y', 'x']);
});

test('build puts padToken then unkToken first unless they are listed in specials', () => {
  const v = Vocabulary.build(docs, { padToken: '<pad>', unkToken: '<unk>', specials: ['<bos>'] });
  assert.deepEqual(v.tokens.slice(0, 4), ['<pad>', '<unk>', '<bos>', 'the']);
  assert.equal(v.padIndex, 0);
  assert.equal(v.unkIndex, 1);
  assert.equal(v.padToken, '<pad>');
  assert.equal(v.unkToken, '<unk>');
  const w = Vocabulary.build(docs, { padToken: '<pad>', unkToken: '<unk>', specials: ['<bos>', '<unk>', '<pad>'] });
  assert.deepEqual(w.tokens.slice(0, 3), ['<bos>', '<unk>', '<pad>']);
  assert.equal(w.unkIndex, 1);
  assert.equal(w.padIndex, 2);
});

test('build does not repeat a corpus token equal to a special', () => {
  const v = Vocabulary.build([['<unk>', 'a', 'a', '<unk>', '<unk>']], { unkToken: '<unk>' });
  assert.deepEqual(v.tokens, ['<unk>', 'a']);
});

test('build drops tokens below minFreq and cuts the rarest beyond maxSize (specials count)', () => {
  const v = Vocabulary.build(docs, { minFreq: 2, unkToken: '<unk>' });
  assert.deepEqual(v.tokens, ['<unk>', 'the', 'cat', 'sat']);
  const w = Vocabulary.build(docs, { maxSize: 4, specials: ['<pad>', '<unk>'] });
  assert.deepEqual(w.tokens, ['<pad>', '<unk>', 'the', 'cat']);
  const onlySpecials = Vocabulary.build(docs, { maxSize: 1, specials: ['<s>'] });
  assert.deepEqual(onlySpecials.tokens, ['<s>']);
});

test('build rejects bad options and inputs', () => {
  assert.throws(() => Vocabulary.build(docs, { maxSize: 1, specials: ['<pad>', '<unk>'] }), /maxSize 1 is smaller than the 2 special tokens/);
  assert.throws(() => Vocabulary.build(docs, { minFreq: 0 }), /minFreq must be an integer ≥ 1; got 0/);
  assert.throws(() => Vocabulary.build(docs, { maxSize: 2.5 }), /maxSize must be an integer/);
  assert.throws(() => Vocabulary.build(docs, { specials: ['<s>', '<s>'] }), /specials lists "<s>" twice/);
  assert.throws(
    () => Vocabulary.build('hello' as unknown as string[]),
    (e: unknown) => e instanceof ValueError && /not a string; split it first/.test(e.message),
  );
  assert.throws(() => Vocabulary.build([['a', 3 as unknown as string]]), /tokens\[0\]\[1\] must be a string token; got 3/);
  assert.throws(() => Vocabulary.build(null as unknown as string[]), /must be an iterable/);
});

test('encode and decode round-trip known tokens', () => {
  const v = Vocabulary.build(docs, { padToken: '<pad>' });
  const ids = v.encode(['a', 'cat', 'sat']);
  assert.ok(ids instanceof Int32Array);
  assert.deepEqual(Array.from(ids), [5, 2, 3]); // ['<pad>', 'the', 'cat', 'sat', 'dog', 'a']
  assert.deepEqual(v.decode(ids), ['a', 'cat', 'sat']);
  assert.deepEqual(v.decode([0, 1]), ['<pad>', 'the']);
  assert.deepEqual(v.decode(tensor([1, 0, 0], { dtype: 'int32' }), { skipSpecials: true }), ['the']);
  for (let i = 0; i < v.size; i++) assert.equal(v.indexOf(v.tokenOf(i)), i);
});

test('unknown tokens map to unkIndex, or raise an error naming the token', () => {
  const withUnk = Vocabulary.build(docs, { unkToken: '<unk>' });
  assert.deepEqual(Array.from(withUnk.encode(['the', 'zebra'])), [1, 0]);
  assert.equal(withUnk.has('zebra'), false);
  assert.equal(withUnk.has('the'), true);
  const without = Vocabulary.build(docs);
  assert.throws(
    () => without.encode(['the', 'zebra']),
    (e: unknown) => e instanceof ValueError && /unknown token "zebra"/.test(e.message),
  );
  assert.throws(
    () => without.tokenOf(99),
    (e: unknown) => e instanceof IndexError && /index 99 is out of range \[0, 5\)/.test(e.message),
  );
  assert.throws(() => without.decode([1.5]), IndexError);
  assert.throws(() => without.decode(tensor([[1]], { dtype: 'int32' })), ShapeError);
  assert.throws(() => without.encode('the' as unknown as string[]), /not a string/);
});

test('tokens like __proto__ and constructor are ordinary tokens', () => {
  const v = Vocabulary.build(['__proto__', 'constructor', 'toString']);
  assert.deepEqual(Array.from(v.encode(['constructor', '__proto__'])), [1, 0]);
  assert.equal(v.has('hasOwnProperty'), false);
});

test('fromTokens keeps the given order and finds the named specials', () => {
  const v = Vocabulary.fromTokens(['a', '<pad>', 'b', '<unk>'], { padToken: '<pad>', unkToken: '<unk>' });
  assert.equal(v.padIndex, 1);
  assert.equal(v.unkIndex, 3);
  assert.deepEqual(v.specialIndices, [1, 3]);
  assert.deepEqual(Array.from(v.encode(['b', 'c'])), [2, 3]);
  assert.throws(() => Vocabulary.fromTokens(['a', 'b', 'a']), /duplicate token "a" at indices 0 and 2/);
  assert.throws(() => Vocabulary.fromTokens(['a'], { unkToken: '<unk>' }), /unkToken "<unk>" is not in the token list/);
});

test('toJSON / fromJSON round-trips, through an object and through JSON text', () => {
  const v = Vocabulary.build(docs, { padToken: '<pad>', unkToken: '<unk>', specials: ['<bos>'] });
  const json = v.toJSON();
  assert.deepEqual(json, {
    format: 'recurrent.vocabulary',
    version: 1,
    tokens: ['<pad>', '<unk>', '<bos>', 'the', 'cat', 'sat', 'dog', 'a'],
    specials: [0, 1, 2],
    unkIndex: 1,
    padIndex: 0,
  });
  for (const copy of [Vocabulary.fromJSON(json), Vocabulary.fromJSON(JSON.stringify(v))]) {
    assert.deepEqual(copy.tokens, v.tokens);
    assert.equal(copy.unkIndex, 1);
    assert.equal(copy.padIndex, 0);
    assert.deepEqual(copy.specialIndices, [0, 1, 2]);
    assert.deepEqual(Array.from(copy.encode(['the', 'zebra'])), [3, 1]);
  }
  const plain = Vocabulary.fromJSON(JSON.stringify(Vocabulary.fromTokens(['x'])));
  assert.equal(plain.unkIndex, null);
  assert.equal(plain.padIndex, null);
});

test('fromJSON rejects malformed input with a FormatError that says what is wrong', () => {
  const good = { format: 'recurrent.vocabulary', version: 1, tokens: ['<unk>', 'a', 'b'], specials: [0], unkIndex: 0, padIndex: null };
  const cases: [unknown, RegExp][] = [
    ['{not json', /not valid JSON/],
    [null, /expected an object; got null/],
    [[1, 2], /expected an object; got an array/],
    [{ ...good, format: 'other' }, /format must be "recurrent.vocabulary"/],
    [{ ...good, version: 2 }, /unsupported version 2/],
    [{ ...good, tokens: 'abc' }, /tokens must be an array of strings; got "abc"/],
    [{ ...good, tokens: ['a', 7] }, /tokens\[1\] must be a string; got 7/],
    [{ ...good, tokens: ['a', 'b', 'a'] }, /duplicate token "a" at indices 0 and 2/],
    [{ ...good, specials: 0 }, /specials must be an array of indices/],
    [{ ...good, specials: [0, 0] }, /specials holds a duplicate index/],
    [{ ...good, specials: [3] }, /specials\[0\] must be an integer index in \[0, 3\); got 3/],
    [{ ...good, unkIndex: -1 }, /unkIndex must be an integer index in \[0, 3\); got -1/],
    [{ ...good, unkIndex: '0' }, /unkIndex must be an integer index in \[0, 3\); got "0"/],
    [{ ...good, padIndex: 1.5 }, /padIndex must be an integer index in \[0, 3\); got 1.5/],
  ];
  for (const [input, pattern] of cases) {
    assert.throws(
      () => Vocabulary.fromJSON(input),
      (e: unknown) => e instanceof FormatError && pattern.test(e.message),
      String(pattern),
    );
  }
  assert.equal(Vocabulary.fromJSON(good).size, 3);
});
