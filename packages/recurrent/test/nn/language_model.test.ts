// The cell kind of a language model is checked in one place, for options, flags and config files alike.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { nn, ValueError } from '../../src/index.js';

const valueError =
  (message: string) =>
  (e: unknown): boolean =>
    e instanceof ValueError && e.message === message;

describe('parseCellKind', () => {
  test('accepts each kind a LanguageModel can build', () => {
    for (const kind of nn.CELL_KINDS) assert.equal(nn.parseCellKind(kind, '--cell'), kind);
    assert.deepEqual([...nn.CELL_KINDS], ['lstm', 'gru', 'rnn']);
  });

  test('rejects anything else, naming the argument', () => {
    assert.throws(() => nn.parseCellKind('LSTM', '--cell'), valueError("--cell must be lstm, gru or rnn; got 'LSTM'"));
    assert.throws(() => nn.parseCellKind(3, 'config.model.cell'), valueError('config.model.cell must be lstm, gru or rnn; got 3'));
  });

  test('LanguageModel checks its cell option with it', () => {
    assert.throws(
      () => new nn.LanguageModel({ vocabSize: 5, cell: 'tree' as nn.CellKind }),
      valueError("LanguageModel: cell must be lstm, gru or rnn; got 'tree'"),
    );
    assert.equal(new nn.LanguageModel({ vocabSize: 5, hiddenSize: 4, cell: 'gru' }).rnn instanceof nn.GRU, true);
  });
});
