/**
 * The reference backend: plain TypeScript, float32 and float64, written for clarity. It is the
 * living definition of every kernel and the oracle the fast backend is tested against.
 *
 * Also the context its fused recurrent kernels run in: plain typed arrays, this gemm, and every
 * cell's reference gate arithmetic behind one interface (`GateSteps`), which a fast backend
 * implements in SIMD (backend/wasm/gate_steps.ts) while the step loops stay shared.
 */
import type { Backend } from '../backend.js';
import { type GruGateSteps, gruBackward, gruForward, referenceGruSteps } from '../cells/gru.js';
import { type LstmGateSteps, lstmBackward, lstmForward, referenceLstmSteps } from '../cells/lstm.js';
import { type RnnGateSteps, referenceRnnSteps, rnnBackward, rnnForward } from '../cells/rnn.js';
import type { RecurrentKernels } from '../recurrent_kernels.js';
import { convBackward, convForward } from './conv.js';
import { binary, clamp, copy, unary, where } from './elementwise.js';
import { gemm } from './gemm.js';
import { gather, indexAdd, indexSelect, scatterAdd } from './indexing.js';
import { argReduce, logSumExp, reduce, softmax } from './reduce.js';
import { type KernelContext, columnSums } from './sequence_steps.js';

/** The gate arithmetic of every fused cell. */
export type GateSteps = LstmGateSteps & GruGateSteps & RnnGateSteps;

export const referenceGateSteps: GateSteps = { ...referenceLstmSteps, ...referenceGruSteps, ...referenceRnnSteps };

/** The context the reference backend runs the sequence kernels in. */
export const referenceContext: KernelContext = {
  gemm,
  gates: referenceGateSteps,
  scratch: (like, n) => new (like.constructor as Float32ArrayConstructor | Float64ArrayConstructor)(n),
  columnSums,
};

export const referenceBackend: Backend & RecurrentKernels = {
  name: 'reference',
  unary,
  binary,
  where,
  clamp,
  copy,
  reduce,
  argReduce,
  softmax,
  logSumExp,
  gemm,
  gather,
  scatterAdd,
  indexSelect,
  indexAdd,
  rnnForward: (a) => rnnForward(a, referenceContext),
  rnnBackward: (a) => rnnBackward(a, referenceContext),
  lstmForward: (a) => lstmForward(a, referenceContext),
  lstmBackward: (a) => lstmBackward(a, referenceContext),
  gruForward: (a) => gruForward(a, referenceContext),
  gruBackward: (a) => gruBackward(a, referenceContext),
  convForward,
  convBackward,
};
