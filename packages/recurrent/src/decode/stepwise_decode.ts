/**
 * Greedy decoding, sampling and beam search over any StepwiseDecoder (nn.Seq2Seq's `stepper`, or
 * a user's encoder–decoder). All three return, per input, a list of hypotheses in beam search's
 * form, so their results compare directly: greedy equals beam search with beamSize 1.
 *
 * Shape legend: N inputs, V vocabulary, S source positions.
 */
import { ValueError } from '../errors.js';
import { logSoftmax } from '../tensor/ops/softmax.js';
import type { StepwiseDecoder } from '../nn/seq2seq/stepwise_decoder.js';
import { beamSearch, type BeamHypothesis } from './beam_search.js';
import { checkSampling, sampleLogits, type SamplingOptions } from './sample.js';

export interface StepwiseDecodeOptions {
  /** Most tokens generated per output, EOS included. */
  maxLength: number;
  /** EOS is forbidden until this many tokens have been generated; default 0. */
  minLength?: number;
}

export interface BeamDecodeOptions extends StepwiseDecodeOptions {
  /** Hypotheses kept per input; default 5. 1 is greedy decoding. */
  beamSize?: number;
  /** Hypotheses returned per input (≤ beamSize); default 1. */
  nBest?: number;
  /** GNMT length penalty α: hypotheses ranked by logP / ((5 + |Y|) / 6)^α; default 0. */
  lengthPenalty?: number;
  /** See beamSearch; default true. */
  earlyStopping?: boolean;
}

export interface SampleDecodeOptions extends StepwiseDecodeOptions {
  /** Temperature, top-k and top-p of each draw; default plain sampling at temperature 1. */
  sampling?: SamplingOptions;
}

/**
 * Beam search (see `beamSearch`): all hypotheses of all N inputs go through one decoder step.
 * Returns per input its n-best list `{ tokens, logProb, score, finished, attention }`, tokens
 * without BOS and EOS, attention one (S) row per generated step.
 *
 * @example
 * import { beamDecode, nn, noGrad, tensor } from 'recurrent';
 * const model = new nn.Seq2Seq({ sourceVocabSize: 20, targetVocabSize: 15, hiddenSize: 16 });
 * model.eval();
 * const source = tensor([[5, 6, 7], [8, 9, 0]], { dtype: 'int32' });
 * const lists = noGrad(() => beamDecode(model.stepper(source, [3, 2]), { beamSize: 4, nBest: 2, maxLength: 6 }));
 * lists.length; // 2
 * lists[0]!.length; // 2
 */
export function beamDecode<S>(decoder: StepwiseDecoder<S>, options: BeamDecodeOptions): BeamHypothesis[][] {
  return beamSearch(
    (tokens, state) => {
      const out = decoder.step(tokens, state);
      return { logProbs: logSoftmax(out.logits, -1), state: out.state, ...(out.attention === null ? {} : { attention: out.attention }) };
    },
    {
      initialState: decoder.initial,
      reorder: (state, rows) => decoder.reorder(state, rows),
      batchSize: decoder.batch,
      beamSize: options.beamSize ?? 5,
      nBest: options.nBest ?? 1,
      maxLength: options.maxLength,
      minLength: options.minLength ?? 0,
      lengthPenalty: options.lengthPenalty ?? 0,
      earlyStopping: options.earlyStopping ?? true,
      bosId: decoder.bosId,
      eosId: decoder.eosId,
    },
  );
}

/**
 * Greedy decoding: each step takes the most probable token (the lowest id among ties) until EOS or
 * maxLength. Rows that finish leave the batch. Returns per input a one-hypothesis list, equal to
 * `beamDecode` with beamSize 1.
 */
export function greedyDecode<S>(decoder: StepwiseDecoder<S>, options: StepwiseDecodeOptions): BeamHypothesis[][] {
  return stepwise('greedyDecode', decoder, options, (logits) => argmax(logits));
}

/**
 * Sampling: each step draws the next token from the model's distribution, shaped by `sampling`
 * (temperature, top-k, top-p), until EOS or maxLength. Draws come from the global generator
 * (`manualSeed`). logProb is under the model's own distribution, before temperature or truncation.
 */
export function sampleDecode<S>(decoder: StepwiseDecoder<S>, options: SampleDecodeOptions): BeamHypothesis[][] {
  const sampling = options.sampling ?? {};
  checkSampling(sampling);
  return stepwise('sampleDecode', decoder, options, (logits) => sampleLogits(logits, sampling));
}

function argmax(values: ArrayLike<number>): number {
  let best = 0;
  for (let v = 1; v < values.length; v++) if (values[v]! > values[best]!) best = v;
  return best;
}

/** One token per row and step, chosen by `pick` from the row's logits (EOS masked out before minLength). */
function stepwise<S>(op: string, decoder: StepwiseDecoder<S>, options: StepwiseDecodeOptions, pick: (logits: Float64Array) => number): BeamHypothesis[][] {
  const { maxLength, minLength = 0 } = options;
  if (!Number.isInteger(maxLength) || maxLength < 1) throw new ValueError(`${op}: maxLength must be an integer ≥ 1; got ${String(maxLength)}`);
  if (!Number.isInteger(minLength) || minLength < 0 || minLength >= maxLength) {
    throw new ValueError(`${op}: minLength must be an integer in [0, maxLength) = [0, ${maxLength}); got ${String(minLength)}`);
  }
  const N = decoder.batch;
  const results: BeamHypothesis[] = Array.from({ length: N }, () => ({ tokens: [], logProb: 0, score: 0, finished: false }));
  let inputs = Int32Array.from({ length: N }, (_, n) => n); // the input of each active row
  let state = decoder.initial;
  let last = new Int32Array(N).fill(decoder.bosId);
  for (let t = 0; t < maxLength && inputs.length > 0; t++) {
    const out = decoder.step(last, state);
    const V = out.logits.shape[1]!;
    const logProbs = logSoftmax(out.logits, -1).data;
    const keep: number[] = [];
    for (let r = 0; r < inputs.length; r++) {
      const row = Float64Array.from(out.logits.data.subarray(r * V, (r + 1) * V));
      if (t < minLength) row[decoder.eosId] = -Infinity;
      const token = pick(row);
      const h = results[inputs[r]!]!;
      h.logProb += logProbs[r * V + token]!;
      h.score = h.logProb;
      if (out.attention !== null) {
        const S = out.attention.shape[1]!;
        (h.attention ??= []).push(Array.from(out.attention.data.subarray(r * S, (r + 1) * S)));
      }
      if (token === decoder.eosId) h.finished = true;
      else {
        h.tokens.push(token);
        keep.push(r);
      }
    }
    if (keep.length === 0 || t === maxLength - 1) break;
    const rows = Int32Array.from(keep);
    state = keep.length === inputs.length ? out.state : decoder.reorder(out.state, rows);
    inputs = Int32Array.from(keep, (r) => inputs[r]!);
    last = Int32Array.from(inputs, (n) => results[n]!.tokens.at(-1)!);
  }
  return results.map((h) => [h]);
}
