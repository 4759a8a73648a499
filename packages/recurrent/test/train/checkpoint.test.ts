import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FormatError, mseLoss, nn, optim, randn, tensor, type Tensor } from '../../src/index.js';
import { loadCheckpoint, saveCheckpoint } from '../../src/train/checkpoint.js';

const temp = (): string => mkdtempSync(join(tmpdir(), 'recurrent-ckpt-'));

test('a checkpoint round-trips model, optimizer state, extra tensors and config', () => {
  const dir = join(temp(), 'ckpt');
  const model = {
    'rnn.weight_ih_l0': tensor([
      [1, 2],
      [3, 4],
    ]),
    'decoder.bias': tensor([0.5]),
  };
  const optimizer = { state: { 0: { step: 3, exp_avg: tensor([1, 2, 3]) }, 1: { step: 3 } }, paramGroups: [{ lr: 0.01, betas: [0.9, 0.999], params: [0, 1] }] };
  saveCheckpoint(dir, { config: { kind: 'test', step: 7 }, model, optimizer, extra: { h: tensor([9]) } });
  saveCheckpoint(dir, { config: { kind: 'test', step: 8 }, model, optimizer });
  const back = loadCheckpoint(dir);
  assert.deepEqual(back.config, { kind: 'test', step: 8 });
  assert.deepEqual(back.model['rnn.weight_ih_l0']!.toArray(), [
    [1, 2],
    [3, 4],
  ]);
  assert.deepEqual(back.optimizer!.paramGroups, optimizer.paramGroups);
  assert.equal(back.optimizer!.state[0]!.step, 3);
  assert.deepEqual((back.optimizer!.state[0]!.exp_avg as ReturnType<typeof tensor>).toArray(), [1, 2, 3]);
  assert.equal(back.extra, null, 'extra tensors belong to the checkpoint that wrote them');
});

test("an optimizer's stateDict() is what a checkpoint keeps, and loads back into the optimizer", () => {
  const dir = join(temp(), 'ckpt');
  const model = new nn.Linear({ inFeatures: 3, outFeatures: 1 });
  const opt = new optim.Adam(model.parameters(), { lr: 0.01 });
  const x = randn([4, 3]);
  const y = randn([4, 1]);
  const step = (o: optim.Adam): void => {
    o.zeroGrad();
    mseLoss(model.forward(x), y).backward();
    o.step();
  };
  step(opt);
  saveCheckpoint(dir, { config: {}, model: model.stateDict(), optimizer: opt.stateDict() });
  const resumed = new optim.Adam(model.parameters(), { lr: 0.5 });
  resumed.loadStateDict(loadCheckpoint(dir).optimizer!);
  const weights = (): Record<string, unknown> => Object.fromEntries(Object.entries(model.stateDict()).map(([k, t]) => [k, t.toArray()]));
  const before = Object.fromEntries(Object.entries(model.stateDict()).map(([k, t]) => [k, t.clone()]));
  step(opt);
  const expected = weights();
  model.loadStateDict(before);
  step(resumed);
  assert.deepEqual(weights(), expected);
});

test('malformed checkpoints are clear errors', () => {
  const dir = join(temp(), 'ckpt');
  saveCheckpoint(dir, { config: {}, model: { w: tensor([1]) } });
  writeFileSync(join(dir, 'config.json'), '{"format": "recurrent-checkpoint", "version": 99}');
  assert.throws(() => loadCheckpoint(dir), /config\.json does not match manifest\.json/);
  // Without a manifest (a checkpoint from before manifests), the contents themselves are checked.
  rmSync(join(dir, 'manifest.json'));
  assert.throws(() => loadCheckpoint(dir), FormatError);
  writeFileSync(join(dir, 'config.json'), 'not json');
  assert.throws(() => loadCheckpoint(dir), /not valid JSON/);
  assert.throws(() => loadCheckpoint(join(dir, 'missing')), /no checkpoint/);
});

function killDuringWrites(dir: string, start: number, delayMs: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', join(import.meta.dirname, 'checkpoint_writer.ts'), dir, String(start)], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    child.stdout.once('data', () => setTimeout(() => child.kill('SIGKILL'), delayMs));
    child.on('exit', () => resolve());
    child.on('error', reject);
  });
}

test('killing a run while it writes checkpoints leaves the last complete one loadable', async () => {
  const root = temp();
  const dir = join(root, 'ckpt');
  let lastStep = 0;
  for (const delay of [5, 40, 90, 150, 230, 310]) {
    await killDuringWrites(dir, lastStep, delay);
    const c = loadCheckpoint(dir);
    const step = c.config.step as number;
    assert.ok(step >= lastStep, `step went back from ${lastStep} to ${step}`);
    // Every file of the checkpoint comes from the same save.
    for (const t of [c.model.big!, c.model.small!, c.optimizer!.state[0]!.exp_avg as Tensor, c.extra!.h!]) {
      assert.ok(
        t.data.every((v) => v === step),
        `a tensor holds values of another step than ${step}`,
      );
    }
    assert.equal(c.optimizer!.state[0]!.step, step);
    lastStep = step + 1;
  }
  rmSync(root, { recursive: true, force: true });
});
