import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ValueError, charTokenize, wordTokenize } from '../../src/index.js';

test('charTokenize splits by code point, keeping astral characters whole', () => {
  assert.deepEqual(charTokenize('hi 😀!'), ['h', 'i', ' ', '😀', '!']);
  assert.equal('😀'.length, 2); // two UTF-16 units, one token
  assert.deepEqual(charTokenize('𝔸b'), ['𝔸', 'b']);
  assert.deepEqual(charTokenize(''), []);
});

test('charTokenize keeps a combining mark as its own token', () => {
  assert.deepEqual(charTokenize('e\u0301'), ['e', '\u0301']);
  assert.deepEqual(charTokenize('e\u0301'.normalize('NFC')), ['é']);
});

test('wordTokenize separates words and punctuation', () => {
  assert.deepEqual(wordTokenize("Don't panic, it's 42!"), ["Don't", 'panic', ',', "it's", '42', '!']);
  assert.deepEqual(wordTokenize('Wait... what?!'), ['Wait', '.', '.', '.', 'what', '?', '!']);
  assert.deepEqual(wordTokenize('a well-known snake_case word'), ['a', 'well-known', 'snake_case', 'word']);
  assert.deepEqual(wordTokenize('(x) - y'), ['(', 'x', ')', '-', 'y']);
});

test('wordTokenize handles non-Latin scripts, typographic apostrophes and emoji', () => {
  assert.deepEqual(wordTokenize('Grüße, Ελλάδα и мир'), ['Grüße', ',', 'Ελλάδα', 'и', 'мир']);
  assert.deepEqual(wordTokenize('O’Neil 😀ok'), ['O’Neil', '😀', 'ok']);
});

test('wordTokenize drops white space and can lower-case', () => {
  assert.deepEqual(wordTokenize('  \n\t '), []);
  assert.deepEqual(wordTokenize(''), []);
  assert.deepEqual(wordTokenize('Hello,\nWORLD', { lowercase: true }), ['hello', ',', 'world']);
  assert.deepEqual(wordTokenize('Hello'), ['Hello']);
});

test('tokenizers reject non-strings', () => {
  assert.throws(
    () => charTokenize(3 as unknown as string),
    (e: unknown) => e instanceof ValueError && /charTokenize: text must be a string; got number/.test(e.message),
  );
  assert.throws(() => wordTokenize(null as unknown as string), /wordTokenize: text must be a string; got null/);
});
