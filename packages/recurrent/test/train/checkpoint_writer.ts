// Child process for checkpoint.test.ts: saves checkpoints in a loop until killed. Every tensor
// of checkpoint k is filled with k and its config says step k, so a reader can tell a torn one.
import { saveCheckpoint } from '../../src/train/checkpoint.js';
import { full } from '../../src/index.js';

const dir = process.argv[2]!;
const start = Number(process.argv[3] ?? 0);
for (let step = start; ; step++) {
  const model = { big: full([512, 1024], step), small: full([7], step) };
  const optimizer = { state: { 0: { step, exp_avg: full([512, 256], step) } }, paramGroups: [{ lr: 0.1, params: [0] }] };
  saveCheckpoint(dir, { config: { step }, model, optimizer, extra: { h: full([3], step) } });
  if (step === start) process.stdout.write('saved\n');
}
