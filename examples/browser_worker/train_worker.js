// Trains a character-level language model in a Web Worker, posting its progress to the page.
import { Vocabulary, charTokenize, crossEntropy, manualSeed, nn, optim, ready, reshape, toStreams, windows } from 'recurrent';

self.onmessage = async ({ data: { text, steps } }) => {
  const { backend, threads } = await ready(); // compiles the kernels and starts the threads
  self.postMessage({ type: 'ready', backend, threads });
  manualSeed(0);
  const chars = charTokenize(text);
  const vocab = Vocabulary.build(chars);
  const batch = 16;
  const { streams, steps: length } = toStreams(vocab.encode(chars), batch);
  const model = new nn.LanguageModel({ vocabSize: vocab.size, hiddenSize: 64 });
  const optimizer = new optim.Adam(model.parameters(), { lr: 0.01 });
  for (let step = 1; step <= steps; ) {
    for (const { input, target } of windows(streams, length, batch, 32)) {
      model.zeroGrad();
      const [logits] = model.forward(input); // (T, B, V)
      const loss = crossEntropy(reshape(logits, [-1, vocab.size]), reshape(target, [-1]));
      loss.backward();
      optimizer.step();
      self.postMessage({ type: 'progress', step, loss: loss.item() });
      if (++step > steps) break;
      await new Promise((resolve) => setTimeout(resolve, 0)); // lets the page's messages in
    }
  }
  self.postMessage({ type: 'done' });
};
