/**
 * The playground's training worker: the library runs here, off the page's main thread, so the
 * page stays responsive. It trains character-level language models with truncated BPTT on the
 * text it is given (the chosen cell, and with `compare` the other two on the same batches), and
 * posts progress, samples and the chosen model's insides to the page (see protocol.ts).
 */
import { Vocabulary, charTokenize, generateText, getNumThreads, manualSeed, nn, optim, ready, toStreams, windows, languageModelTask } from 'recurrent';
import type { LanguageModelTask, Window } from 'recurrent';
import { unroll } from './insides.js';
import { CELLS, type CellKind, type FromWorker, type Insides, type Settings, type ToWorker } from './protocol.js';

const BATCH = 32;
const CLIP = 5;
/** Characters of the passage that the text view colours. */
const READING_CHARS = 480;
const PROGRESS_EVERY_MS = 150;
const INSIDES_EVERY_MS = 1200;
const SAMPLE_EVERY_MS = 2500;

interface Trained {
  cell: CellKind;
  model: nn.LanguageModel;
  optimizer: optim.Adam;
  task: LanguageModelTask;
  loss: number;
}

interface Run {
  settings: Settings;
  vocab: Vocabulary;
  streams: Int32Array;
  steps: number;
  models: Trained[];
  reading: Int32Array;
  window: Window | null;
  batches: Generator<Window>;
  step: number;
}

const scope = self as unknown as {
  postMessage(message: FromWorker, transfer?: Transferable[]): void;
  onmessage: ((event: MessageEvent<ToWorker>) => void) | null;
};
const post = (message: FromWorker, transfer: Transferable[] = []): void => scope.postMessage(message, transfer);

let run: Run | null = null;
let paused = false;
let generation = 0;

/** A stretch of `text` with the most quotation marks, for the activation view (quotes show memory). */
function readingPassage(text: string): string {
  if (text.length <= READING_CHARS) return text;
  let best = 0;
  let bestCount = -1;
  for (let start = 0; start + READING_CHARS <= text.length; start += 97) {
    const slice = text.slice(start, start + READING_CHARS);
    const count = (slice.match(/["“”()]/g) ?? []).length;
    if (count > bestCount) [best, bestCount] = [start, count];
  }
  // Start at a word: the passage reads better, and a quote opened before it would confuse its marks.
  const from = best === 0 ? 0 : text.indexOf(' ', best) + 1;
  return text.slice(from, from + READING_CHARS);
}

function startRun(settings: Settings): Run {
  manualSeed(1);
  const chars = charTokenize(settings.text);
  const vocab = Vocabulary.build(chars);
  const { streams, steps } = toStreams(vocab.encode(chars), BATCH);
  const cells = settings.compare ? [settings.cell, ...CELLS.filter((c) => c !== settings.cell)] : [settings.cell];
  const models = cells.map((cell): Trained => {
    const model = new nn.LanguageModel({ vocabSize: vocab.size, cell, hiddenSize: settings.hiddenSize, numLayers: settings.numLayers, embeddingDim: 32 });
    return { cell, model, optimizer: new optim.Adam(model.parameters(), { lr: settings.learningRate }), task: languageModelTask(model), loss: NaN };
  });
  const reading = vocab.encode(charTokenize(readingPassage(settings.text)));
  post({
    type: 'ready',
    backend: readyInfo.backend,
    threads: getNumThreads(),
    threadsNote: readyInfo.threadsNote,
    vocabSize: vocab.size,
    characters: chars.length,
  });
  return { settings, vocab, streams, steps, models, reading, window: null, batches: windows(streams, steps, BATCH, settings.seqLen), step: 0 };
}

/** One window of truncated BPTT for every model; at the end of the text, the state restarts. */
function trainStep(r: Run): number {
  let next = r.batches.next();
  if (next.done === true) {
    r.batches = windows(r.streams, r.steps, BATCH, r.settings.seqLen);
    for (const m of r.models) m.task.reset();
    next = r.batches.next();
  }
  const window = next.value as Window;
  for (const m of r.models) {
    m.model.zeroGrad();
    const { loss } = m.task.step(window, true);
    loss.backward();
    optim.clipGradNorm(m.model.parameters(), CLIP);
    m.optimizer.step();
    m.loss = loss.item();
  }
  r.window = window;
  r.step++;
  return window.input.size * r.models.length;
}

/** The chosen model's insides over the last window and the reading passage; the gradients of every model. */
function insides(r: Run): Insides {
  const window = r.window!;
  const T = window.input.shape[0]!;
  const B = window.input.shape[1]!;
  const ids = Int32Array.from({ length: T }, (_, t) => window.input.data[t * B]!);
  const next = window.target.data[(T - 1) * B]!;
  const main = r.models[0]!;
  const text = (x: Int32Array): string => r.vocab.decode(x).join('');
  const seen = unroll(main.model, ids, next);
  const read = unroll(main.model, r.reading, null);
  const top = main.model.options.numLayers - 1;
  return {
    type: 'insides',
    step: r.step,
    cell: main.cell,
    hiddenSize: r.settings.hiddenSize,
    numLayers: r.settings.numLayers,
    vocab: Array.from({ length: r.vocab.size }, (_, i) => r.vocab.tokenOf(i)),
    window: { text: text(ids), next: r.vocab.tokenOf(next), h: seen.h[top]!, c: seen.c[top] ?? null, gates: seen.gates, probs: seen.probs },
    reading: { text: text(r.reading), h: read.h[top]!, c: read.c[top] ?? null },
    gradients: r.models.map((m, i) => ({ cell: m.cell, norms: i === 0 ? seen.gradNorms! : unroll(m.model, ids, next).gradNorms! })),
  };
}

function transferables(m: Insides): Transferable[] {
  const arrays = [m.window.h, m.window.c, m.window.probs, m.reading.h, m.reading.c, ...m.window.gates.map((g) => g.values)];
  return arrays.filter((a): a is Float32Array => a !== null).map((a) => a.buffer);
}

const yieldToMessages = (): Promise<void> =>
  new Promise((resolve) => {
    const channel = new MessageChannel();
    channel.port1.onmessage = () => resolve();
    channel.port2.postMessage(0);
  });

async function loop(r: Run, mine: number): Promise<void> {
  let lastProgress = 0;
  let lastInsides = 0;
  let lastSample = 0;
  let tokens = 0;
  let since = performance.now();
  while (mine === generation) {
    if (paused) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      since = performance.now();
      tokens = 0;
      continue;
    }
    tokens += trainStep(r);
    const now = performance.now();
    if (now - lastProgress >= PROGRESS_EVERY_MS) {
      const losses: Partial<Record<CellKind, number>> = {};
      for (const m of r.models) losses[m.cell] = m.loss;
      post({ type: 'progress', step: r.step, losses, tokensPerSecond: (tokens * 1000) / Math.max(1, now - since) });
      if (now - since > 3000) [since, tokens] = [now, 0];
      lastProgress = now;
    }
    if (now - lastInsides >= INSIDES_EVERY_MS) {
      const m = insides(r);
      post(m, transferables(m));
      lastInsides = performance.now();
    }
    if (now - lastSample >= SAMPLE_EVERY_MS) {
      const main = r.models[0]!;
      const text = generateText(main.model, r.vocab, { prime: '\n', length: 240, temperature: r.settings.temperature });
      post({ type: 'sample', cell: main.cell, temperature: r.settings.temperature, text });
      lastSample = performance.now();
    }
    await yieldToMessages();
  }
}

let readyInfo: { backend: string; threadsNote: string | null } = { backend: '?', threadsNote: null };
const started = ready().then((info) => {
  readyInfo = info;
});

scope.onmessage = (event) => {
  const message = event.data;
  if (message.type === 'pause') paused = true;
  else if (message.type === 'resume') paused = false;
  else if (message.type === 'temperature') {
    if (run !== null) run.settings.temperature = message.value;
  } else {
    const mine = ++generation;
    paused = false;
    void started
      .then(() => {
        if (mine !== generation) return;
        run = startRun(message.settings);
        return loop(run, mine);
      })
      .catch((e: unknown) => post({ type: 'error', message: e instanceof Error ? e.message : String(e) }));
  }
};
