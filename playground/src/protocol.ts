/**
 * The messages between the playground page (main.ts) and its training worker (worker.ts). Large
 * arrays travel as Float32Arrays whose buffers are transferred, not copied.
 */

export type CellKind = 'lstm' | 'gru' | 'rnn';
export const CELLS: readonly CellKind[] = ['rnn', 'lstm', 'gru'];
export const CELL_NAMES: Record<CellKind, string> = { rnn: 'RNN', lstm: 'LSTM', gru: 'GRU' };

export interface Settings {
  /** The cell whose insides the views show. */
  cell: CellKind;
  hiddenSize: number;
  numLayers: number;
  /** Adam's learning rate. */
  learningRate: number;
  /** Characters per training window (truncated backpropagation through time). */
  seqLen: number;
  /** Also train the other two cells on the same batches, for the loss and gradient comparisons. */
  compare: boolean;
  /** The training text. */
  text: string;
  /** Sampling temperature of the samples. */
  temperature: number;
}

export type ToWorker = { type: 'start'; settings: Settings } | { type: 'pause' } | { type: 'resume' } | { type: 'temperature'; value: number };

export interface Progress {
  type: 'progress';
  step: number;
  /** Mean cross-entropy of the last window, nats per character, by cell. */
  losses: Partial<Record<CellKind, number>>;
  tokensPerSecond: number;
}

/** A gate's activations over the window: (T, H), row-major. */
export interface GateValues {
  name: string;
  values: Float32Array;
}

/** The model's insides over a stretch of text, top layer: (T, H) arrays, row-major. */
export interface Trace {
  text: string;
  h: Float32Array;
  /** The LSTM's cell state, else null. */
  c: Float32Array | null;
}

export interface Insides {
  type: 'insides';
  step: number;
  cell: CellKind;
  hiddenSize: number;
  numLayers: number;
  /** The vocabulary's characters, indexed as the probabilities are. */
  vocab: string[];
  /** The last training window of the first stream, and the character after it. */
  window: Trace & { next: string; gates: GateValues[]; probs: Float32Array };
  /** A longer passage of the text, read from a zero state: for colouring by a unit. */
  reading: Trace;
  /** ‖∂L/∂h_t‖ for each step t of the window, L the loss at its last step, by trained cell. */
  gradients: { cell: CellKind; norms: number[] }[];
}

export type FromWorker =
  | { type: 'ready'; backend: string; threads: number; threadsNote: string | null; vocabSize: number; characters: number }
  | Progress
  | Insides
  | { type: 'sample'; cell: CellKind; temperature: number; text: string }
  | { type: 'error'; message: string };
