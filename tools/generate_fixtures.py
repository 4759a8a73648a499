#!/usr/bin/env python3
"""Writes the PyTorch reference fixtures that the TypeScript tests compare against.

Run:  /usr/bin/python3 tools/generate_fixtures.py      (needs torch; CPU is enough)
It rewrites test/fixtures/{ops,rnn,cells}/*.safetensors. Every case seeds
torch from a hash of its own name, so adding or removing a case leaves the other files unchanged.

File format (safetensors): an 8-byte little-endian u64 header length N, then N bytes of JSON
    {"<tensor name>": {"dtype": "F32"|"F64"|"I32", "shape": [...], "data_offsets": [begin, end]},
     ..., "__metadata__": {"<key>": "<string>"}}
padded with spaces to a multiple of 8, then the raw little-endian tensor bytes; data_offsets are
relative to the first byte after the header.

ops/<case>.safetensors (foundation ops)
    metadata  "op": the operation (see OP CASES below), "args": a JSON string of its arguments
    in.0, in.1, ...  inputs, float32 unless the case is about float64 or int32; indices are I32
    out              the result, or out.0, out.1, ... for several (e.g. values and indices)
    grad_out         a random upstream gradient for the differentiable output (out or out.0)
    grad.in.K        d sum(out * grad_out) / d in.K, for every differentiable input

rnn/<case>.safetensors (torch.nn.RNN / LSTM / GRU, dropout 0)
    metadata  "config": JSON {"mode": "RNN_TANH"|"RNN_RELU"|"LSTM"|"GRU", "inputSize",
              "hiddenSize", "numLayers", "bias", "batchFirst", "bidirectional", "projSize" (0 if
              none), "input": "padded"|"packed"|"unbatched", "lengths" and "enforceSorted"
              (packed only), "withH0"}
    param.<state_dict key>   every parameter, e.g. param.weight_ih_l0, param.bias_hh_l1_reverse
    input     the module's input; for packed input the padded tensor (zeros past each length) in
              the config's batchFirst layout, to be packed with
              pack_padded_sequence(input, lengths, batch_first, enforce_sorted)
    h0, c0    initial states (c0 for LSTM only), present when withH0
    output    the output; for packed input pad_packed_sequence(out, batch_first), zero-padded
    h_n, c_n  final states (c_n for LSTM only)
    grad_output, grad_h_n, grad_c_n   upstream gradients (grad_output is zero at padded steps)
    grad.input, grad.h0, grad.c0, grad.param.<key>
              gradients of sum(output * grad_output) + sum(h_n * grad_h_n) [+ sum(c_n * grad_c_n)]

cells/<case>.safetensors (torch.nn.RNNCell / LSTMCell / GRUCell, stepped T times, state fed back)
    metadata  "config": JSON {"mode": "RNN_TANH"|"RNN_RELU"|"LSTM"|"GRU", "inputSize", "hiddenSize",
              "bias", "batched", "withH0"}
    param.<key>   weight_ih, weight_hh, bias_ih, bias_hh (no biases when bias is false)
    input     (T, N, inputSize), or (T, inputSize) when not batched; step t reads input[t]
    h0, c0    initial states (N, H) or (H) when withH0 (c0 for LSTM only); zeros otherwise
    output    the h of every step, stacked: (T, N, H) or (T, H)
    c_output  the c of every step, stacked (LSTM only)
    grad_output, grad_c_output   upstream gradients (grad_c_output for LSTM only)
    grad.input, grad.h0, grad.c0, grad.param.<key>
              gradients of sum(output * grad_output) [+ sum(c_output * grad_c_output)]

To add a case, add a line to OP_CASES, RNN_CASES or CELL_CASES and rerun the script.
"""
import json
import os
import struct
import zlib

import torch

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', 'test', 'fixtures')
DTYPES = {torch.float32: ('F32', '<f4'), torch.float64: ('F64', '<f8'), torch.int32: ('I32', '<i4')}


def write_safetensors(path, tensors, metadata):
    """tensors: dict name -> torch tensor (float32, float64 or int32); metadata: dict str -> str."""
    header = {'__metadata__': metadata}
    chunks = []
    offset = 0
    for name, t in tensors.items():
        tag, np_dtype = DTYPES[t.dtype]
        raw = t.detach().contiguous().numpy().astype(np_dtype).tobytes()
        header[name] = {'dtype': tag, 'shape': list(t.shape), 'data_offsets': [offset, offset + len(raw)]}
        chunks.append(raw)
        offset += len(raw)
    head = json.dumps(header, separators=(',', ':')).encode('utf-8')
    head += b' ' * (-len(head) % 8)
    with open(path, 'wb') as f:
        f.write(struct.pack('<Q', len(head)))
        f.write(head)
        for raw in chunks:
            f.write(raw)


def seed_for(name):
    torch.manual_seed(zlib.crc32(name.encode('utf-8')))


# ---------------------------------------------------------------------------------------------
# OP CASES: (name, op, args, inputs) where inputs is a function returning the list of inputs.
# An input that is floating requires grad; int32 inputs (indices) do not.

def randn(*shape, dtype=torch.float32):
    return torch.randn(tuple(shape), dtype=torch.float64).to(dtype)


def ties(*shape):
    """Small integers as floats, so reductions meet ties."""
    return torch.randint(0, 3, shape).to(torch.float32)


def index(high, *shape):
    return torch.randint(0, high, shape).to(torch.int32)


def run_op(op, args, xs):
    """Runs `op` in torch; returns (outputs, index of the differentiable output or None)."""
    d = args.get('dim')
    k = args.get('keepdim', False)
    if op == 'matmul':
        return [torch.matmul(xs[0], xs[1])], 0
    if op == 'softmax':
        return [torch.softmax(xs[0], d)], 0
    if op == 'log_softmax':
        return [torch.log_softmax(xs[0], d)], 0
    if op in ('sum', 'mean', 'amax', 'amin', 'logsumexp'):
        all_dims = list(range(xs[0].dim())) if d is None else d
        fn = {'sum': torch.sum, 'mean': torch.mean, 'amax': torch.amax, 'amin': torch.amin,
              'logsumexp': torch.logsumexp}[op]
        out = fn(xs[0], all_dims, keepdim=k)
        return [out.to(torch.int32) if xs[0].dtype == torch.int32 else out], (0 if xs[0].is_floating_point() else None)
    if op in ('max_dim', 'min_dim'):
        values, indices = (torch.max if op == 'max_dim' else torch.min)(xs[0], d, keepdim=k)
        return [values, indices.to(torch.int32)], (0 if xs[0].is_floating_point() else None)
    if op in ('argmax', 'argmin'):
        return [(torch.argmax if op == 'argmax' else torch.argmin)(xs[0], d, keepdim=k).to(torch.int32)], None
    if op == 'gather':
        return [torch.gather(xs[0], d, xs[1].long())], 0
    if op == 'scatter_add':
        # scatter_add reads src only where the index reaches; narrowing src to the index's shape
        # first gives the same result and keeps torch 1.13's backward (which assumes equal shapes) valid.
        src = xs[2][tuple(slice(0, n) for n in xs[1].shape)]
        return [torch.scatter_add(xs[0], d, xs[1].long(), src)], 0
    if op == 'composed':
        return [COMPOSED[args['expr']](*xs)], 0
    raise ValueError(f'unknown op {op}')


COMPOSED = {
    # y = log_softmax(exp(tanh(a @ b + c)) * d, -1)
    'log_softmax(exp(tanh(a @ b + c)) * d, -1)':
        lambda a, b, c, d: (torch.tanh(a @ b + c).exp() * d).log_softmax(-1),
    # batched product, softmax over a middle axis, broadcasting and a max that keeps its axis
    'logsumexp(softmax(a @ b, 1) * c + amax(d, -1, keepdim), -1)':
        lambda a, b, c, d: torch.logsumexp(torch.softmax(a @ b, 1) * c + torch.amax(d, -1, keepdim=True), -1),
    # mean and sum over several axes with the matmul's 1-D promotion
    'mean(tanh(a @ v) * w, [0, 2]) + sum(exp(c), 1)':
        lambda a, v, w, c: torch.mean(torch.tanh(a @ v) * w, [0, 2]) + torch.sum(torch.exp(c), 1),
}

F64 = torch.float64
OP_CASES = [
    # matmul
    ('matmul_2d_2d', 'matmul', {}, lambda: [randn(3, 4), randn(4, 5)]),
    ('matmul_3d_3d', 'matmul', {}, lambda: [randn(2, 3, 4), randn(2, 4, 5)]),
    ('matmul_broadcast_batch', 'matmul', {}, lambda: [randn(2, 1, 3, 4), randn(5, 4, 2)]),
    ('matmul_1d_2d', 'matmul', {}, lambda: [randn(4), randn(4, 3)]),
    ('matmul_2d_1d', 'matmul', {}, lambda: [randn(3, 4), randn(4)]),
    ('matmul_1d_1d', 'matmul', {}, lambda: [randn(6), randn(6)]),
    ('matmul_3d_2d', 'matmul', {}, lambda: [randn(2, 3, 4), randn(4, 5)]),
    ('matmul_1d_3d', 'matmul', {}, lambda: [randn(4), randn(2, 4, 3)]),
    ('matmul_2d_2d_f64', 'matmul', {}, lambda: [randn(3, 4, dtype=F64), randn(4, 2, dtype=F64)]),
    # softmax, log_softmax
    ('softmax_last', 'softmax', {'dim': -1}, lambda: [randn(2, 3, 5)]),
    ('softmax_first', 'softmax', {'dim': 0}, lambda: [randn(4, 3, 2)]),
    ('softmax_middle', 'softmax', {'dim': 1}, lambda: [randn(2, 4, 3)]),
    ('log_softmax_last', 'log_softmax', {'dim': -1}, lambda: [randn(2, 3, 5)]),
    ('log_softmax_first', 'log_softmax', {'dim': 0}, lambda: [randn(4, 3, 2)]),
    ('log_softmax_middle', 'log_softmax', {'dim': 1}, lambda: [randn(2, 4, 3) * 10]),
    ('log_softmax_last_f64', 'log_softmax', {'dim': -1}, lambda: [randn(3, 6, dtype=F64)]),
    # sum, mean
    ('sum_all', 'sum', {'dim': None, 'keepdim': False}, lambda: [randn(2, 3, 4)]),
    ('sum_all_keepdim', 'sum', {'dim': None, 'keepdim': True}, lambda: [randn(2, 3, 4)]),
    ('sum_axis1', 'sum', {'dim': [1], 'keepdim': False}, lambda: [randn(2, 3, 4)]),
    ('sum_axis_last_keepdim', 'sum', {'dim': [-1], 'keepdim': True}, lambda: [randn(2, 3, 4)]),
    ('sum_axes_0_2', 'sum', {'dim': [0, 2], 'keepdim': False}, lambda: [randn(2, 3, 4)]),
    ('sum_axes_0_2_keepdim', 'sum', {'dim': [0, 2], 'keepdim': True}, lambda: [randn(2, 3, 4, 2)]),
    ('sum_axes_1_3', 'sum', {'dim': [1, 3], 'keepdim': False}, lambda: [randn(2, 3, 4, 2)]),
    ('sum_int32', 'sum', {'dim': [1], 'keepdim': False}, lambda: [index(10, 3, 4)]),
    ('mean_all', 'mean', {'dim': None, 'keepdim': False}, lambda: [randn(3, 4)]),
    ('mean_axis0_keepdim', 'mean', {'dim': [0], 'keepdim': True}, lambda: [randn(3, 4, 2)]),
    ('mean_axes_0_2', 'mean', {'dim': [0, 2], 'keepdim': False}, lambda: [randn(3, 4, 2)]),
    ('mean_axes_neg', 'mean', {'dim': [-1, -3], 'keepdim': True}, lambda: [randn(3, 4, 2)]),
    # amax, amin (ties share the gradient evenly)
    ('amax_all', 'amax', {'dim': None, 'keepdim': False}, lambda: [randn(3, 4)]),
    ('amax_axis1', 'amax', {'dim': [1], 'keepdim': False}, lambda: [randn(2, 5, 3)]),
    ('amax_axes_0_2_keepdim', 'amax', {'dim': [0, 2], 'keepdim': True}, lambda: [randn(2, 5, 3)]),
    ('amax_ties', 'amax', {'dim': [1], 'keepdim': False}, lambda: [ties(4, 6)]),
    ('amin_axis0', 'amin', {'dim': [0], 'keepdim': False}, lambda: [randn(4, 3)]),
    ('amin_axes_1_2_keepdim', 'amin', {'dim': [1, 2], 'keepdim': True}, lambda: [randn(2, 3, 4)]),
    ('amin_ties', 'amin', {'dim': [0, 1], 'keepdim': False}, lambda: [ties(3, 4, 2)]),
    # max, min along a dim with indices
    ('max_dim1', 'max_dim', {'dim': 1, 'keepdim': False}, lambda: [randn(3, 5, 2)]),
    ('max_dim_last_keepdim', 'max_dim', {'dim': -1, 'keepdim': True}, lambda: [randn(3, 5, 2)]),
    ('max_dim0_ties', 'max_dim', {'dim': 0, 'keepdim': False}, lambda: [ties(5, 4)]),
    ('min_dim0', 'min_dim', {'dim': 0, 'keepdim': False}, lambda: [randn(4, 3)]),
    ('min_dim1_keepdim', 'min_dim', {'dim': 1, 'keepdim': True}, lambda: [randn(2, 4, 3)]),
    # argmax, argmin (first position on ties)
    ('argmax_flat', 'argmax', {'dim': None, 'keepdim': False}, lambda: [randn(3, 4)]),
    ('argmax_dim1', 'argmax', {'dim': 1, 'keepdim': False}, lambda: [randn(2, 5, 3)]),
    ('argmax_ties_keepdim', 'argmax', {'dim': -1, 'keepdim': True}, lambda: [ties(4, 6)]),
    ('argmax_int32', 'argmax', {'dim': 0, 'keepdim': False}, lambda: [index(5, 6, 3)]),
    ('argmin_dim0', 'argmin', {'dim': 0, 'keepdim': False}, lambda: [randn(4, 3)]),
    ('argmin_flat_keepdim', 'argmin', {'dim': None, 'keepdim': True}, lambda: [randn(2, 3, 2)]),
    ('argmin_ties', 'argmin', {'dim': 1, 'keepdim': False}, lambda: [ties(3, 7)]),
    # logsumexp
    ('logsumexp_last', 'logsumexp', {'dim': [-1], 'keepdim': False}, lambda: [randn(3, 5)]),
    ('logsumexp_axis0_keepdim', 'logsumexp', {'dim': [0], 'keepdim': True}, lambda: [randn(3, 4, 2)]),
    ('logsumexp_axes_0_2', 'logsumexp', {'dim': [0, 2], 'keepdim': False}, lambda: [randn(3, 4, 2) * 20]),
    ('logsumexp_all_f64', 'logsumexp', {'dim': None, 'keepdim': False}, lambda: [randn(2, 3, 4, dtype=F64)]),
    # gather: index may be smaller than the source off the gathered axis
    ('gather_axis0', 'gather', {'dim': 0}, lambda: [randn(4, 3), index(4, 6, 3)]),
    ('gather_axis1_small_index', 'gather', {'dim': 1}, lambda: [randn(4, 5), index(5, 3, 2)]),
    ('gather_axis_last_3d', 'gather', {'dim': -1}, lambda: [randn(2, 3, 4), index(4, 2, 2, 6)]),
    ('gather_axis1_3d_small_index', 'gather', {'dim': 1}, lambda: [randn(3, 4, 5), index(4, 2, 6, 3)]),
    # scatter_add: repeated indices accumulate; src may be larger than the index
    ('scatter_add_axis0', 'scatter_add', {'dim': 0}, lambda: [randn(3, 4), index(3, 5, 4), randn(5, 4)]),
    ('scatter_add_axis1_small_index', 'scatter_add', {'dim': 1},
     lambda: [randn(4, 5), index(5, 3, 4), randn(4, 6)]),
    ('scatter_add_axis_last_3d', 'scatter_add', {'dim': -1},
     lambda: [randn(2, 3, 4), index(4, 2, 2, 5), randn(2, 3, 6)]),
    # composed expressions, every input requiring grad
    ('composed_mlp_log_softmax', 'composed', {'expr': 'log_softmax(exp(tanh(a @ b + c)) * d, -1)'},
     lambda: [randn(3, 4), randn(4, 5), randn(5), randn(3, 5)]),
    ('composed_batched_logsumexp', 'composed',
     {'expr': 'logsumexp(softmax(a @ b, 1) * c + amax(d, -1, keepdim), -1)'},
     lambda: [randn(2, 3, 4), randn(4, 5), randn(3, 1), randn(2, 3, 4)]),
    ('composed_mean_sum', 'composed', {'expr': 'mean(tanh(a @ v) * w, [0, 2]) + sum(exp(c), 1)'},
     lambda: [randn(2, 3, 4, 5), randn(5), randn(2, 3, 4), randn(3, 2)]),
]


def make_op_case(name, op, args, inputs):
    seed_for(name)
    xs = inputs()
    for x in xs:
        if x.is_floating_point():
            x.requires_grad_(True)
    outs, diff = run_op(op, args, xs)
    tensors = {f'in.{i}': x for i, x in enumerate(xs)}
    if len(outs) == 1:
        tensors['out'] = outs[0]
    else:
        tensors.update({f'out.{i}': o for i, o in enumerate(outs)})
    if diff is not None:
        grad_out = randn(*outs[diff].shape, dtype=outs[diff].dtype)
        wrt = [x for x in xs if x.requires_grad]
        grads = torch.autograd.grad((outs[diff] * grad_out).sum(), wrt)
        tensors['grad_out'] = grad_out
        it = iter(grads)
        for i, x in enumerate(xs):
            if x.requires_grad:
                tensors[f'grad.in.{i}'] = next(it)
    meta = {'op': op, 'args': json.dumps(args)}
    write_safetensors(os.path.join(ROOT, 'ops', f'{name}.safetensors'), tensors, meta)


# ---------------------------------------------------------------------------------------------
# RNN CASES: name -> config overrides. Sizes: T steps, B batch (absent for unbatched input).

RNN_DEFAULTS = {'inputSize': 3, 'hiddenSize': 4, 'numLayers': 1, 'bias': True, 'batchFirst': False,
                'bidirectional': False, 'projSize': 0, 'input': 'padded', 'withH0': False, 'T': 5, 'B': 2}


def rnn(mode, **kw):
    return {'mode': mode, **kw}


RNN_CASES = {
    # RNN tanh
    'rnn_tanh_l1': rnn('RNN_TANH'),
    'rnn_tanh_l1_h0': rnn('RNN_TANH', withH0=True, inputSize=5, hiddenSize=6),
    'rnn_tanh_l1_t1_b1': rnn('RNN_TANH', T=1, B=1, withH0=True),
    'rnn_tanh_l2_bi_batchfirst_h0': rnn('RNN_TANH', numLayers=2, bidirectional=True, batchFirst=True, withH0=True),
    'rnn_tanh_l3_nobias': rnn('RNN_TANH', numLayers=3, bias=False, T=4, B=3),
    'rnn_tanh_l1_packed_sorted': rnn('RNN_TANH', input='packed', lengths=[6, 4, 1], enforceSorted=True, T=6, B=3),
    'rnn_tanh_l2_bi_unbatched_h0': rnn('RNN_TANH', numLayers=2, bidirectional=True, input='unbatched', withH0=True),
    # RNN relu
    'rnn_relu_l1_h0': rnn('RNN_RELU', withH0=True),
    'rnn_relu_l2_bi': rnn('RNN_RELU', numLayers=2, bidirectional=True, inputSize=4, hiddenSize=5, B=3),
    'rnn_relu_l1_batchfirst_nobias': rnn('RNN_RELU', batchFirst=True, bias=False, withH0=True),
    'rnn_relu_l2_bi_batchfirst_packed_unsorted_h0': rnn(
        'RNN_RELU', numLayers=2, bidirectional=True, batchFirst=True, input='packed',
        lengths=[3, 5, 1], enforceSorted=False, T=5, B=3, withH0=True),
    'rnn_relu_l1_unbatched': rnn('RNN_RELU', input='unbatched', T=6),
    # LSTM
    'lstm_l1': rnn('LSTM'),
    'lstm_l1_h0': rnn('LSTM', withH0=True, inputSize=4, hiddenSize=5, T=6, B=3),
    'lstm_l1_batchfirst_nobias_h0': rnn('LSTM', batchFirst=True, bias=False, withH0=True),
    'lstm_l2_bi_batchfirst_h0': rnn('LSTM', numLayers=2, bidirectional=True, batchFirst=True, withH0=True),
    'lstm_l3_h0': rnn('LSTM', numLayers=3, withH0=True, T=4),
    'lstm_l3_bi': rnn('LSTM', numLayers=3, bidirectional=True, T=3, B=2, inputSize=5),
    'lstm_l1_bi_nobias': rnn('LSTM', bidirectional=True, bias=False, T=4, B=3),
    'lstm_l1_proj_h0': rnn('LSTM', projSize=2, withH0=True, hiddenSize=5),
    'lstm_l2_bi_proj_batchfirst': rnn('LSTM', numLayers=2, bidirectional=True, projSize=3, batchFirst=True, hiddenSize=5),
    'lstm_l2_proj_nobias_h0': rnn('LSTM', numLayers=2, projSize=2, bias=False, withH0=True, T=3),
    'lstm_l1_packed_sorted': rnn('LSTM', input='packed', lengths=[5, 3, 1], enforceSorted=True, B=3),
    'lstm_l2_batchfirst_packed_unsorted_h0': rnn(
        'LSTM', numLayers=2, batchFirst=True, input='packed', lengths=[2, 6, 4], enforceSorted=False,
        T=6, B=3, withH0=True),
    'lstm_l2_bi_proj_packed_unsorted_h0': rnn(
        'LSTM', numLayers=2, bidirectional=True, projSize=2, input='packed', lengths=[4, 1, 7],
        enforceSorted=False, T=7, B=3, withH0=True, hiddenSize=5),
    'lstm_l3_bi_proj_batchfirst_packed_sorted': rnn(
        'LSTM', numLayers=3, bidirectional=True, projSize=3, batchFirst=True, input='packed',
        lengths=[4, 4, 2], enforceSorted=True, T=4, B=3, hiddenSize=4),
    'lstm_l1_unbatched_h0': rnn('LSTM', input='unbatched', withH0=True, T=4),
    'lstm_l2_bi_proj_unbatched_h0': rnn('LSTM', numLayers=2, bidirectional=True, projSize=2, input='unbatched',
                                        withH0=True, hiddenSize=5),
    'lstm_l1_t50_h0': rnn('LSTM', T=50, B=2, inputSize=4, hiddenSize=5, withH0=True),
    # GRU
    'gru_l1': rnn('GRU'),
    'gru_l1_h0': rnn('GRU', withH0=True, inputSize=5, hiddenSize=6, B=3),
    'gru_l1_batchfirst_nobias_h0': rnn('GRU', batchFirst=True, bias=False, withH0=True),
    'gru_l2_bi_batchfirst_h0': rnn('GRU', numLayers=2, bidirectional=True, batchFirst=True, withH0=True),
    'gru_l3': rnn('GRU', numLayers=3, T=4, B=3),
    'gru_l3_bi_h0': rnn('GRU', numLayers=3, bidirectional=True, withH0=True, T=3),
    'gru_l1_packed_unsorted': rnn('GRU', input='packed', lengths=[1, 4, 3], enforceSorted=False, T=4, B=3),
    'gru_l2_bi_packed_sorted': rnn('GRU', numLayers=2, bidirectional=True, input='packed', lengths=[6, 3, 1],
                                   enforceSorted=True, T=6, B=3),
    'gru_l2_bi_batchfirst_packed_unsorted_h0': rnn(
        'GRU', numLayers=2, bidirectional=True, batchFirst=True, input='packed', lengths=[2, 5, 5],
        enforceSorted=False, T=5, B=3, withH0=True),
    'gru_l2_bi_unbatched_h0': rnn('GRU', numLayers=2, bidirectional=True, input='unbatched', withH0=True, T=3),
    'gru_l1_unbatched': rnn('GRU', input='unbatched', T=1),
}

MODULES = {'RNN_TANH': torch.nn.RNN, 'RNN_RELU': torch.nn.RNN, 'LSTM': torch.nn.LSTM, 'GRU': torch.nn.GRU}


def make_rnn_case(name, spec):
    seed_for(name)
    c = {**RNN_DEFAULTS, **spec}
    mode, T, B = c['mode'], c['T'], c['B']
    is_lstm = mode == 'LSTM'
    kwargs = dict(input_size=c['inputSize'], hidden_size=c['hiddenSize'], num_layers=c['numLayers'],
                  bias=c['bias'], batch_first=c['batchFirst'], bidirectional=c['bidirectional'], dropout=0.0)
    if mode in ('RNN_TANH', 'RNN_RELU'):
        kwargs['nonlinearity'] = 'tanh' if mode == 'RNN_TANH' else 'relu'
    if c['projSize']:
        kwargs['proj_size'] = c['projSize']
    module = MODULES[mode](**kwargs)
    D = 2 if c['bidirectional'] else 1
    out_size = c['projSize'] or c['hiddenSize']
    unbatched = c['input'] == 'unbatched'
    packed = c['input'] == 'packed'

    if unbatched:
        x = torch.randn(T, c['inputSize'])
        h_shape, c_shape = (D * c['numLayers'], out_size), (D * c['numLayers'], c['hiddenSize'])
    else:
        x = torch.randn(B, T, c['inputSize']) if c['batchFirst'] else torch.randn(T, B, c['inputSize'])
        h_shape, c_shape = (D * c['numLayers'], B, out_size), (D * c['numLayers'], B, c['hiddenSize'])
    if packed:
        assert len(c['lengths']) == B and max(c['lengths']) == T
        for b, n in enumerate(c['lengths']):  # zero past each length, so padding carries nothing
            if c['batchFirst']:
                x[b, n:] = 0
            else:
                x[n:, b] = 0
    x.requires_grad_(True)
    h0 = torch.randn(*h_shape).requires_grad_(True) if c['withH0'] else None
    c0 = torch.randn(*c_shape).requires_grad_(True) if c['withH0'] and is_lstm else None

    feed = x
    if packed:
        feed = torch.nn.utils.rnn.pack_padded_sequence(x, torch.tensor(c['lengths']), batch_first=c['batchFirst'],
                                                       enforce_sorted=c['enforceSorted'])
    state = None if h0 is None else ((h0, c0) if is_lstm else h0)
    out, hidden = module(feed, state)
    if packed:
        out, _ = torch.nn.utils.rnn.pad_packed_sequence(out, batch_first=c['batchFirst'])
    h_n, c_n = hidden if is_lstm else (hidden, None)

    grad_output = torch.randn(*out.shape)
    if packed:
        for b, n in enumerate(c['lengths']):
            if c['batchFirst']:
                grad_output[b, n:] = 0
            else:
                grad_output[n:, b] = 0
    grad_h_n = torch.randn(*h_n.shape)
    grad_c_n = torch.randn(*c_n.shape) if is_lstm else None
    loss = (out * grad_output).sum() + (h_n * grad_h_n).sum()
    if is_lstm:
        loss = loss + (c_n * grad_c_n).sum()
    params = dict(module.named_parameters())
    wrt = [x] + [t for t in (h0, c0) if t is not None] + list(params.values())
    grads = iter(torch.autograd.grad(loss, wrt))

    tensors = {f'param.{k}': v for k, v in params.items()}
    tensors['input'] = x
    if h0 is not None:
        tensors['h0'] = h0
    if c0 is not None:
        tensors['c0'] = c0
    tensors['output'] = out
    tensors['h_n'] = h_n
    if is_lstm:
        tensors['c_n'] = c_n
    tensors['grad_output'] = grad_output
    tensors['grad_h_n'] = grad_h_n
    if is_lstm:
        tensors['grad_c_n'] = grad_c_n
    tensors['grad.input'] = next(grads)
    if h0 is not None:
        tensors['grad.h0'] = next(grads)
    if c0 is not None:
        tensors['grad.c0'] = next(grads)
    for k in params:
        tensors[f'grad.param.{k}'] = next(grads)

    config = {'mode': mode}
    for key in ('inputSize', 'hiddenSize', 'numLayers', 'bias', 'batchFirst', 'bidirectional', 'projSize', 'input'):
        config[key] = c[key]
    if packed:
        config['lengths'] = c['lengths']
        config['enforceSorted'] = c['enforceSorted']
    config['withH0'] = c['withH0']
    write_safetensors(os.path.join(ROOT, 'rnn', f'{name}.safetensors'), tensors, {'config': json.dumps(config)})


# ---------------------------------------------------------------------------------------------
# CELL CASES: name -> config overrides. The cell runs T steps in a loop, its state fed back, on
# input (T, B, I), or (T, I) when unbatched.

CELL_DEFAULTS = {'inputSize': 3, 'hiddenSize': 4, 'bias': True, 'batched': True, 'withH0': False, 'T': 3, 'B': 2}

CELL_CASES = {
    'rnncell_tanh': rnn('RNN_TANH'),
    'rnncell_tanh_h0': rnn('RNN_TANH', withH0=True, inputSize=5, hiddenSize=3, B=3),
    'rnncell_tanh_unbatched_h0': rnn('RNN_TANH', batched=False, withH0=True),
    'rnncell_relu_h0': rnn('RNN_RELU', withH0=True),
    'rnncell_relu_unbatched_nobias': rnn('RNN_RELU', batched=False, bias=False),
    'lstmcell': rnn('LSTM'),
    'lstmcell_h0': rnn('LSTM', withH0=True, inputSize=4, hiddenSize=5, B=3),
    'lstmcell_unbatched_h0': rnn('LSTM', batched=False, withH0=True),
    'lstmcell_nobias_h0': rnn('LSTM', bias=False, withH0=True),
    'grucell': rnn('GRU'),
    'grucell_h0': rnn('GRU', withH0=True, inputSize=5, hiddenSize=6, B=3),
    'grucell_unbatched': rnn('GRU', batched=False),
    'grucell_nobias_unbatched_h0': rnn('GRU', bias=False, batched=False, withH0=True),
}

CELLS = {'RNN_TANH': torch.nn.RNNCell, 'RNN_RELU': torch.nn.RNNCell, 'LSTM': torch.nn.LSTMCell, 'GRU': torch.nn.GRUCell}


def make_cell_case(name, spec):
    seed_for(name)
    c = {**CELL_DEFAULTS, **spec}
    mode, T, B, H = c['mode'], c['T'], c['B'], c['hiddenSize']
    is_lstm = mode == 'LSTM'
    kwargs = dict(input_size=c['inputSize'], hidden_size=H, bias=c['bias'])
    if mode in ('RNN_TANH', 'RNN_RELU'):
        kwargs['nonlinearity'] = 'tanh' if mode == 'RNN_TANH' else 'relu'
    cell = CELLS[mode](**kwargs)
    x = (torch.randn(T, B, c['inputSize']) if c['batched'] else torch.randn(T, c['inputSize'])).requires_grad_(True)
    state_shape = (B, H) if c['batched'] else (H,)
    h0 = torch.randn(*state_shape).requires_grad_(True) if c['withH0'] else None
    c0 = torch.randn(*state_shape).requires_grad_(True) if c['withH0'] and is_lstm else None

    state = None if h0 is None else ((h0, c0) if is_lstm else h0)
    outs, c_outs = [], []
    for t in range(T):
        state = cell(x[t], state)
        if is_lstm:
            outs.append(state[0])
            c_outs.append(state[1])
        else:
            outs.append(state)
    out = torch.stack(outs)
    c_out = torch.stack(c_outs) if is_lstm else None

    grad_output = torch.randn(*out.shape)
    grad_c_output = torch.randn(*c_out.shape) if is_lstm else None
    loss = (out * grad_output).sum()
    if is_lstm:
        loss = loss + (c_out * grad_c_output).sum()
    params = dict(cell.named_parameters())
    wrt = [x] + [t for t in (h0, c0) if t is not None] + list(params.values())
    grads = iter(torch.autograd.grad(loss, wrt))

    tensors = {f'param.{k}': v for k, v in params.items()}
    tensors['input'] = x
    if h0 is not None:
        tensors['h0'] = h0
    if c0 is not None:
        tensors['c0'] = c0
    tensors['output'] = out
    if is_lstm:
        tensors['c_output'] = c_out
    tensors['grad_output'] = grad_output
    if is_lstm:
        tensors['grad_c_output'] = grad_c_output
    tensors['grad.input'] = next(grads)
    if h0 is not None:
        tensors['grad.h0'] = next(grads)
    if c0 is not None:
        tensors['grad.c0'] = next(grads)
    for k in params:
        tensors[f'grad.param.{k}'] = next(grads)

    config = {'mode': mode}
    for key in ('inputSize', 'hiddenSize', 'bias', 'batched', 'withH0'):
        config[key] = c[key]
    write_safetensors(os.path.join(ROOT, 'cells', f'{name}.safetensors'), tensors, {'config': json.dumps(config)})


def clear(folder):
    os.makedirs(folder, exist_ok=True)
    for f in os.listdir(folder):
        if f.endswith('.safetensors'):
            os.remove(os.path.join(folder, f))


def main():
    torch.set_num_threads(1)  # fixed summation order
    clear(os.path.join(ROOT, 'ops'))
    clear(os.path.join(ROOT, 'rnn'))
    clear(os.path.join(ROOT, 'cells'))
    for name, op, args, inputs in OP_CASES:
        make_op_case(name, op, args, inputs)
    for name, spec in RNN_CASES.items():
        make_rnn_case(name, spec)
    for name, spec in CELL_CASES.items():
        make_cell_case(name, spec)
    print(f'wrote {len(OP_CASES)} op, {len(RNN_CASES)} rnn and {len(CELL_CASES)} cell fixtures under {os.path.normpath(ROOT)}')


if __name__ == '__main__':
    main()
