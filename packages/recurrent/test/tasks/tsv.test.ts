// Reading source<TAB>target pairs: what is accepted, and the errors naming the file and line.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FormatError, parsePairs } from '../../src/index.js';

test('pairs, their lines, blank lines skipped, Windows line ends, spaces kept', () => {
  assert.deepEqual(parsePairs('cat\tK AE1 T\r\n\n  \ndog \t D AO1 G\n', 'g2p.tsv'), [
    { source: 'cat', target: 'K AE1 T', line: 1 },
    { source: 'dog ', target: ' D AO1 G', line: 4 },
  ]);
  assert.deepEqual(parsePairs('', 'empty.tsv'), []);
});

for (const [name, text, message] of [
  ['no tab', 'cat\tK AE1 T\ndog D AO1 G\n', /^pairs\.tsv:2: expected source<TAB>target; the line has no tab: "dog D AO1 G"$/],
  ['two tabs', 'a\tb\tc\n', /^pairs\.tsv:1: expected source<TAB>target; the line has 2 tabs \(3 fields\)$/],
  ['empty source', '\tb\n', /^pairs\.tsv:1: the source \(before the tab\) is empty$/],
  ['empty target', 'a\t \n', /^pairs\.tsv:1: the target \(after the tab\) is empty$/],
] as const) {
  test(`${name}: a FormatError naming the file and line`, () => {
    assert.throws(
      () => parsePairs(text, 'pairs.tsv'),
      (e: unknown) => e instanceof FormatError && message.test(e.message),
    );
  });
}
