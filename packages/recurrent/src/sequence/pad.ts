/**
 * Padding, as torch.nn.utils.rnn.pad_packed_sequence and pad_sequence.
 *
 * Shape legend: T = time steps of the padded output, B = sequences, * = feature axes (any number,
 * including none), N = Σ lengths.
 *
 * Both select rows out of the real data joined with one row of padding (concat, then indexSelect,
 * then reshape), so gradients flow back to the packed data or the individual sequences and padded
 * positions receive none.
 */
import { ValueError } from '../errors.js';
import { full } from '../tensor/ops/creation.js';
import { concat } from '../tensor/ops/join.js';
import { reshape } from '../tensor/ops/view.js';
import { Tensor } from '../tensor/tensor.js';
import { checkSequences, layoutOf, selectRows } from './layout.js';
import type { PackedSequence } from './packed.js';

export interface PadPackedOptions {
  /** If true, the output is (B, T, *); otherwise (T, B, *). Default: false. */
  batchFirst?: boolean;
  /** Value of the padded positions. Default: 0. */
  paddingValue?: number;
  /** Pad the time axis to this many steps (at least the longest length). Default: the longest length. */
  totalLength?: number;
}

export interface PadSequenceOptions {
  /** If true, the output is (B, T, *); otherwise (T, B, *). Default: false. */
  batchFirst?: boolean;
  /** Value of the padded positions. Default: 0. */
  paddingValue?: number;
  /** Where the padding goes: after each sequence ('right') or before it ('left'). Default: 'right'. */
  paddingSide?: 'right' | 'left';
}

/** A (1, *) row of `value` in `like`'s dtype. */
function paddingRow(like: Tensor, feature: readonly number[], value: number): Tensor {
  return full([1, ...feature], value, { dtype: like.dtype });
}

/**
 * Pads a packed batch of variable-length sequences; the inverse of `packPaddedSequence`.
 *
 * The output holds sequence b at batch position b of the batch that was packed (the permutation
 * recorded in `unsortedIndices` is undone), steps 0..lengths[b]−1 taken from the packed data and
 * `paddingValue` from there up to T = `totalLength` (default: the longest length). Time-major:
 *
 *   padded[t, b] = data[offsets[t] + unsortedIndices[b]]   if t < lengths[b],
 *                  paddingValue                            otherwise,
 *   offsets[t] = Σ_{s<t} batchSizes[s]                     (unsortedIndices = identity when null)
 *
 * Args:
 *   sequence: the PackedSequence to pad.
 *   options.batchFirst: output (B, T, *) rather than (T, B, *). Default: false.
 *   options.paddingValue: value of the padded positions. Default: 0.
 *   options.totalLength: T, at least the longest length. Default: the longest length.
 *
 * Returns: `[padded, lengths]`: padded (T, B, *) or (B, T, *) in the data's dtype (differentiable
 * with respect to `sequence.data`), and lengths, an int32 tensor (B) in the original batch order.
 *
 * Throws: ValueError when `totalLength` is not an integer or is shorter than the longest sequence.
 *
 * Example:
 *   const x = tensor([[1, 2, 0], [3, 0, 0], [4, 5, 6]]);    // (B=3, T=3)
 *   const p = packPaddedSequence(x, [2, 1, 3], { batchFirst: true, enforceSorted: false });
 *   const [padded, lengths] = padPackedSequence(p, { batchFirst: true });
 *   padded.toArray();   // [[1, 2, 0], [3, 0, 0], [4, 5, 6]]
 *   lengths.toArray();  // [2, 1, 3]
 */
export function padPackedSequence(sequence: PackedSequence, options: PadPackedOptions = {}): [Tensor, Tensor] {
  const op = 'padPackedSequence';
  const layout = layoutOf(op, sequence);
  const batchFirst = options.batchFirst ?? false;
  const paddingValue = options.paddingValue ?? 0;
  const longest = sequence.batchSizes.size;
  let steps = longest;
  if (options.totalLength !== undefined && options.totalLength !== null) {
    const total = options.totalLength;
    if (!Number.isInteger(total)) throw new ValueError(`${op}: totalLength must be an integer; got ${String(total)}`);
    if (total < longest) {
      throw new ValueError(
        `${op}: Expected totalLength to be at least the length of the longest sequence in input, but got totalLength=${total} and max sequence length being ${longest}`,
      );
    }
    steps = total;
  }
  const { batch, offsets, sortedLengths, position } = layout;
  const data = sequence.data;
  const feature = data.shape.slice(1);
  const padRow = data.shape[0]!;
  const rows = new Int32Array(steps * batch);
  for (let b = 0; b < batch; b++) {
    const j = position[b]!;
    for (let t = 0; t < steps; t++) {
      rows[batchFirst ? b * steps + t : t * batch + b] = t < sortedLengths[j]! ? offsets[t]! + j : padRow;
    }
  }
  const source = concat([data, paddingRow(data, feature, paddingValue)], 0);
  const padded = reshape(selectRows(source, rows), batchFirst ? [batch, steps, ...feature] : [steps, batch, ...feature]);
  const lengths = new Tensor(
    Int32Array.from(position, (j) => sortedLengths[j]!),
    [batch],
  );
  return [padded, lengths];
}

/**
 * Pads a list of variable-length sequences to the longest one and stacks them.
 *
 * Sequence b fills steps 0..L_b−1 of batch position b ('right' padding) or the last L_b steps
 * ('left' padding); every other position holds `paddingValue`. T = max L_b. Time-major:
 *
 *   padded[t, b] = sequences[b][t − s_b]   if s_b ≤ t < s_b + L_b,   else paddingValue,
 *   s_b = 0 ('right') or T − L_b ('left')
 *
 * Args:
 *   sequences: tensors (L_i, *) with one dtype and one trailing shape *; L_i may be 0.
 *   options.batchFirst: output (B, T, *) rather than (T, B, *). Default: false.
 *   options.paddingValue: value of the padded positions. Default: 0.
 *   options.paddingSide: 'right' or 'left'. Default: 'right'.
 *
 * Returns: the padded tensor, (T, B, *) or (B, T, *) (differentiable with respect to every sequence).
 *
 * Throws: ValueError for an empty list or an unknown `paddingSide`; ShapeError / DTypeError for
 * sequences whose trailing shapes or dtypes differ.
 *
 * Example:
 *   const out = padSequence([tensor([1, 2, 3]), tensor([4, 5])], { batchFirst: true });
 *   out.toArray();  // [[1, 2, 3], [4, 5, 0]]
 */
export function padSequence(sequences: readonly Tensor[], options: PadSequenceOptions = {}): Tensor {
  const op = 'padSequence';
  const feature = checkSequences(op, sequences);
  const batchFirst = options.batchFirst ?? false;
  const paddingValue = options.paddingValue ?? 0;
  const side: unknown = options.paddingSide ?? 'right';
  if (side !== 'left' && side !== 'right') {
    throw new ValueError(`${op}: Expected paddingSide to be one of left or right, but got ${String(side)}.`);
  }
  const lens = sequences.map((s) => s.shape[0]!);
  const batch = lens.length;
  const steps = lens.reduce((m, v) => Math.max(m, v), 0);
  const starts: number[] = [];
  let padRow = 0;
  for (const len of lens) {
    starts.push(padRow);
    padRow += len;
  }
  const rows = new Int32Array(steps * batch);
  for (let b = 0; b < batch; b++) {
    const first = side === 'left' ? steps - lens[b]! : 0;
    for (let t = 0; t < steps; t++) {
      const inside = t >= first && t < first + lens[b]!;
      rows[batchFirst ? b * steps + t : t * batch + b] = inside ? starts[b]! + t - first : padRow;
    }
  }
  const source = concat([...sequences, paddingRow(sequences[0]!, feature, paddingValue)], 0);
  return reshape(selectRows(source, rows), batchFirst ? [batch, steps, ...feature] : [steps, batch, ...feature]);
}
