// Labelled-text files (TSV and JSON Lines): what they hold, and every kind of bad input named by
// file and line.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FormatError, parseLabelledJsonl, parseLabelledTsv, readLabelledText } from '../../src/index.js';

const bytes = (text: string): Uint8Array => new TextEncoder().encode(text);
const fails = (read: () => unknown, pattern: RegExp): void =>
  assert.throws(read, (e: unknown) => e instanceof FormatError && pattern.test(e.message), pattern.source);

test('TSV: the label follows the last tab; blank lines and CRs are skipped', () => {
  assert.deepEqual(parseLabelledTsv('a good\tfilm\tpos\r\n\n  dull \tneg\n', 'r.tsv'), [
    { text: 'a good\tfilm', label: 'pos', line: 1 },
    { text: 'dull', label: 'neg', line: 3 },
  ]);
});

test('TSV: a line without a tab, an empty text or label', () => {
  fails(() => parseLabelledTsv('ok\tpos\nno tab here\n', 'r.tsv'), /^r\.tsv:2: expected text<TAB>label; the line has no tab: "no tab here"$/);
  fails(() => parseLabelledTsv('ok\tpos\n \tneg\n', 'r.tsv'), /^r\.tsv:2: the text \(before the tab\) is empty$/);
  fails(() => parseLabelledTsv('ok\t\n', 'r.tsv'), /^r\.tsv:1: the label \(after the tab\) is empty$/);
});

test('JSON Lines: text and label, numeric labels as strings; bad records named', () => {
  assert.deepEqual(parseLabelledJsonl('{"text":"fine","label":1,"id":3}\n\n{"text":"bad","label":"0"}\n', 'r.jsonl'), [
    { text: 'fine', label: '1', line: 1 },
    { text: 'bad', label: '0', line: 3 },
  ]);
  fails(() => parseLabelledJsonl('{"text":"a","label":"x"}\n{"text":"b",\n', 'r.jsonl'), /^r\.jsonl:2: invalid JSON/);
  fails(() => parseLabelledJsonl('[1]\n', 'r.jsonl'), /^r\.jsonl:1: expected an object .* got an array$/);
  fails(() => parseLabelledJsonl('{"label":"x"}\n', 'r.jsonl'), /^r\.jsonl:1: "text" must be a string; got no "text" key$/);
  fails(() => parseLabelledJsonl('{"text":"  ","label":"x"}\n', 'r.jsonl'), /^r\.jsonl:1: the text is empty$/);
  fails(() => parseLabelledJsonl('{"text":"a","label":null}\n', 'r.jsonl'), /^r\.jsonl:1: "label" must be a string or a number; got null$/);
});

test('files: by extension; a 0-byte file and invalid UTF-8 (with its line) are errors', () => {
  assert.equal(readLabelledText(bytes('{"text":"a","label":"x"}\n'), 'd.jsonl')[0]!.label, 'x');
  assert.equal(readLabelledText(bytes('a\tx\n'), 'd.tsv')[0]!.label, 'x');
  fails(() => readLabelledText(new Uint8Array(0), 'empty.tsv'), /^empty\.tsv: the file is empty \(0 bytes\)/);
  const bad = new Uint8Array([...bytes('ok\tpos\nalso ok\tneg\nbad '), 0xff, 0xfe, ...bytes('\tpos\n')]);
  fails(() => readLabelledText(bad, 'latin1.tsv'), /^latin1\.tsv:3: not valid UTF-8 \(in the bytes from offset 19\)/);
});
