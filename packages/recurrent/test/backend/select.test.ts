import { test } from 'node:test';
import assert from 'node:assert/strict';
import { listBackends, setBackend, getBackend, tensor, ValueError } from '../../src/index.js';

test('listBackends includes the reference backend', () => {
  const names = listBackends();
  assert.ok(Array.isArray(names));
  assert.ok(names.includes('reference'), `backends: ${names.join(', ')}`);
  assert.equal(new Set(names).size, names.length);
});

test('getBackend reports a registered backend', () => {
  assert.ok(listBackends().includes(getBackend()));
});

test("setBackend('reference') switches to it and ops still run", () => {
  const before = getBackend();
  try {
    setBackend('reference');
    assert.equal(getBackend(), 'reference');
    assert.deepEqual(
      tensor([
        [1, 2],
        [3, 4],
      ])
        .matmul(tensor([[1], [1]]))
        .toArray(),
      [[3], [7]],
    );
  } finally {
    setBackend(before);
  }
  assert.equal(getBackend(), before);
});

test('setBackend with an unknown name is a ValueError naming the available backends', () => {
  const before = getBackend();
  assert.throws(
    () => setBackend('nope'),
    (e: unknown) => e instanceof ValueError && e.message.includes("'nope'") && listBackends().every((n) => e.message.includes(n)),
  );
  // The failed call leaves the active backend unchanged.
  assert.equal(getBackend(), before);
});
