// The schedule's arithmetic is the library's (packages/recurrent/test/train/budget_schedule.test.ts);
// here, the flag's own validation.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { lrScheduleKind } from '../src/lr_schedule.js';

test('lrScheduleKind names the flag and the choices', () => {
  assert.equal(lrScheduleKind('cosine'), 'cosine');
  assert.throws(() => lrScheduleKind('linear'), /--lr-schedule: expected constant or cosine; got 'linear'/);
});
