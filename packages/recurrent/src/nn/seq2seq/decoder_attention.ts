/** The attention a Decoder uses, by name, built with the decoder's sizes. */
import { ValueError } from '../../errors.js';
import type { DType } from '../../tensor/dtype.js';
import type { Attention } from '../attention/attention.js';
import { BahdanauAttention } from '../attention/bahdanau_attention.js';
import { LuongAttention } from '../attention/luong_attention.js';
import { ScaledDotProductAttention } from '../attention/scaled_dot_product_attention.js';

/**
 * The decoder's attention score: 'bahdanau' (additive, vᵀ tanh(W_q q + W_k k + b)), Luong's 'dot'
 * (qᵀ k), 'general' (qᵀ W k) and 'concat' (vᵀ tanh(W [q; k])), 'scaled-dot' (qᵀ k / √d), or 'none'.
 */
export type DecoderAttention = 'bahdanau' | 'dot' | 'general' | 'concat' | 'scaled-dot' | 'none';
export const DECODER_ATTENTIONS: readonly DecoderAttention[] = ['bahdanau', 'dot', 'general', 'concat', 'scaled-dot', 'none'];

/** `value` as a DecoderAttention, or a ValueError naming it as `argName`. */
export function parseAttentionKind(value: unknown, argName: string): DecoderAttention {
  if (DECODER_ATTENTIONS.includes(value as DecoderAttention)) return value as DecoderAttention;
  const got = typeof value === 'string' ? `'${value}'` : String(value);
  throw new ValueError(`${argName} must be one of ${DECODER_ATTENTIONS.map((a) => `'${a}'`).join(', ')}; got ${got}`);
}

/** The attention module of `kind` for queries of size H (the decoder's hidden size) over keys of size D_m (the memory's). */
export function buildAttention(kind: Exclude<DecoderAttention, 'none'>, hiddenSize: number, memorySize: number, attentionDim: number, dtype: DType): Attention {
  if ((kind === 'dot' || kind === 'scaled-dot') && hiddenSize !== memorySize) {
    throw new ValueError(
      `Decoder: attention '${kind}' needs hiddenSize = memorySize (queries and keys of one size); got hiddenSize ${hiddenSize}, memorySize ${memorySize}; use 'general'`,
    );
  }
  switch (kind) {
    case 'bahdanau':
      return new BahdanauAttention({ queryDim: hiddenSize, keyDim: memorySize, attentionDim, dtype });
    case 'scaled-dot':
      return new ScaledDotProductAttention();
    case 'concat':
      return new LuongAttention({ score: 'concat', queryDim: hiddenSize, keyDim: memorySize, attentionDim, dtype });
    default:
      return new LuongAttention({ score: kind, queryDim: hiddenSize, keyDim: memorySize, dtype });
  }
}
