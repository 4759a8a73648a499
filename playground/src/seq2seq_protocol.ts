/** The messages between the sequence-to-sequence tab (seq2seq_tab.ts) and its worker (seq2seq_worker.ts). */

export type ToSeq2seqWorker = { type: 'start' } | { type: 'pause' } | { type: 'resume' } | { type: 'translate'; text: string };

/** One decoded input: the output and, per output step (end of sequence last), the attention over the input's characters. */
export interface Alignment {
  type: 'alignment';
  input: string;
  sourceTokens: string[];
  outputTokens: string[];
  /** One row per output step (EOS's included), each over the source tokens. */
  weights: number[][];
}

export type FromSeq2seqWorker =
  | { type: 'ready'; backend: string; threads: number; trainingPairs: number; parameters: number }
  | { type: 'progress'; step: number; loss: number; pairsPerSecond: number }
  | { type: 'accuracy'; step: number; exactMatch: number; heldOut: number }
  | Alignment
  | { type: 'error'; message: string };
