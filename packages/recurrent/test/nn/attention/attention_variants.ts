// The attention modules under test, built from a fixture's config or by name, shared by the attention tests.
import { nn } from '../../../src/index.js';

export interface AttentionConfig {
  module: 'BahdanauAttention' | 'LuongAttention' | 'ScaledDotProductAttention';
  options: Record<string, unknown>;
  query: '2d' | '3d';
  mask: 'none' | 'lengths' | 'mask';
  lengths?: number[];
}

/** Builds the module a config names, with `dtype` for the parameterised ones. */
export function buildAttention(config: Pick<AttentionConfig, 'module' | 'options'>, dtype: 'float32' | 'float64'): nn.Attention {
  switch (config.module) {
    case 'BahdanauAttention':
      return new nn.BahdanauAttention({ ...(config.options as unknown as nn.BahdanauAttentionOptions), dtype });
    case 'LuongAttention':
      return new nn.LuongAttention({ ...(config.options as nn.LuongAttentionOptions), dtype });
    case 'ScaledDotProductAttention':
      return new nn.ScaledDotProductAttention(config.options as nn.ScaledDotProductAttentionOptions);
  }
}

/** One module of every kind and score, with feature sizes Dq = 4, Dk = 6 (4 where the score needs Dq = Dk), A = 5. */
export const VARIANTS: readonly { name: string; module: AttentionConfig['module']; options: Record<string, unknown>; keyDim: number }[] = [
  { name: 'Bahdanau', module: 'BahdanauAttention', options: { queryDim: 4, keyDim: 6, attentionDim: 5 }, keyDim: 6 },
  { name: 'Bahdanau without bias', module: 'BahdanauAttention', options: { queryDim: 4, keyDim: 6, attentionDim: 5, bias: false }, keyDim: 6 },
  { name: 'Luong dot', module: 'LuongAttention', options: { score: 'dot' }, keyDim: 4 },
  { name: 'Luong general', module: 'LuongAttention', options: { score: 'general', queryDim: 4, keyDim: 6 }, keyDim: 6 },
  { name: 'Luong concat', module: 'LuongAttention', options: { score: 'concat', queryDim: 4, keyDim: 6, attentionDim: 5 }, keyDim: 6 },
  { name: 'scaled dot', module: 'ScaledDotProductAttention', options: {}, keyDim: 4 },
];
