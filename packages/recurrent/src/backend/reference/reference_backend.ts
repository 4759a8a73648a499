/**
 * The reference backend: plain TypeScript, float32 and float64, written for clarity. It is the
 * living definition of every kernel and the oracle the fast backend is tested against.
 */
import type { Backend } from '../backend.js';
import type { RecurrentKernels } from '../recurrent_kernels.js';
import { convBackward, convForward } from './conv.js';
import { binary, clamp, copy, unary, where } from './elementwise.js';
import { gemm } from './gemm.js';
import { gruBackward, gruForward } from './gru_kernels.js';
import { gather, indexAdd, indexSelect, scatterAdd } from './indexing.js';
import { lstmBackward, lstmForward } from './lstm_kernels.js';
import { argReduce, logSumExp, reduce, softmax } from './reduce.js';
import { rnnBackward, rnnForward } from './rnn_kernels.js';

export const referenceBackend: Backend & RecurrentKernels = {
  name: 'reference',
  unary, binary, where, clamp, copy,
  reduce, argReduce, softmax, logSumExp,
  gemm,
  gather, scatterAdd, indexSelect, indexAdd,
  rnnForward, rnnBackward, lstmForward, lstmBackward, gruForward, gruBackward,
  convForward, convBackward,
};
