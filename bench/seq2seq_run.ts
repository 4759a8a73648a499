/**
 * `npm run bench:seq2seq`: the G2P-sized encoder–decoder (bench/seq2seq_shape.json) in this library
 * and in PyTorch, in the same run: training target tokens/s and beam-search sentences/s, each on
 * the default thread count and on one thread, repetitions alternating between frameworks so that
 * a busy moment of the machine falls on both. Prints medians and ratios as a Markdown table.
 *
 *     npm run bench:seq2seq [-- --reps 3 --seconds 20]
 */
import { spawnSync } from 'node:child_process';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const { values } = parseArgs({ options: { reps: { type: 'string', default: '3' }, seconds: { type: 'string', default: '20' } } });

interface Result {
  framework: string;
  threads: number;
  trainTokensPerSecond: number;
  beamSentencesPerSecond: number;
  parameters: number;
}

const runners: { id: string; command: string; args: string[]; env: Record<string, string> }[] = [
  { id: 'recurrent', command: process.execPath, args: ['--import', 'tsx', 'bench/seq2seq.ts'], env: {} },
  { id: 'recurrent-1t', command: process.execPath, args: ['--import', 'tsx', 'bench/seq2seq.ts'], env: { RECURRENT_NUM_THREADS: '1' } },
  { id: 'torch', command: '/usr/bin/python3', args: ['bench/seq2seq_torch.py', '--threads', String(os.cpus().length)], env: { OMP_WAIT_POLICY: 'PASSIVE' } },
  { id: 'torch-1t', command: '/usr/bin/python3', args: ['bench/seq2seq_torch.py', '--threads', '1'], env: {} },
];

const results = new Map<string, Result[]>(runners.map((r) => [r.id, []]));
for (let rep = 0; rep < Number(values.reps); rep++) {
  for (const r of runners) {
    const run = spawnSync(r.command, [...r.args, '--seconds', values.seconds], { cwd: ROOT, encoding: 'utf8', env: { ...process.env, ...r.env } });
    if (run.status !== 0) {
      console.error(`${r.id} failed:\n${run.stderr}`);
      continue;
    }
    const line = run.stdout.trim().split('\n').at(-1)!;
    const result = JSON.parse(line) as Result;
    results.get(r.id)!.push(result);
    console.error(
      `rep ${rep + 1} ${r.id}: ${Math.round(result.trainTokensPerSecond)} tok/s, ${result.beamSentencesPerSecond.toFixed(1)} sentences/s (${result.threads} thread(s))`,
    );
  }
}

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length === 0 ? NaN : s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
};
const med = (id: string, key: 'trainTokensPerSecond' | 'beamSentencesPerSecond'): number => median(results.get(id)!.map((r) => r[key]));
console.log(`| figure | ours (default threads) | ours 1 thread | torch (default threads) | torch 1 thread | ours ÷ torch, default / 1 thread |`);
console.log(`|---|---|---|---|---|---|`);
for (const [key, label, digits] of [
  ['trainTokensPerSecond', 'training target tokens/s', 0],
  ['beamSentencesPerSecond', 'beam search (K = 5) sentences/s', 1],
] as const) {
  const [a, a1, b, b1] = ['recurrent', 'recurrent-1t', 'torch', 'torch-1t'].map((id) => med(id, key)) as [number, number, number, number];
  console.log(
    `| ${label} | ${a.toFixed(digits)} | ${a1.toFixed(digits)} | ${b.toFixed(digits)} | ${b1.toFixed(digits)} | ${(a / b).toFixed(2)}× / ${(a1 / b1).toFixed(2)}× |`,
  );
}
const params = [...results.values()].flat().map((r) => `${r.framework} ${r.parameters.toLocaleString('en-US')}`);
console.log(`\nparameters: ${[...new Set(params)].join(', ')}; ${values.reps} alternating repetitions of ${values.seconds} s per figure; medians.`);
