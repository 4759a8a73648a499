/** `recurrent info`: what a checkpoint holds. */
import { loadCharModel } from '../char_model.js';
import type { InfoCommandOptions } from '../program.js';

const fmtShape = (shape: readonly number[]): string => `[${shape.join(', ')}]`;

export function infoCommand(o: InfoCommandOptions): void {
  const { model, vocab, config } = loadCharModel(o.checkpoint);
  const m = model.options;
  const t = config.training;
  console.log(
    `model: character-level language model, ${m.cell.toUpperCase()} ${m.numLayers} layer(s) × ${m.hiddenSize} hidden, embedding ${m.embeddingDim}, dropout ${m.dropout}`,
  );
  console.log(`vocabulary: ${vocab.size} symbols`);
  console.log(`trained: ${t.step} steps (epoch ${t.epoch}, window ${t.window}) on ${t.source}, batch ${t.batch}×${t.seqLen}, lr ${t.lr}, seed ${t.seed}`);
  const last = config.history.valid.at(-1);
  if (last) console.log(`last held-out: ${last[1].toFixed(4)} bits/char at step ${last[0]}`);
  console.log('parameters:');
  const rows = model.namedParameters().map(([name, p]) => [name, fmtShape(p.shape), p.size.toLocaleString('en-US')] as const);
  const width = Math.max(...rows.map((r) => r[0].length));
  for (const [name, shape, count] of rows) console.log(`  ${name.padEnd(width)}  ${shape.padEnd(12)}  ${count.padStart(10)}`);
  console.log(`total: ${model.numParameters().toLocaleString('en-US')} parameters`);
}
