"""Benchmark child: the G2P-sized encoder-decoder of bench/seq2seq.ts, written in PyTorch as the
PyTorch tutorials and OpenNMT write it — nn.Embedding, a packed bidirectional nn.LSTM encoder, the
linear bridge, an nn.LSTMCell decoder with Luong's general attention and input feeding, label-smoothed
cross-entropy, gradient clipping, Adam — and a batched beam search (all hypotheses of all inputs in one
decoder step). The same shapes (bench/seq2seq_shape.json) and the same pseudo-random batches.
Prints one JSON line. Run by bench/seq2seq_run.ts; by hand:

    /usr/bin/python3 bench/seq2seq_torch.py --threads 1 [--seconds 20]
"""
import argparse
import json
import os
import statistics
import time

import torch
import torch.nn.functional as F
from torch import nn

SHAPE = json.load(open(os.path.join(os.path.dirname(os.path.abspath(__file__)), 'seq2seq_shape.json')))


def make_batches():
    """The batches of bench/seq2seq.ts, from the same linear congruential generator."""
    state = 12345

    def nxt(n):
        nonlocal state
        state = (state * 1103515245 + 12345) % 2147483648
        return state % n

    def span(r):
        return r[0] + nxt(r[1] - r[0] + 1)

    out = []
    for _ in range(SHAPE['batches']):
        B = SHAPE['batch']
        src_len = [span(SHAPE['sourceLengths']) for _ in range(B)]
        tgt_len = [span(SHAPE['targetLengths']) for _ in range(B)]
        S, T = max(src_len), max(tgt_len) + 1
        source = torch.zeros(B, S, dtype=torch.long)
        target_in = torch.zeros(B, T, dtype=torch.long)
        target_out = torch.zeros(B, T, dtype=torch.long)
        for b in range(B):
            for s in range(src_len[b]):
                source[b, s] = 2 + nxt(SHAPE['sourceVocab'] - 2)
            target_in[b, 0] = 1
            for t in range(tgt_len[b]):
                y = 3 + nxt(SHAPE['targetVocab'] - 3)
                target_in[b, t + 1] = y
                target_out[b, t] = y
            target_out[b, tgt_len[b]] = 2
        out.append((source, torch.tensor(src_len), target_in, target_out, sum(n + 1 for n in tgt_len)))
    return out


class Seq2Seq(nn.Module):
    def __init__(self):
        super().__init__()
        E, H, L = SHAPE['embedding'], SHAPE['hidden'], SHAPE['encoderLayers']
        self.src_embed = nn.Embedding(SHAPE['sourceVocab'], E, padding_idx=0)
        self.encoder = nn.LSTM(E, H, num_layers=L, bidirectional=True, batch_first=True)
        self.h_proj = nn.Linear(2 * H, H)
        self.c_proj = nn.Linear(2 * H, H)
        self.tgt_embed = nn.Embedding(SHAPE['targetVocab'], E, padding_idx=0)
        self.cell = nn.LSTMCell(E + H, H)
        self.key_proj = nn.Linear(2 * H, H, bias=False)
        self.combine = nn.Linear(3 * H, H, bias=False)
        self.out = nn.Linear(H, SHAPE['targetVocab'])
        self.L, self.H = L, H

    def encode(self, source, lengths):
        packed = nn.utils.rnn.pack_padded_sequence(self.src_embed(source), lengths, batch_first=True, enforce_sorted=False)
        out, (h, c) = self.encoder(packed)
        memory, _ = nn.utils.rnn.pad_packed_sequence(out, batch_first=True, total_length=source.shape[1])
        N = source.shape[0]
        top = lambda s: s.reshape(self.L, 2, N, self.H)[-1].permute(1, 0, 2).reshape(N, 2 * self.H)
        state = (torch.tanh(self.h_proj(top(h))), self.c_proj(top(c)))
        mask = torch.arange(source.shape[1])[None, :] < lengths[:, None]
        return memory, self.key_proj(memory), mask, state

    def step(self, tokens, state, feed, memory, keys, mask):
        h, c = self.cell(torch.cat([self.tgt_embed(tokens), feed], 1), state)
        scores = torch.bmm(keys, h.unsqueeze(2)).squeeze(2).masked_fill(~mask, float('-inf'))
        weights = torch.softmax(scores, 1)
        context = torch.bmm(weights.unsqueeze(1), memory).squeeze(1)
        attentional = torch.tanh(self.combine(torch.cat([context, h], 1)))
        return self.out(attentional), (h, c), attentional, weights

    def forward(self, source, lengths, target_in):
        memory, keys, mask, state = self.encode(source, lengths)
        feed = torch.zeros(source.shape[0], self.H)
        logits = []
        for t in range(target_in.shape[1]):
            y, state, feed, _ = self.step(target_in[:, t], state, feed, memory, keys, mask)
            logits.append(y)
        return torch.stack(logits, 1)


def beam_search(model, source, lengths, K, max_length, bos=1, eos=2):
    """Batched beam search: (N·K) rows per step; an input is done when it holds K finished hypotheses."""
    N, V = source.shape[0], SHAPE['targetVocab']
    memory, keys, mask, (h, c) = model.encode(source, lengths)
    rows = torch.arange(N).repeat_interleave(K)
    memory, keys, mask, h, c = memory[rows], keys[rows], mask[rows], h[rows], c[rows]
    feed = torch.zeros(N * K, model.H)
    scores = torch.full((N, K), float('-inf'))
    scores[:, 0] = 0
    tokens = torch.full((N * K,), bos, dtype=torch.long)
    history = torch.zeros(N * K, 0, dtype=torch.long)
    finished = [[] for _ in range(N)]
    forbid = torch.zeros(V)
    forbid[0] = forbid[bos] = float('-inf')
    for t in range(max_length):
        logits, (h, c), feed, _ = model.step(tokens, (h, c), feed, memory, keys, mask)
        logp = torch.log_softmax(logits + forbid, 1)
        total = (scores.reshape(-1, 1) + logp).reshape(N, K * V)
        best, index = total.topk(2 * K, 1)
        beam, token = index // V, index % V
        parent = (torch.arange(N)[:, None] * K + beam)
        new_scores = torch.full((N, K), float('-inf'))
        keep_parent = torch.zeros(N, K, dtype=torch.long)
        keep_token = torch.zeros(N, K, dtype=torch.long)
        for n in range(N):
            if len(finished[n]) >= K:
                keep_parent[n] = n * K
                continue
            kept = 0
            for j in range(2 * K):
                if token[n, j] == eos or t == max_length - 1:
                    if j < K and len(finished[n]) < K:
                        finished[n].append((best[n, j].item(), history[parent[n, j]].tolist()))
                elif kept < K:
                    new_scores[n, kept], keep_parent[n, kept], keep_token[n, kept] = best[n, j], parent[n, j], token[n, j]
                    kept += 1
                if kept == K:
                    break
        if all(len(f) >= K for f in finished):
            break
        flat = keep_parent.reshape(-1)
        h, c, feed = h[flat], c[flat], feed[flat]
        history = torch.cat([history[flat], keep_token.reshape(-1, 1)], 1)
        tokens, scores = keep_token.reshape(-1), new_scores
    return [max(f, key=lambda x: x[0]) if f else None for f in finished]


def measure(work, seconds, warmup):
    for i in range(warmup):
        work(i)
    rates, start, i = [], time.perf_counter(), 0
    while len(rates) < 3 or time.perf_counter() - start < seconds:
        t0 = time.perf_counter()
        items = work(i)
        rates.append(items / (time.perf_counter() - t0))
        i += 1
    return statistics.median(rates), len(rates)


def main():
    p = argparse.ArgumentParser()
    p.add_argument('--threads', type=int, default=os.cpu_count())
    p.add_argument('--seconds', type=float, default=20)
    a = p.parse_args()
    torch.set_num_threads(a.threads)
    torch.manual_seed(0)
    model = Seq2Seq()
    opt = torch.optim.Adam(model.parameters(), lr=1e-3)
    batches = make_batches()

    def train(i):
        source, lengths, target_in, target_out, tokens = batches[i % len(batches)]
        opt.zero_grad()
        logits = model(source, lengths, target_in)
        F.cross_entropy(logits.reshape(-1, SHAPE['targetVocab']), target_out.reshape(-1), ignore_index=0, label_smoothing=0.1).backward()
        nn.utils.clip_grad_norm_(model.parameters(), 5)
        opt.step()
        return tokens

    train_rate, train_samples = measure(train, a.seconds, 3)
    model.eval()

    def beam(i):
        source, lengths, _, _, _ = batches[i % len(batches)]
        n = SHAPE['beamBatch']
        beam_search(model, source[:n], lengths[:n], SHAPE['beam'], SHAPE['maxLength'])
        return n

    with torch.no_grad():
        beam_rate, beam_samples = measure(beam, a.seconds, 1)
    print(json.dumps({'framework': 'torch', 'threads': torch.get_num_threads(), 'trainTokensPerSecond': train_rate, 'trainSamples': train_samples,
                      'beamSentencesPerSecond': beam_rate, 'beamSamples': beam_samples, 'parameters': sum(p.numel() for p in model.parameters()),
                      'torch': torch.__version__}))


if __name__ == '__main__':
    main()
