"""The job of `recurrent train` (the character-level language model) written in PyTorch: the same
text, vocabulary, held-out split, stream layout, window order, model, optimizer, clipping and loss,
trained for a wall-clock budget, then scored on the held-out text the way `recurrent eval` scores
it. Prints one JSON line. Run by bench/ten_minutes.ts; by hand:

    /usr/bin/python3 bench/charlm_torch.py --data moby.txt --time 20 [--hidden 512 --embedding 64 --batch 64 --seq-len 100]

What is the same as the CLI (packages/cli/src/commands/train.ts and the library's fit, toStreams,
windows, Vocabulary.build, LmTask, heldOutStreams):
- text: the file's bytes decoded as UTF-8 (a leading BOM dropped, as TextDecoder does; newlines kept
  as they are), split into code points (charTokenize = Array.from);
- held out: the last 10%, cut at floor(n * (1 - 0.1)) code points;
- vocabulary: '<unk>' at index 0, then the training characters by decreasing count, ties by first
  appearance; held-out characters outside it map to '<unk>';
- streams: B contiguous slices of floor(n / B) ids, laid out (L, B), the tail dropped; each epoch reads
  the windows of seq_len steps in order from the start (the last one shorter), no shuffling, the state
  zero at the epoch's start and carried, detached, from window to window;
- model: Embedding(V, E) -> LSTM(E, H, 1 layer) -> Linear(H, V), dropout 0; PyTorch's default
  initialisation, which is the library's family (embedding N(0, 1), LSTM and Linear U(-1/sqrt(fan), +));
  the random draws themselves differ (torch.manual_seed(0) against the library's seeded generator);
- loss: mean cross-entropy over the T x B targets of a window, in nats; clip_grad_norm_ to 5 (the
  same formula, total + 1e-6); Adam lr 2e-3, betas (0.9, 0.999), eps 1e-8, no weight decay;
- budget: like fit's maxTime, checked after every step against the seconds since training began,
  so the last step may end past it; with --validate-every / --checkpoint-every / --sample-every the
  periodic work that the CLI does inside its --time is done here inside the budget too (validation at
  every multiple of --validate-every and at every epoch's end; a checkpoint of the model, the
  optimizer and the carried state every --checkpoint-every steps; a 200-character sample every
  --sample-every steps). Without them (the default) the budget counts training only.
  trainSeconds always counts the training steps alone, as the CLI's tokens/s does (from before
  zero_grad to after the loss is read, as in fit).
- held-out loss: at most B streams (as many as hold a 201-character window), windows of 200 steps,
  the state carried from zeros, each window's mean loss weighted by its count, in nats/char.
"""
import argparse
import json
import math
import os
import platform
import tempfile
import time
from collections import Counter

import torch
import torch.nn.functional as F
from torch import nn

HELD_OUT = 0.1
HELD_OUT_SEQ_LEN = 200
UNK = '<unk>'


def read_text(path):
    """The file as the CLI reads it: UTF-8, fatal on bad bytes, a leading BOM dropped, newlines untouched."""
    with open(path, 'rb') as f:
        text = f.read().decode('utf-8')
    return text[1:] if text.startswith('\ufeff') else text


def split_held_out(chars, held_out=HELD_OUT):
    cut = math.floor(len(chars) * (1 - held_out))
    return chars[:cut], chars[cut:]


def build_vocab(chars):
    """Vocabulary.build(chars, { specials: ['<unk>'], unkToken: '<unk>' }): Counter keeps first-appearance order and sorted() is stable."""
    counts = Counter(chars)
    ordered = sorted(counts.items(), key=lambda kv: -kv[1])
    return [UNK] + [c for c, _ in ordered if c != UNK]


def encode(chars, index):
    return torch.tensor([index.get(c, 0) for c in chars], dtype=torch.long)


def to_streams(ids, batch):
    """toStreams: (L, B), stream b = ids[b*L:(b+1)*L]."""
    steps = len(ids) // batch
    if steps < 2:
        raise ValueError(f'{len(ids)} tokens are too few for {batch} streams of at least 2 tokens')
    return ids[: steps * batch].view(batch, steps).t().contiguous(), steps


def windows(streams, steps, seq_len):
    start = 0
    while start + 1 < steps:
        T = min(seq_len, steps - 1 - start)
        yield streams[start : start + T], streams[start + 1 : start + 1 + T]
        start += seq_len


class CharLM(nn.Module):
    def __init__(self, vocab, hidden, embedding):
        super().__init__()
        self.embedding = nn.Embedding(vocab, embedding)
        self.rnn = nn.LSTM(embedding, hidden)
        self.decoder = nn.Linear(hidden, vocab)

    def forward(self, ids, state=None):
        out, state = self.rnn(self.embedding(ids), state)
        return self.decoder(out), state


def held_out_loss(model, chars, index, max_batch):
    """heldOutStreams + evaluate: what `recurrent eval` (and the CLI's validation) computes."""
    batch = max(1, min(max_batch, len(chars) // (HELD_OUT_SEQ_LEN + 1)))
    streams, steps = to_streams(encode(chars, index), batch)
    was_training = model.training
    model.eval()
    loss_sum, count, state = 0.0, 0, None
    with torch.no_grad():
        for x, y in windows(streams, steps, HELD_OUT_SEQ_LEN):
            logits, state = model(x, state)
            loss = F.cross_entropy(logits.reshape(-1, logits.shape[-1]), y.reshape(-1))
            loss_sum += loss.item() * y.numel()
            count += y.numel()
    model.train(was_training)
    return loss_sum / count, count, batch


def sample(model, vocab, length=200, temperature=0.8):
    """A sample as the CLI prints every --sample-every steps: primed with a newline, temperature 0.8."""
    was_training = model.training
    model.eval()
    index = {c: i for i, c in enumerate(vocab)}
    x, state, out = torch.tensor([[index.get('\n', 0)]]), None, []
    with torch.no_grad():
        for _ in range(length):
            logits, state = model(x, state)
            i = int(torch.multinomial(F.softmax(logits[-1, 0] / temperature, dim=-1), 1))
            out.append(vocab[i])
            x = torch.tensor([[i]])
    model.train(was_training)
    return ''.join(out)


def main():
    p = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    p.add_argument('--data', required=True, help='UTF-8 text file (the driver writes Moby-Dick as the CLI builds it)')
    p.add_argument('--time', type=float, required=True, help='wall-clock budget in seconds')
    p.add_argument('--steps', type=int, default=None, help='also stop after this many steps')
    p.add_argument('--hidden', type=int, default=512)
    p.add_argument('--embedding', type=int, default=64)
    p.add_argument('--batch', type=int, default=64)
    p.add_argument('--seq-len', type=int, default=100)
    p.add_argument('--lr', type=float, default=2e-3)
    p.add_argument('--clip', type=float, default=5.0)
    p.add_argument('--seed', type=int, default=0)
    p.add_argument('--validate-every', type=int, default=0, help='validate inside the budget every n steps and at epoch ends (0: never)')
    p.add_argument('--checkpoint-every', type=int, default=0, help='save model, optimizer and state inside the budget every n steps (0: never)')
    p.add_argument('--sample-every', type=int, default=0, help='sample 200 characters inside the budget every n steps (0: never)')
    p.add_argument('--threads', type=int, default=None, help='torch.set_num_threads (default: torch\'s own)')
    a = p.parse_args()
    if a.threads is not None:
        torch.set_num_threads(a.threads)
    torch.manual_seed(a.seed)

    chars = list(read_text(a.data))
    train_chars, held_chars = split_held_out(chars)
    vocab = build_vocab(train_chars)
    index = {c: i for i, c in enumerate(vocab)}
    streams, steps = to_streams(encode(train_chars, index), a.batch)
    per_epoch = math.ceil((steps - 1) / a.seq_len)

    model = CharLM(len(vocab), a.hidden, a.embedding)
    params = list(model.parameters())
    optimizer = torch.optim.Adam(params, lr=a.lr, betas=(0.9, 0.999), eps=1e-8)
    ckpt_dir = tempfile.mkdtemp(prefix='charlm-torch-') if a.checkpoint_every > 0 else None

    step = epoch = tokens = validations = checkpoints = samples = 0
    train_seconds = 0.0
    curve, curve_loss, curve_items = [], 0.0, 0
    validated_at = -1
    last_loss = float('nan')
    started = time.perf_counter()
    elapsed = lambda: time.perf_counter() - started
    over = lambda: elapsed() >= a.time or (a.steps is not None and step >= a.steps)

    def validate():
        nonlocal validated_at, validations
        if a.validate_every <= 0 or validated_at == step:
            return
        validated_at = step
        held_out_loss(model, held_chars, index, a.batch)
        validations += 1

    model.train()
    stopped = False
    while not stopped and not over():
        state = None  # each epoch starts from a zero state
        for x, y in windows(streams, steps, a.seq_len):
            t0 = time.perf_counter()
            optimizer.zero_grad()
            logits, state = model(x, state)
            state = tuple(s.detach() for s in state)
            loss = F.cross_entropy(logits.reshape(-1, len(vocab)), y.reshape(-1))
            loss.backward()
            if a.clip > 0:
                torch.nn.utils.clip_grad_norm_(params, a.clip)
            optimizer.step()
            last_loss = loss.item()
            train_seconds += time.perf_counter() - t0
            step += 1
            tokens += y.numel()
            curve_loss += last_loss * y.numel()
            curve_items += y.numel()
            if step % 20 == 0:  # the CLI's history.train: mean bits/char over the last 20 steps
                curve.append([step, curve_loss / curve_items / math.log(2)])
                curve_loss, curve_items = 0.0, 0
            if a.sample_every > 0 and step % a.sample_every == 0:
                sample(model, vocab)
                samples += 1
            if a.checkpoint_every > 0 and step % a.checkpoint_every == 0:
                torch.save({'model': model.state_dict(), 'optimizer': optimizer.state_dict(), 'state': state}, os.path.join(ckpt_dir, 'checkpoint.pt'))
                checkpoints += 1
            if a.validate_every > 0 and step % a.validate_every == 0:
                validate()
            if over():
                stopped = True
                break
        if not stopped:
            epoch += 1
            validate()  # fit validates at every epoch's end (and once more after the budget: that one is the held-out loss below)
    budget_seconds = elapsed()

    loss, scored, held_batch = held_out_loss(model, held_chars, index, a.batch)
    print(
        json.dumps(
            {
                'framework': 'torch',
                'version': torch.__version__,
                'python': platform.python_version(),
                'threads': torch.get_num_threads(),
                'steps': step,
                'epochs': epoch,
                'windowsPerEpoch': per_epoch,
                'tokens': tokens,
                'trainSeconds': train_seconds,
                'budgetSeconds': budget_seconds,
                'tokensPerSecond': tokens / train_seconds if train_seconds > 0 else 0,
                'lastTrainLoss': last_loss,
                'heldOutLoss': loss,
                'heldOutBitsPerChar': loss / math.log(2),
                'heldOutScored': scored,
                'heldOutBatch': held_batch,
                'vocabSize': len(vocab),
                'vocab': vocab,
                'parameters': sum(p.numel() for p in params),
                'characters': len(chars),
                'validations': validations,
                'checkpoints': checkpoints,
                'samples': samples,
                'curve': curve,
            }
        )
    )
    if ckpt_dir is not None:
        for name in os.listdir(ckpt_dir):
            os.remove(os.path.join(ckpt_dir, name))
        os.rmdir(ckpt_dir)


if __name__ == '__main__':
    main()
