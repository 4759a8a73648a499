// A tiny application of the library as a user writes it: plain JavaScript importing the package
// `recurrent` by name (or, in cdn.html, by URL). bundlers.test.ts bundles it with esbuild and with
// Vite, and loads it unbundled, then reads globalThis.__result.
import { crossEntropy, manualSeed, nn, optim, randint, ready, reshape } from 'recurrent';

async function main() {
  const { backend, threads } = await ready();
  manualSeed(0);
  // Learn to echo the previous token of a random sequence: a loss that falls in a few steps.
  const embed = new nn.Embedding({ numEmbeddings: 8, embeddingDim: 8 });
  const lstm = new nn.LSTM({ inputSize: 8, hiddenSize: 32, batchFirst: true });
  const head = new nn.Linear({ inFeatures: 32, outFeatures: 8 });
  const params = [...embed.parameters(), ...lstm.parameters(), ...head.parameters()];
  const opt = new optim.Adam(params, { lr: 0.02 });
  const tokens = randint(0, 8, [16, 12]);
  const targets = reshape(tokens.narrow(1, 0, 11), [-1]);
  const losses = [];
  for (let step = 0; step < 40; step++) {
    opt.zeroGrad();
    const [h] = lstm.forward(embed.forward(tokens.narrow(1, 1, 11)));
    const loss = crossEntropy(reshape(head.forward(h), [-1, 8]), targets);
    loss.backward();
    opt.step();
    losses.push(loss.item());
  }
  return { backend, threads, first: losses[0], last: losses[losses.length - 1] };
}

main().then(
  (result) => (globalThis.__result = result),
  (e) => (globalThis.__result = { error: String(e && e.stack ? e.stack : e) }),
);
