/**
 * Metrics of sequence tagging: token accuracy, and span-level precision, recall and F1 of BIO /
 * BIOES tags with the semantics of conlleval (the CoNLL-2000 shared task's evaluation script).
 */
import { ValueError } from '../errors.js';

/** Precision, recall and F1 (fractions) of one span type or of all, with the counts behind them. */
export interface SpanScores {
  precision: number;
  recall: number;
  f1: number;
  /** Spans in the reference. */
  gold: number;
  /** Spans in the prediction. */
  predicted: number;
  /** Predicted spans with the same start, end and type as a reference span. */
  correct: number;
}

export interface SpanEvaluation extends SpanScores {
  /** Correct tags / tokens (every token, O included), as conlleval's "accuracy". */
  accuracy: number;
  tokens: number;
  /** Scores per span type, types in sorted order. */
  perType: Record<string, SpanScores>;
}

/** Correct tags / tokens over all sentences (0 for no tokens). Throws a ValueError naming the sentence whose lengths differ. */
export function tokenAccuracy(gold: readonly (readonly string[])[], predicted: readonly (readonly string[])[]): number {
  checkAligned('tokenAccuracy', gold, predicted);
  let [right, total] = [0, 0];
  gold.forEach((sentence, s) =>
    sentence.forEach((tag, t) => {
      right += tag === predicted[s]![t] ? 1 : 0;
      total++;
    }),
  );
  return total === 0 ? 0 : right / total;
}

/** A tag as conlleval splits it: the part before the first hyphen, and the rest ('' without a hyphen). */
function split(tag: string): [string, string] {
  const hyphen = tag.indexOf('-');
  return hyphen < 0 ? [tag, ''] : [tag.slice(0, hyphen), tag.slice(hyphen + 1)];
}

/** conlleval's endOfChunk, with S-X ending where it starts and a span ending before B-X or S-X (BIOES). */
function endOfSpan(prev: string, tag: string, prevType: string, type: string): boolean {
  if (prev === 'E' || prev === 'S' || prev === ']' || prev === '[') return true;
  if ((prev === 'B' || prev === 'I') && (tag === 'B' || tag === 'S' || tag === 'O')) return true;
  return prev !== 'O' && prev !== '.' && prevType !== type;
}

/** conlleval's startOfChunk, with B-X and S-X always starting a span (BIOES). */
function startOfSpan(prev: string, tag: string, prevType: string, type: string): boolean {
  if (tag === 'B' || tag === 'S' || tag === '[' || tag === ']') return true;
  if ((prev === 'E' || prev === 'S' || prev === 'O') && (tag === 'E' || tag === 'I')) return true;
  return tag !== 'O' && tag !== '.' && prevType !== type;
}

function scores(correct: number, gold: number, predicted: number): SpanScores {
  const precision = predicted > 0 ? correct / predicted : 0;
  const recall = gold > 0 ? correct / gold : 0;
  const f1 = precision + recall > 0 ? (2 * precision * recall) / (precision + recall) : 0;
  return { precision, recall, f1, gold, predicted, correct };
}

/**
 * Span-level precision, recall and F1 as conlleval computes them: a span is a maximal run of one
 * type opened by B-X (or by I-X after O or after another type, as in IOB1), continued by I-X (and
 * closed by E-X in BIOES; S-X is a span of one); a predicted span is correct when a reference
 * span has the same first token, last token and type. Sentences are scored one after another
 * with a boundary between them, so no span crosses sentences. For BIO tags this is conlleval.pl
 * exactly; for BIOES it follows the Python port (conlleval.py), where S-X, and B-X after E-X,
 * always begin a new span (the Perl script predates BIOES). F1 is 0 when precision and recall are.
 *
 * Throws: ValueError naming the first sentence where gold and predicted lengths differ.
 *
 * @example
 * import { spanF1 } from 'recurrent';
 * const gold = [['B-PER', 'I-PER', 'O', 'B-LOC']];
 * const predicted = [['B-PER', 'I-PER', 'O', 'O']];
 * const m = spanF1(gold, predicted);
 * [m.precision, m.recall, m.f1]; // [1, 0.5, 0.666…]
 * m.perType.LOC!.recall; // 0
 */
export function spanF1(gold: readonly (readonly string[])[], predicted: readonly (readonly string[])[]): SpanEvaluation {
  checkAligned('spanF1', gold, predicted);
  const count = { correct: new Map<string, number>(), gold: new Map<string, number>(), predicted: new Map<string, number>() };
  const bump = (map: Map<string, number>, type: string): void => void map.set(type, (map.get(type) ?? 0) + 1);
  let [right, tokens] = [0, 0];
  gold.forEach((sentence, s) => {
    let [lastGold, lastGoldType, lastGuess, lastGuessType] = ['O', '', 'O', ''];
    let inCorrect = false;
    // One boundary token (O, O) after the sentence closes its last spans, as conlleval's blank line does.
    for (let t = 0; t <= sentence.length; t++) {
      const boundary = t === sentence.length;
      const [g, gType] = boundary ? ['O', ''] : split(sentence[t]!);
      const [p, pType] = boundary ? ['O', ''] : split(predicted[s]![t]!);
      const goldEnds = endOfSpan(lastGold, g, lastGoldType, gType);
      const guessEnds = endOfSpan(lastGuess, p, lastGuessType, pType);
      if (inCorrect) {
        if (goldEnds && guessEnds && lastGuessType === lastGoldType) {
          inCorrect = false;
          bump(count.correct, lastGoldType);
        } else if (goldEnds !== guessEnds || pType !== gType) inCorrect = false;
      }
      const goldStarts = startOfSpan(lastGold, g, lastGoldType, gType);
      const guessStarts = startOfSpan(lastGuess, p, lastGuessType, pType);
      if (goldStarts && guessStarts && pType === gType) inCorrect = true;
      if (goldStarts) bump(count.gold, gType);
      if (guessStarts) bump(count.predicted, pType);
      if (!boundary) {
        right += g === p && gType === pType ? 1 : 0;
        tokens++;
      }
      [lastGold, lastGoldType, lastGuess, lastGuessType] = [g, gType, p, pType];
    }
  });
  const total = (map: Map<string, number>): number => [...map.values()].reduce((a, b) => a + b, 0);
  const types = [...new Set([...count.gold.keys(), ...count.predicted.keys()])].sort();
  const perType: Record<string, SpanScores> = {};
  for (const type of types) perType[type] = scores(count.correct.get(type) ?? 0, count.gold.get(type) ?? 0, count.predicted.get(type) ?? 0);
  return { ...scores(total(count.correct), total(count.gold), total(count.predicted)), accuracy: tokens === 0 ? 0 : right / tokens, tokens, perType };
}

function checkAligned(op: string, gold: readonly (readonly string[])[], predicted: readonly (readonly string[])[]): void {
  if (gold.length !== predicted.length) throw new ValueError(`${op}: gold has ${gold.length} sentences, predicted ${predicted.length}`);
  gold.forEach((sentence, s) => {
    if (sentence.length !== predicted[s]!.length)
      throw new ValueError(`${op}: sentence ${s} has ${sentence.length} gold tags but ${predicted[s]!.length} predicted`);
  });
}
