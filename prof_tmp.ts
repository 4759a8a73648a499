import { Seq2SeqTask, parsePairs, optim, manualSeed } from './packages/recurrent/src/index.js';
import { readFileSync } from 'node:fs';
manualSeed(0);
const pairs = parsePairs(readFileSync('/tmp/s2s/rev.tsv', 'utf8'), 'rev.tsv');
const task = Seq2SeqTask.create(pairs, { model: { hiddenSize: 256, encoderLayers: 2 } });
const { examples } = task.encode(pairs);
const opt = new optim.Adam(task.model.parameters(), { lr: 1e-3 });
const batches = task.batches(examples, { batchSize: 64, shuffle: true, seed: 1, epoch: 0 });
let t0 = performance.now(); let tokens = 0;
for (const b of batches.slice(0, 20)) { opt.zeroGrad(); const r = task.step(b, true); r.loss.backward(); opt.step(); tokens += r.count; }
console.log((tokens / ((performance.now() - t0) / 1000)).toFixed(0), 'tok/s', tokens);
