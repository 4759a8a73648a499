/** `recurrent export`: a checkpoint's model as an ONNX file or a TensorFlow.js model folder. */
import { mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { exportOnnx, saveTfjsModel, toTfjs } from 'recurrent/node';
import { loadCharModel } from '../char_model.js';
import type { ExportCommandOptions } from '../program.js';

function writeAtomically(path: string, data: Uint8Array): void {
  mkdirSync(dirname(path), { recursive: true });
  const tmp = `${path}.tmp`;
  writeFileSync(tmp, data);
  renameSync(tmp, path);
}

export function exportCommand(o: ExportCommandOptions): void {
  const { model, vocab } = loadCharModel(o.checkpoint);
  model.eval();
  const m = model.options;
  // The vocabulary travels with the model, so that ids can be mapped back to characters.
  const metadata = { vocabulary: JSON.stringify(vocab.toJSON()), cell: m.cell };
  if (o.format === 'tfjs') {
    if (o.initialStates) console.warn('warning: --initial-states applies to ONNX only; a TensorFlow.js Sequential model takes no states');
    saveTfjsModel(toTfjs(model), o.out, metadata);
    console.log(
      `wrote ${join(o.out, 'model.json')} and its weights (TensorFlow.js layers model): input (batch, time) int32 ids; output (batch, time, ${vocab.size}) logits; the vocabulary is in userDefinedMetadata`,
    );
    if (m.cell === 'gru') {
      console.warn(
        "warning: the GRU applies its reset gate after the recurrent product (Keras's reset_after=True), which Keras reads but TensorFlow.js's loader refuses",
      );
    }
    return;
  }
  const states = m.cell === 'lstm' ? 'h0, c0' : 'h0';
  const bytes = exportOnnx(model, { initialStates: o.initialStates, metadata });
  writeAtomically(o.out, bytes);
  const inputs = o.initialStates ? `input (time, batch) int32 ids, ${states} (${m.numLayers}, batch, ${m.hiddenSize})` : 'input (time, batch) int32 ids';
  const outputs = `output (time, batch, ${vocab.size}) logits, ${m.cell === 'lstm' ? 'hn, cn' : 'hn'}`;
  console.log(
    `wrote ${o.out} (${bytes.length.toLocaleString('en-US')} bytes, ONNX opset 17): inputs ${inputs}; outputs ${outputs}; the vocabulary is in its metadata ('vocabulary')`,
  );
}
