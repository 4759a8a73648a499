/**
 * Scheduled sampling (Bengio, Vinyals, Jaitly and Shazeer, 2015): during training, the token fed to
 * a decoder step is the reference with probability ε and otherwise one drawn from the model's own
 * prediction at the previous step, ε decaying over training from 1 (teacher forcing) towards 0.
 */
import { ValueError, fmtValue } from '../../errors.js';
import { Tensor } from '../../tensor/tensor.js';
import { uniform } from '../../tensor/random.js';

/**
 * The fed tokens (N) int32: row n keeps reference[n] with probability `ratio`, else takes an id
 * drawn from softmax(logits[n]) (logits (N, V), not differentiated through). Draws come from the
 * global generator, so `manualSeed` makes them reproducible.
 */
export function scheduledTokens(reference: Tensor, logits: Tensor, ratio: number): Tensor {
  const [N, V] = logits.shape as [number, number];
  const out = new Int32Array(N);
  const row = new Float64Array(V);
  for (let n = 0; n < N; n++) {
    if (uniform() < ratio) {
      out[n] = reference.data[n]!;
      continue;
    }
    let max = -Infinity;
    for (let v = 0; v < V; v++) max = Math.max(max, logits.data[n * V + v]!);
    let total = 0;
    for (let v = 0; v < V; v++) total += row[v] = Math.exp(logits.data[n * V + v]! - max);
    let u = uniform() * total;
    let id = V - 1;
    for (let v = 0; v < V; v++) {
      u -= row[v]!;
      if (u < 0) {
        id = v;
        break;
      }
    }
    out[n] = id;
  }
  return new Tensor(out, [N]);
}

/** How ε (the probability of feeding the reference) decays with the training step i. */
export type TeacherForcingDecay = 'constant' | 'linear' | 'exponential' | 'inverse-sigmoid';
export const TEACHER_FORCING_DECAYS: readonly TeacherForcingDecay[] = ['constant', 'linear', 'exponential', 'inverse-sigmoid'];

export interface TeacherForcingScheduleOptions {
  /** The decay; default 'inverse-sigmoid'. */
  decay?: TeacherForcingDecay;
  /**
   * k of the decay: 'linear' ε_i = max(ε_min, 1 − i/k) (k steps to reach 0); 'exponential' ε_i = k^i
   * (0 < k < 1); 'inverse-sigmoid' ε_i = k / (k + exp(i/k)) (k ≥ 1; ε halves near i = k·ln k);
   * 'constant' ε_i = k (0 ≤ k ≤ 1). Required.
   */
  k: number;
  /** The floor ε_min of every decay; default 0. */
  min?: number;
}

/**
 * ε_i, the teacher-forcing probability at training step i, by one of the paper's three decays (or
 * a constant): pass its value at each step as `teacherForcing` to Decoder.forward / Seq2Seq.forward.
 *
 * @example
 * import { nn } from 'recurrent';
 * const epsilon = nn.teacherForcingSchedule({ decay: 'inverse-sigmoid', k: 500 });
 * epsilon(0); // 0.998…
 * epsilon(5000) < 0.1; // true
 */
export function teacherForcingSchedule(options: TeacherForcingScheduleOptions): (step: number) => number {
  const op = 'teacherForcingSchedule';
  const decay = options.decay ?? 'inverse-sigmoid';
  const { k } = options;
  const floor = options.min ?? 0;
  if (!TEACHER_FORCING_DECAYS.includes(decay)) throw new ValueError(`${op}: decay must be one of ${TEACHER_FORCING_DECAYS.join(', ')}; got ${fmtValue(decay)}`);
  if (typeof floor !== 'number' || !(floor >= 0 && floor <= 1)) throw new ValueError(`${op}: min must be a number in [0, 1]; got ${fmtValue(floor)}`);
  const valid =
    typeof k === 'number' &&
    Number.isFinite(k) &&
    (decay === 'linear' ? k > 0 : decay === 'exponential' ? k > 0 && k < 1 : decay === 'inverse-sigmoid' ? k >= 1 : k >= 0 && k <= 1);
  if (!valid) {
    const range = { linear: '> 0', exponential: 'in (0, 1)', 'inverse-sigmoid': '≥ 1', constant: 'in [0, 1]' }[decay];
    throw new ValueError(`${op}: k of the '${decay}' decay must be a number ${range}; got ${fmtValue(k)}`);
  }
  const raw = (i: number): number =>
    decay === 'linear' ? 1 - i / k : decay === 'exponential' ? Math.pow(k, i) : decay === 'inverse-sigmoid' ? k / (k + Math.exp(i / k)) : k;
  return (step) => Math.max(floor, Math.min(1, raw(step)));
}
