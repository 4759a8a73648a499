/** `recurrent export`: a checkpoint's model as an ONNX file, for ONNX Runtime and other runtimes. */
import { mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { exportOnnx } from 'recurrent';
import { loadCharModel } from '../char_model.js';
import type { ExportCommandOptions } from '../program.js';

function writeAtomically(path: string, data: Uint8Array | string): void {
  mkdirSync(dirname(path), { recursive: true });
  const tmp = `${path}.tmp`;
  writeFileSync(tmp, data);
  renameSync(tmp, path);
}

export function exportCommand(o: ExportCommandOptions): void {
  const { model, vocab } = loadCharModel(o.checkpoint);
  model.eval();
  const m = model.options;
  const states = m.cell === 'lstm' ? 'h0, c0' : 'h0';
  // The vocabulary travels with the model, so that ids can be mapped back to characters.
  const metadata = { vocabulary: JSON.stringify(vocab.toJSON()), cell: m.cell };
  const bytes = exportOnnx(model, { initialStates: o.initialStates, metadata });
  writeAtomically(o.out, bytes);
  const inputs = o.initialStates ? `input (time, batch) int32 ids, ${states} (${m.numLayers}, batch, ${m.hiddenSize})` : 'input (time, batch) int32 ids';
  const outputs = `output (time, batch, ${vocab.size}) logits, ${m.cell === 'lstm' ? 'hn, cn' : 'hn'}`;
  console.log(
    `wrote ${o.out} (${bytes.length.toLocaleString('en-US')} bytes, ONNX opset 17): inputs ${inputs}; outputs ${outputs}; the vocabulary is in its metadata ('vocabulary')`,
  );
}
