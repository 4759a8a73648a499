"""Writes the PyTorch 1.13 reference fixtures of nn.ConditionedDecoder.

packages/recurrent/test/fixtures/conditioned_decoder/<case>.safetensors, one per case below: the
same model built from torch's own modules (nn.Embedding, nn.LSTM/GRU/RNN, nn.Linear), conditioned
on a context vector c (N, C) by
    init:  h0 = tanh(init_h(c)).view(N, L, H).transpose(0, 1)   (and c0 from init_c for an LSTM
           with lstmInit 'hc'; zeros with 'h')
    input: x_t = cat([embedding(y_{t-1}), c], -1)
    both:  both.
Each file holds, in float64 (parameters float32-representable): ids_in (T, N) and ids_out (T, N)
int32, context (N, C), grad_logits (T, N, V), param.<name> for every parameter under this
library's names, logits (T, N, V), loss (1,) = mean cross-entropy of logits against ids_out,
grad.param.<name> and grad.context: the gradients of loss + sum(logits * grad_logits).
The metadata's "config" is the case's JSON.

    /usr/bin/python3 tools/generate_conditioned_fixtures.py
"""
import json
import os
import sys
import zlib

import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from generate_fixtures import ROOT, write_safetensors  # noqa: E402

OUT = os.path.join(ROOT, 'conditioned_decoder')
F64 = torch.float64
SIZES = {'vocab': 7, 'context': 3, 'emb': 4, 'hidden': 5, 'T': 4, 'N': 3}
CASES = {
    'lstm_init_hc_2layers': {'cell': 'lstm', 'coupling': 'init', 'lstmInit': 'hc', 'layers': 2},
    'lstm_init_h': {'cell': 'lstm', 'coupling': 'init', 'lstmInit': 'h', 'layers': 1},
    'gru_input_2layers': {'cell': 'gru', 'coupling': 'input', 'lstmInit': 'hc', 'layers': 2},
    'rnn_both': {'cell': 'rnn', 'coupling': 'both', 'lstmInit': 'hc', 'layers': 1},
    'lstm_both': {'cell': 'lstm', 'coupling': 'both', 'lstmInit': 'hc', 'layers': 1},
}
TORCH_CELLS = {'lstm': torch.nn.LSTM, 'gru': torch.nn.GRU, 'rnn': torch.nn.RNN}


class ConditionedDecoder(torch.nn.Module):
    def __init__(self, c):
        super().__init__()
        z = SIZES
        self.c = c
        self.at_init = c['coupling'] in ('init', 'both')
        self.at_input = c['coupling'] in ('input', 'both')
        self.embedding = torch.nn.Embedding(z['vocab'], z['emb'])
        self.rnn = TORCH_CELLS[c['cell']](z['emb'] + (z['context'] if self.at_input else 0), z['hidden'], num_layers=c['layers'])
        self.decoder = torch.nn.Linear(z['hidden'], z['vocab'])
        if self.at_init:
            self.init_h = torch.nn.Linear(z['context'], c['layers'] * z['hidden'])
            if c['cell'] == 'lstm' and c['lstmInit'] == 'hc':
                self.init_c = torch.nn.Linear(z['context'], c['layers'] * z['hidden'])

    def forward(self, ids, context):
        T, N = ids.shape
        L, H = self.c['layers'], SIZES['hidden']
        x = self.embedding(ids)
        if self.at_input:
            x = torch.cat([x, context.unsqueeze(0).expand(T, N, context.shape[1])], -1)

        def project(name):
            if not self.at_init or not hasattr(self, name):
                return torch.zeros(L, N, H, dtype=context.dtype)
            return torch.tanh(getattr(self, name)(context)).view(N, L, H).transpose(0, 1).contiguous()

        state = (project('init_h'), project('init_c')) if self.c['cell'] == 'lstm' else project('init_h')
        out, _ = self.rnn(x, state)
        return self.decoder(out)


def make_case(name, c):
    torch.manual_seed(zlib.crc32(name.encode('utf-8')))
    z = SIZES
    model = ConditionedDecoder(c)
    with torch.no_grad():
        for p in model.parameters():
            p.copy_(p.to(torch.float32))
    model = model.to(F64)
    T, N, V = z['T'], z['N'], z['vocab']
    ids_in = torch.randint(1, V, (T, N))
    ids_in[0] = 0
    ids_out = torch.cat([ids_in[1:], torch.zeros(1, N, dtype=torch.long)], 0)
    context = torch.randn(N, z['context'], dtype=F64).to(torch.float32).to(F64).requires_grad_(True)
    grad_logits = torch.randn(T, N, V, dtype=F64)
    logits = model(ids_in, context)
    loss = torch.nn.functional.cross_entropy(logits.reshape(-1, V), ids_out.reshape(-1))
    (loss + (logits * grad_logits).sum()).backward()
    tensors = {
        'ids_in': ids_in.to(torch.int32),
        'ids_out': ids_out.to(torch.int32),
        'context': context.detach(),
        'grad_logits': grad_logits,
    }
    for key, p in model.named_parameters():
        tensors[f'param.{key}'] = p.detach()
    tensors['logits'] = logits.detach()
    tensors['loss'] = loss.detach().reshape(1)
    for key, p in model.named_parameters():
        tensors[f'grad.param.{key}'] = p.grad
    tensors['grad.context'] = context.grad
    config = {**c, 'vocab': V, 'contextSize': z['context'], 'emb': z['emb'], 'hidden': z['hidden']}
    write_safetensors(os.path.join(OUT, f'{name}.safetensors'), tensors, {'config': json.dumps(config)})


def main():
    torch.set_num_threads(1)  # fixed summation order
    os.makedirs(OUT, exist_ok=True)
    for f in os.listdir(OUT):
        if f.endswith('.safetensors'):
            os.remove(os.path.join(OUT, f))
    for name, c in CASES.items():
        make_case(name, c)
    print(f'wrote {len(CASES)} conditioned decoder fixtures under {os.path.normpath(OUT)}')


if __name__ == '__main__':
    main()
