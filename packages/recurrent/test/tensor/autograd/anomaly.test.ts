import { test } from 'node:test';
import assert from 'node:assert/strict';
import { AnomalyError, ValueError, tensor, log, sqrt, sum, mul, detectAnomaly, setDetectAnomaly, isAnomalyEnabled } from '../../../src/index.js';

test('detectAnomaly raises at the first op whose forward output is NaN or Inf, naming it and the caller', () => {
  const x = tensor([1, -1], { dtype: 'float64', requiresGrad: true });
  assert.throws(
    () => detectAnomaly(() => sum(log(x))),
    (e: unknown) =>
      e instanceof AnomalyError &&
      e.op === 'log' &&
      e.phase === 'forward' &&
      e.createdAt !== null &&
      e.createdAt.includes('anomaly.test.ts') &&
      e.message.includes('log') &&
      e.message.includes('NaN'),
  );
  assert.equal(isAnomalyEnabled(), false);
  // Without anomaly mode the NaN passes silently, as in PyTorch.
  assert.ok(Number.isNaN(sum(log(x)).item()));
});

test('detectAnomaly raises at the first op whose backward gradient is not finite, with where it was created', () => {
  // sqrt(0) is finite, but its gradient 1/(2·sqrt(0)) is Inf.
  const x = tensor([0, 4], { dtype: 'float64', requiresGrad: true });
  const y = detectAnomaly(() => sum(mul(sqrt(x), 3)));
  assert.throws(
    () => detectAnomaly(() => y.backward()),
    (e: unknown) =>
      e instanceof AnomalyError &&
      e.op === 'sqrt' &&
      e.phase === 'backward' &&
      e.createdAt !== null &&
      e.createdAt.includes('anomaly.test.ts') &&
      /Infinity/.test(e.message),
  );
});

test('setDetectAnomaly turns the mode on until turned off', () => {
  setDetectAnomaly(true);
  try {
    assert.equal(isAnomalyEnabled(), true);
    const x = tensor([0], { requiresGrad: true });
    assert.throws(() => log(x), AnomalyError);
  } finally {
    setDetectAnomaly(false);
  }
  assert.equal(isAnomalyEnabled(), false);
});

test('detectAnomaly rejects an async function', () => {
  assert.throws(
    () => detectAnomaly(async () => undefined),
    (e: unknown) => e instanceof ValueError && e.message.includes('setDetectAnomaly'),
  );
  assert.equal(isAnomalyEnabled(), false);
});
