/**
 * The two readers of digit strips. Both share the encoder's design: an optional convolutional
 * front end over the strip image, then a bidirectional LSTM over its columns.
 *
 *   front end 'window' (default): a 1-D convolution over the columns, kernel 2·s columns × the full
 *                      height, stride s (default 2), 128 channels, ReLU: frames (N, ⌈W/s⌉, 128). The windows of
 *                      the (constant) image are cut out once and the kernel is one linear layer, so
 *                      it costs one matrix product.
 *   front end 'conv2d': conv 3×3 (1 → 16, stride 2) · ReLU · conv 3×3 (16 → 32, stride [2, 1]) · ReLU
 *                      (N, 1, 36, W) → (N, 32, 9, ⌈W/2⌉) → frames (N, ⌈W/2⌉, 288); several times slower
 *                      on one thread than 'window' (conv2d has no WebAssembly kernel yet)
 *   front end 'none':  frames (N, W, 36): each pixel column is a frame
 *
 *   CtcReader:        frames → BiLSTM → linear → log-probabilities over blank + 10 digits, trained with nn.CTCLoss
 *   AttentionReader:  frames → BiLSTM → memory; nn.Bridge → nn.Decoder (Luong attention, input
 *                     feeding) writes the digits then EOS, trained with cross-entropy (teacher forcing)
 */
import {
  type BeamHypothesis,
  Tensor,
  beamDecode,
  conv2d,
  crossEntropy,
  ctcBeamSearch,
  ctcGreedyDecode,
  ctcLoss,
  dropout,
  greedyDecode,
  logSoftmax,
  nn,
  packPaddedSequence,
  padPackedSequence,
  randn,
  relu,
  zeros,
} from 'recurrent';
import { HEIGHT, type Strip, imageBatch } from './data.js';

export type FrontEnd = 'window' | 'conv2d' | 'none';
export const FRONT_ENDS: readonly FrontEnd[] = ['window', 'conv2d', 'none'];

/** Channels of the window front end. */
const WINDOW_CHANNELS = 128;

export interface EncoderConfig {
  frontEnd: FrontEnd;
  /** Columns per frame step of the window front end (its kernel spans 2·stride columns); default 2. */
  stride: number;
  hiddenSize: number;
  layers: number;
  dropout: number;
}

/** Frames of a batch of strips and the length of each. */
export interface Frames {
  /** (N, T, F). */
  frames: Tensor;
  lengths: number[];
}

/** A He-uniform initialised conv weight (C_out, C_in, k, k) and a zero bias. */
function convParameters(out: number, inp: number, k: number): [Tensor, Tensor] {
  const bound = Math.sqrt(6 / (inp * k * k));
  const w = nn.parameter(randn([out, inp, k, k]).mul(bound / Math.sqrt(3)));
  return [w, nn.parameter(zeros([out]))];
}

/** The strip images as frames, through the front end. */
class FrontEndModule extends nn.Module {
  readonly kind: FrontEnd;
  readonly features: number;
  /** Image columns per frame. */
  readonly stride: number;
  readonly conv1Weight: Tensor | null = null;
  readonly conv1Bias: Tensor | null = null;
  readonly conv2Weight: Tensor | null = null;
  readonly conv2Bias: Tensor | null = null;
  readonly window: nn.Linear | null = null;

  constructor(kind: FrontEnd, stride: number) {
    super();
    this.kind = kind;
    this.stride = kind === 'window' ? stride : kind === 'conv2d' ? 2 : 1;
    if (kind === 'window') {
      this.window = new nn.Linear({ inFeatures: 2 * stride * HEIGHT, outFeatures: WINDOW_CHANNELS });
      this.features = WINDOW_CHANNELS;
    } else if (kind === 'conv2d') {
      [this.conv1Weight, this.conv1Bias] = convParameters(16, 1, 3);
      [this.conv2Weight, this.conv2Bias] = convParameters(32, 16, 3);
      this.features = 32 * Math.ceil(Math.ceil(HEIGHT / 2) / 2);
    } else {
      this.features = HEIGHT;
    }
  }

  forward(strips: readonly Strip[]): Frames {
    const batch = imageBatch(strips);
    const images = new Tensor(batch.images, batch.shape);
    const [N, , , W] = batch.shape;
    if (this.kind === 'window') {
      // Frame t sees the 2·stride columns from stride·t − stride/2 on (zeros outside the image).
      const stride = this.stride;
      const window = 2 * stride;
      const T = Math.ceil(W / stride);
      const F = window * HEIGHT;
      const windows = new Float32Array(N * T * F);
      for (let n = 0; n < N; n++) {
        for (let t = 0; t < T; t++) {
          for (let k = 0; k < window; k++) {
            const x = stride * t - Math.floor(stride / 2) + k;
            if (x < 0 || x >= W) continue;
            for (let r = 0; r < HEIGHT; r++) windows[(n * T + t) * F + k * HEIGHT + r] = batch.images[(n * HEIGHT + r) * W + x]!;
          }
        }
      }
      const frames = relu(this.window!.forward(new Tensor(windows, [N, T, F])));
      return { frames, lengths: batch.widths.map((w) => Math.ceil(w / stride)) };
    }
    if (this.kind === 'none') {
      // (N, 1, H, W) → (N, W, H): column t is frame t.
      return { frames: images.reshape(N, HEIGHT, W).permute(0, 2, 1), lengths: batch.widths };
    }
    const h1 = relu(conv2d(images, this.conv1Weight!, this.conv1Bias, { stride: 2, padding: 1 }));
    const h2 = relu(conv2d(h1, this.conv2Weight!, this.conv2Bias, { stride: [2, 1], padding: 1 }));
    const [, C, H2, T] = h2.shape as [number, number, number, number];
    const frames = h2.permute(0, 3, 1, 2).reshape(N, T, C * H2);
    return { frames, lengths: batch.widths.map((w) => Math.ceil(w / 2)) };
  }
}

/** Front end + bidirectional LSTM: memory (N, T, 2H), zero past each length, and the final states. */
export class StripEncoder extends nn.Module {
  readonly frontEnd: FrontEndModule;
  readonly rnn: nn.LSTM;
  readonly config: EncoderConfig;

  constructor(config: EncoderConfig) {
    super();
    this.config = config;
    this.frontEnd = new FrontEndModule(config.frontEnd, config.stride);
    this.rnn = new nn.LSTM({
      inputSize: this.frontEnd.features,
      hiddenSize: config.hiddenSize,
      numLayers: config.layers,
      bidirectional: true,
      batchFirst: true,
      dropout: config.layers > 1 ? config.dropout : 0,
    });
  }

  get memorySize(): number {
    return 2 * this.config.hiddenSize;
  }

  forward(strips: readonly Strip[]): { memory: Tensor; lengths: number[]; states: Tensor[] } {
    const { frames, lengths } = this.frontEnd.forward(strips);
    const input = dropout(frames, this.config.dropout, this.training && this.config.dropout > 0);
    const packed = packPaddedSequence(input, lengths, { batchFirst: true, enforceSorted: false });
    const [out, [h, c]] = this.rnn.forward(packed);
    const [memory] = padPackedSequence(out, { batchFirst: true, totalLength: frames.shape[1]! });
    return { memory: dropout(memory, this.config.dropout, this.training && this.config.dropout > 0), lengths, states: [h, c] };
  }
}

/** What both readers offer the training loop and the evaluation. */
export interface Reader extends nn.Module {
  readonly name: string;
  /** The mean loss of a batch. */
  loss(strips: readonly Strip[]): Tensor;
  /** The digits read from each strip. */
  read(strips: readonly Strip[], beam: number): number[][];
}

/** CTC over the encoder's frames: class 0 is the blank, class d + 1 the digit d. */
export class CtcReader extends nn.Module implements Reader {
  readonly name = 'ctc';
  readonly encoder: StripEncoder;
  readonly head: nn.Linear;

  constructor(config: EncoderConfig) {
    super();
    this.encoder = new StripEncoder(config);
    this.head = new nn.Linear({ inFeatures: this.encoder.memorySize, outFeatures: 11 });
  }

  /** Log-probabilities (T, N, 11) and the frame count of each strip. */
  logProbs(strips: readonly Strip[]): { logProbs: Tensor; lengths: number[] } {
    const { memory, lengths } = this.encoder.forward(strips);
    return { logProbs: logSoftmax(this.head.forward(memory), 2).permute(1, 0, 2), lengths };
  }

  loss(strips: readonly Strip[]): Tensor {
    const { logProbs, lengths } = this.logProbs(strips);
    const targets = new Tensor(Int32Array.from(strips.flatMap((s) => s.labels.map((d) => d + 1))), [strips.reduce((a, s) => a + s.labels.length, 0)]);
    return ctcLoss(
      logProbs,
      targets,
      lengths,
      strips.map((s) => s.labels.length),
      { zeroInfinity: true },
    );
  }

  read(strips: readonly Strip[], beam: number): number[][] {
    const { logProbs, lengths } = this.logProbs(strips);
    const labels =
      beam <= 1
        ? ctcGreedyDecode(logProbs, { inputLengths: lengths })
        : ctcBeamSearch(logProbs, { inputLengths: lengths, beamWidth: beam }).map((h) => h[0]!.labels);
    return labels.map((l) => l.map((c) => c - 1));
  }
}

/** Target ids of the attention reader: padding 0, BOS 1, EOS 2, digit d = d + 3. */
const PAD = 0;
const BOS = 1;
const EOS = 2;
const DIGIT0 = 3;

/** State of stepwise decoding: the decoder's state and the rows of the memory it reads. */
interface AttentionDecodingState {
  decoder: nn.DecoderState;
  memory: ReturnType<nn.Decoder['prepareMemory']>;
  origin: Int32Array;
}

/** An attention decoder over the encoder's memory, which writes the digits and then EOS. */
export class AttentionReader extends nn.Module implements Reader {
  readonly name = 'attention';
  readonly encoder: StripEncoder;
  readonly bridge: nn.Bridge;
  readonly decoder: nn.Decoder;

  constructor(config: EncoderConfig) {
    super();
    this.encoder = new StripEncoder(config);
    this.bridge = new nn.Bridge({
      encoderHiddenSize: config.hiddenSize,
      encoderDirections: 2,
      encoderLayers: config.layers,
      decoderHiddenSize: config.hiddenSize,
      decoderLayers: 1,
      decoderStates: 2,
    });
    this.decoder = new nn.Decoder({
      vocabSize: 13,
      memorySize: this.encoder.memorySize,
      hiddenSize: config.hiddenSize,
      embeddingDim: 32,
      dropout: config.dropout,
    });
  }

  private start(strips: readonly Strip[]): AttentionDecodingState {
    const { memory, lengths, states } = this.encoder.forward(strips);
    return {
      decoder: this.decoder.initialState(strips.length, this.bridge.forward(states)),
      memory: this.decoder.prepareMemory(memory, lengths),
      origin: Int32Array.from(strips, (_, n) => n),
    };
  }

  loss(strips: readonly Strip[]): Tensor {
    const { decoder, memory } = this.start(strips);
    const T = Math.max(...strips.map((s) => s.labels.length)) + 1;
    const targetIn = new Int32Array(strips.length * T).fill(PAD);
    const targetOut = new Int32Array(strips.length * T).fill(PAD);
    strips.forEach((s, n) => {
      const ids = s.labels.map((d) => d + DIGIT0);
      [BOS, ...ids].forEach((id, t) => (targetIn[n * T + t] = id));
      [...ids, EOS].forEach((id, t) => (targetOut[n * T + t] = id));
    });
    const { logits } = this.decoder.forward(new Tensor(targetIn, [strips.length, T]), decoder, memory);
    return crossEntropy(logits.reshape(-1, 13), new Tensor(targetOut, [strips.length * T]), { ignoreIndex: PAD });
  }

  /** Stepwise decoding for greedyDecode / beamDecode; padding and BOS are never outputs. */
  stepper(strips: readonly Strip[]): nn.StepwiseDecoder<AttentionDecodingState> {
    const initial = this.start(strips);
    const forbidden = zeros([1, 13]);
    forbidden.data[PAD] = -Infinity;
    forbidden.data[BOS] = -Infinity;
    return {
      batch: strips.length,
      initial,
      bosId: BOS,
      eosId: EOS,
      step: (tokens, s) => {
        const out = this.decoder.step(tokens, s.decoder, s.memory);
        return { logits: out.logits.add(forbidden), attention: out.attention, state: { ...s, decoder: out.state } };
      },
      reorder: (s, rows) => nn.reorderDecodingState(s, rows),
    };
  }

  /** Greedy reading with each step's attention over the frames. */
  readWithAttention(strips: readonly Strip[]): BeamHypothesis[] {
    return greedyDecode(this.stepper(strips), { maxLength: 7 }).map((h) => h[0]!);
  }

  read(strips: readonly Strip[], beam: number): number[][] {
    const hyps = beam <= 1 ? greedyDecode(this.stepper(strips), { maxLength: 7 }) : beamDecode(this.stepper(strips), { beamSize: beam, maxLength: 7 });
    return hyps.map((h) => h[0]!.tokens.filter((t) => t >= DIGIT0).map((t) => t - DIGIT0));
  }
}
