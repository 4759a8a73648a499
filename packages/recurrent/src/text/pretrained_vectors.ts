/**
 * Pretrained word vectors in the common text format (GloVe, word2vec's text output, fastText's
 * `.vec`): one `word v1 v2 … vD` per line, separated by spaces, optionally preceded by a header
 * line `count D`. The file is untrusted input: every line is checked, and a bad one is an error
 * naming the file and the line.
 */
import { FormatError, ValueError } from '../errors.js';
import type { Tensor } from '../tensor/tensor.js';
import type { Vocabulary } from './vocab.js';

/** Vectors read by `parseVectors`: `vectors` holds `words.length` rows of `dim` values. */
export interface PretrainedVectors {
  dim: number;
  words: string[];
  /** (words.length, dim), row-major. */
  vectors: Float32Array;
  /** Lines whose word had appeared before; the first vector of a word is kept. */
  duplicates: number;
}

const HEADER = /^\d+ \d+$/;

/**
 * Reads `word v1 … vD` lines. A first line of exactly two integers is a header (`count D`) and is
 * checked against what follows. Blank lines are skipped; a trailing CR is dropped; fields are
 * separated by one or more spaces (a word never holds a space, so GloVe files with odd tokens still
 * parse). Every line must have the same D ≥ 1.
 *
 * Args:
 *   text: the file's text.
 *   file: the file's name, for messages.
 *
 * Throws: FormatError naming `file` and the line: a line with no values, a value that is not a
 *   finite number, a line whose number of values differs from the first line's, a header count that
 *   does not match, or no vectors at all.
 *
 * @example
 * import { parseVectors } from 'recurrent';
 * const v = parseVectors('the 0.1 0.2\ncat 0.3 -0.4\n', 'vectors.txt');
 * v.dim; // 2
 * v.words; // ['the', 'cat']
 */
export function parseVectors(text: string, file: string): PretrainedVectors {
  const lines = text.split('\n');
  const words: string[] = [];
  const index = new Set<string>();
  const values: number[] = [];
  let dim = 0;
  let declared: { count: number; dim: number } | null = null;
  let duplicates = 0;
  for (let i = 0; i < lines.length; i++) {
    const raw = lines[i]!;
    const line = (raw.endsWith('\r') ? raw.slice(0, -1) : raw).trim();
    if (line === '') continue;
    const where = `${file}:${i + 1}`;
    if (words.length === 0 && duplicates === 0 && declared === null && HEADER.test(line)) {
      const [count, d] = line.split(' ').map(Number) as [number, number];
      if (d < 1) throw new FormatError(`${where}: the header declares ${d} dimensions; expected at least 1`);
      declared = { count, dim: d };
      continue;
    }
    const fields = line.split(/ +/);
    const word = fields[0]!;
    const numbers = fields.slice(1);
    if (numbers.length === 0) throw new FormatError(`${where}: expected 'word v1 v2 …'; the line has a word and no values`);
    if (dim === 0) {
      dim = numbers.length;
      if (declared !== null && declared.dim !== dim)
        throw new FormatError(`${where}: the header declares ${declared.dim} dimensions; this line has ${dim} values`);
    } else if (numbers.length !== dim) {
      throw new FormatError(`${where}: expected ${dim} values (as on the first vector's line); got ${numbers.length}`);
    }
    const row = numbers.map((s, k) => {
      const v = Number(s);
      if (s === '' || !Number.isFinite(v))
        throw new FormatError(`${where}: value ${k + 1} of ${JSON.stringify(word)} is not a finite number: ${JSON.stringify(s.slice(0, 30))}`);
      return v;
    });
    if (index.has(word)) {
      duplicates++;
      continue;
    }
    index.add(word);
    words.push(word);
    for (const v of row) values.push(v);
  }
  if (words.length === 0) throw new FormatError(`${file}: holds no vectors; expected lines 'word v1 v2 …'`);
  if (declared !== null && declared.count !== words.length + duplicates) {
    throw new FormatError(`${file}: the header declares ${declared.count} vectors; the file holds ${words.length + duplicates}`);
  }
  return { dim, words, vectors: Float32Array.from(values), duplicates };
}

/**
 * Copies the pretrained vector of each vocabulary token into its row of an embedding matrix (in
 * place, without recording on the autograd tape); tokens without one keep their rows. When
 * `lowercaseFallback` is set, a token missing as written takes the first vector whose word matches
 * it ignoring case (a lower-cased vocabulary reads cased vectors).
 *
 * Shapes: weight (vocab.size, D) with D = vectors.dim.
 *
 * Returns: how many vocabulary tokens got a pretrained vector.
 *
 * @throws ValueError when the shapes disagree.
 *
 * @example
 * import { nn, parseVectors, Vocabulary, loadPretrainedVectors } from 'recurrent';
 * const vocab = Vocabulary.build([['the', 'cat']], { padToken: '<pad>', unkToken: '<unk>' });
 * const embedding = new nn.Embedding({ numEmbeddings: vocab.size, embeddingDim: 2 });
 * loadPretrainedVectors(embedding.weight, vocab, parseVectors('the 0.1 0.2\n', 'v.txt')); // 1
 */
export function loadPretrainedVectors(weight: Tensor, vocab: Vocabulary, vectors: PretrainedVectors, options: { lowercaseFallback?: boolean } = {}): number {
  const op = 'loadPretrainedVectors';
  if (weight.ndim !== 2 || weight.shape[0] !== vocab.size || weight.shape[1] !== vectors.dim) {
    throw new ValueError(`${op}: weight must be (vocab.size, vectors.dim) = (${vocab.size}, ${vectors.dim}); got (${weight.shape.join(', ')})`);
  }
  const rows = new Map(vectors.words.map((w, i) => [w, i]));
  const lowered = new Map<string, number>();
  if (options.lowercaseFallback) vectors.words.forEach((w, i) => lowered.has(w.toLowerCase()) || lowered.set(w.toLowerCase(), i));
  const data = weight.data as Float32Array | Float64Array;
  const D = vectors.dim;
  let found = 0;
  vocab.tokens.forEach((token, id) => {
    if (id === vocab.padIndex) return;
    const row = rows.get(token) ?? (options.lowercaseFallback ? lowered.get(token.toLowerCase()) : undefined);
    if (row === undefined) return;
    for (let k = 0; k < D; k++) data[id * D + k] = vectors.vectors[row * D + k]!;
    found++;
  });
  return found;
}
