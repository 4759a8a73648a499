import { Seq2SeqTask, optim, manualSeed, type TextPair } from './packages/recurrent/src/index.js';
manualSeed(0);
let r = 1; const rnd = () => ((r = (r * 16807) % 2147483647) / 2147483647);
const pairs: TextPair[] = Array.from({ length: 2000 }, (_, i) => { const n = 5 + Math.floor(rnd() * 11); const a = Array.from({ length: n }, () => Math.floor(rnd() * 100)); return { source: a.join(' '), target: [...a].sort((x, y) => x - y).join(' '), line: i + 1 }; });
const feed = process.argv[2] !== 'nofeed';
const task = Seq2SeqTask.create(pairs, { sourceTokens: 'word', targetTokens: 'word', model: { hiddenSize: 128, embeddingDim: 64, encoderLayers: 1, inputFeeding: feed } });
const { examples } = task.encode(pairs);
const opt = new optim.Adam(task.model.parameters(), { lr: 1e-3 });
const batches = task.batches(examples, { batchSize: 64, shuffle: true, seed: 1, epoch: 0 });
for (const b of batches.slice(0, 3)) { opt.zeroGrad(); task.step(b, true).loss.backward(); opt.step(); }
let t0 = performance.now(); let tokens = 0; const cpu0 = process.cpuUsage();
for (const b of batches.slice(3, 23)) { opt.zeroGrad(); const r = task.step(b, true); r.loss.backward(); opt.step(); tokens += r.count; }
const cpu = process.cpuUsage(cpu0);
console.log(feed ? 'feed' : 'nofeed', (tokens / ((performance.now() - t0) / 1000)).toFixed(0), 'tok/s wall;', (tokens / ((cpu.user + cpu.system) / 1e6)).toFixed(0), 'tok/cpu-s');
