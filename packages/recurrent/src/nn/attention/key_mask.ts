/**
 * The key mask of an attention call, from a mask or from source lengths, as a (N, 1, S) int32
 * tensor of 0/1 that broadcasts over the query steps of (N, Tq, S) scores.
 */
import { DTypeError, ShapeError, ValueError, fmtShape, fmtValue } from '../../errors.js';
import { Tensor } from '../../tensor/tensor.js';

/** An (N, S) key mask: a tensor of any dtype (nonzero marks a real key, 0 a padding one) or nested booleans / 0-1 numbers. */
export type KeyMask = Tensor | readonly (readonly (boolean | number)[])[];

/** Source lengths (N): key s of row n is real when s < lengths[n]. */
export type SourceLengths = readonly number[] | Int32Array;

/** Which keys a query may attend to; give at most one of the two. */
export interface AttentionMaskOptions {
  /** (N, S): nonzero / true at real keys, 0 / false at padding. Default: every key is real. */
  mask?: KeyMask;
  /** Source lengths (N), each in [0, S]: the keys past each length are padding. */
  lengths?: SourceLengths;
}

/** The (N, 1, S) 0/1 mask of `options`, checked against the batch size N and source length S; null when no key is masked out. */
export function keyMask(owner: string, options: AttentionMaskOptions, batch: number, source: number): Tensor | null {
  const { mask, lengths } = options;
  if (mask !== undefined && lengths !== undefined) throw new ValueError(`${owner}: give mask or lengths, not both`);
  let valid: Int32Array;
  if (lengths !== undefined) valid = fromLengths(owner, lengths, batch, source);
  else if (mask !== undefined) valid = fromMask(owner, mask, batch, source);
  else return null;
  return valid.every((v) => v === 1) ? null : new Tensor(valid, [batch, 1, source]);
}

function fromLengths(owner: string, lengths: SourceLengths, batch: number, source: number): Int32Array {
  if (!Array.isArray(lengths) && !(lengths instanceof Int32Array)) {
    throw new ValueError(`${owner}: lengths must be a number[] or an Int32Array; got ${fmtValue(lengths)}`);
  }
  if (lengths.length !== batch) {
    throw new ShapeError(`${owner}: lengths must have one entry per batch row (N = ${batch}); got ${lengths.length}`);
  }
  const valid = new Int32Array(batch * source);
  for (let n = 0; n < batch; n++) {
    const len = lengths[n]!;
    if (!Number.isInteger(len) || len < 0 || len > source) {
      throw new ValueError(`${owner}: lengths[${n}] must be an integer in [0, ${source}] (S = ${source}); got ${String(len)}`);
    }
    valid.fill(1, n * source, n * source + len);
  }
  return valid;
}

function fromMask(owner: string, mask: KeyMask, batch: number, source: number): Int32Array {
  const valid = new Int32Array(batch * source);
  if (mask instanceof Tensor) {
    if (mask.ndim !== 2 || mask.shape[0] !== batch || mask.shape[1] !== source) {
      throw new ShapeError(`${owner}: mask must be (N, S) = ${fmtShape([batch, source])}; got ${fmtShape(mask.shape)}`);
    }
    for (let i = 0; i < valid.length; i++) valid[i] = mask.data[i] !== 0 ? 1 : 0;
    return valid;
  }
  if (!Array.isArray(mask)) throw new ValueError(`${owner}: mask must be a Tensor or an array of rows; got ${fmtValue(mask)}`);
  const rows = mask as readonly unknown[];
  const shapeError = (): ShapeError =>
    new ShapeError(
      `${owner}: mask must be (N, S) = ${fmtShape([batch, source])}; got ${rows.length} rows of ${rows.map((r) => (Array.isArray(r) ? r.length : fmtValue(r))).join(', ')}`,
    );
  if (rows.length !== batch) throw shapeError();
  rows.forEach((row, n) => {
    if (!Array.isArray(row) || row.length !== source) throw shapeError();
    (row as readonly unknown[]).forEach((v, s) => {
      if (typeof v !== 'boolean' && typeof v !== 'number') {
        throw new DTypeError(`${owner}: mask[${n}][${s}] must be a boolean or a number; got ${fmtValue(v)}`);
      }
      valid[n * source + s] = v === false || v === 0 ? 0 : 1;
    });
  });
  return valid;
}
