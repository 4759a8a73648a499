// Reading test/fixtures/optim (see test/fixtures/README.md) and replaying its problem with our ops.
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { optim, readSafetensorsFile, type Tensor } from '../../src/index.js';

export const dir = join(import.meta.dirname, '..', 'fixtures', 'optim');

export interface Fixture {
  name: string;
  metadata: Record<string, string>;
  tensors: Record<string, Tensor>;
  get(name: string): Tensor;
}

/** Every fixture of `kind` ('optimizer', 'schedule', 'clip_grad_norm', 'clip_grad_value'), by name. */
export function fixtures(kind: string): Fixture[] {
  return readdirSync(dir)
    .filter((f) => f.endsWith('.safetensors'))
    .sort()
    .map((file) => {
      const { tensors, metadata } = readSafetensorsFile(readFileSync(join(dir, file)));
      const name = file.replace(/\.safetensors$/, '');
      const get = (key: string): Tensor => {
        const t = tensors[key];
        assert.ok(t, `${name}: missing tensor ${key}`);
        return t;
      };
      return { name, metadata, tensors, get };
    })
    .filter((f) => f.metadata.kind === kind);
}

/** A leaf copy of `t` that requires grad. */
export function leaf(t: Tensor): Tensor {
  const copy = t.detach().clone();
  copy.requiresGrad = true;
  return copy;
}

/** The fixtures' loss: sum((tanh(input @ W + b) − target)²); params[2] takes no part. */
export function problemLoss(input: Tensor, target: Tensor, params: Tensor[]): Tensor {
  const d = input.matmul(params[0]!).add(params[1]!).tanh().sub(target);
  return d.mul(d).sum();
}

type GroupJson = { params: number[] } & Record<string, unknown>;

/** Builds the optimizer a fixture describes over `params`. */
export function makeOptimizer(kind: string, params: Tensor[], options: Record<string, unknown>, groups?: GroupJson[]): optim.Optimizer {
  const specs = groups?.map((g) => ({ ...g, params: g.params.map((i) => params[i]!) }));
  switch (kind) {
    case 'SGD':
      return new optim.SGD(specs ?? params, options as unknown as optim.SGDOptions);
    case 'Adam':
      return new optim.Adam(specs ?? params, options as optim.AdamOptions);
    case 'AdamW':
      return new optim.AdamW(specs ?? params, options as optim.AdamOptions);
    case 'RMSprop':
      return new optim.RMSprop(specs ?? params, options as optim.RMSpropOptions);
    case 'Adagrad':
      return new optim.Adagrad(specs ?? params, options as optim.AdagradOptions);
    default:
      throw new Error(`unknown optimizer ${kind}`);
  }
}

/** A fixture's problem with fresh parameters and the optimizer it describes. */
export function setup(f: Fixture): { params: Tensor[]; opt: optim.Optimizer; step: () => number } {
  const params = [0, 1, 2].map((i) => leaf(f.get(`param.${i}`)));
  const options = JSON.parse(f.metadata.options!) as Record<string, unknown>;
  const groups = f.metadata.groups === undefined ? undefined : (JSON.parse(f.metadata.groups) as GroupJson[]);
  const opt = makeOptimizer(f.metadata.optimizer!, params, options, groups);
  const input = f.get('input');
  const target = f.get('target');
  const step = (): number => {
    opt.zeroGrad();
    const loss = problemLoss(input, target, params);
    loss.backward();
    opt.step();
    return loss.item();
  };
  return { params, opt, step };
}
