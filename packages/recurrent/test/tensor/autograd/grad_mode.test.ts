import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ValueError, tensor, mul, noGrad, noGradAsync, enableGrad, setGradEnabled, isGradEnabled } from '../../../src/index.js';

test('noGrad rejects an async function instead of silently recording after its first await', () => {
  assert.throws(
    () =>
      noGrad(async () => {
        await Promise.resolve();
      }),
    (e: unknown) => e instanceof ValueError && e.message.includes('noGradAsync'),
  );
  assert.equal(isGradEnabled(), true);
});

test('noGradAsync keeps recording off across awaits, and restores it when the promise settles', async () => {
  const x = tensor([1, 2], { requiresGrad: true });
  const inside = await noGradAsync(async () => {
    await new Promise((resolve) => setTimeout(resolve, 1));
    return mul(x, 2);
  });
  assert.equal(inside.requiresGrad, false);
  assert.equal(isGradEnabled(), true);
  assert.equal(mul(x, 2).requiresGrad, true);
  await assert.rejects(
    noGradAsync(async () => {
      throw new Error('boom');
    }),
    /boom/,
  );
  assert.equal(isGradEnabled(), true);
});

test('overlapping noGradAsync calls hold recording off until the last settles', async () => {
  let releaseA = (): void => undefined;
  const a = noGradAsync(
    () =>
      new Promise<void>((resolve) => {
        releaseA = resolve;
      }),
  );
  const b = noGradAsync(async () => {
    await new Promise((resolve) => setTimeout(resolve, 1));
    return isGradEnabled();
  });
  assert.equal(await b, false);
  assert.equal(isGradEnabled(), false);
  releaseA();
  await a;
  assert.equal(isGradEnabled(), true);
});

test('setGradEnabled and enableGrad set the mode as torch.set_grad_enabled and enable_grad', () => {
  const x = tensor([1, 2], { requiresGrad: true });
  setGradEnabled(false);
  try {
    assert.equal(mul(x, 2).requiresGrad, false);
    assert.equal(enableGrad(() => mul(x, 2)).requiresGrad, true);
  } finally {
    setGradEnabled(true);
  }
  assert.equal(
    noGrad(() => enableGrad(() => isGradEnabled())),
    true,
  );
});
