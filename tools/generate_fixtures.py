#!/usr/bin/env python3
"""Writes the PyTorch reference fixtures that the TypeScript tests compare against.

Run:  /usr/bin/python3 tools/generate_fixtures.py      (needs torch; CPU is enough)
It rewrites packages/recurrent/test/fixtures/{ops,rnn,cells,losses,optim,conv,layer_norm,peephole,ctc}/
*.safetensors. Every case seeds torch from a hash of its own name, so adding or removing a case
leaves the other files unchanged.

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

losses/<case>.safetensors (torch.nn.functional cross_entropy, nll_loss, mse_loss, l1_loss,
binary_cross_entropy_with_logits)
    metadata  "loss": the function's name, "options": JSON of its keyword options (reduction,
              ignore_index, label_smoothing; PyTorch's defaults where absent)
    input     logits, log-probabilities (nll_loss) or predictions
    target    int32 class ids, or floating class probabilities / regression or binary targets
    weight, pos_weight   the optional weights, when the case has them
    out       the loss
    grad_out  a random upstream gradient, present when reduction is 'none'
    grad.input, grad.target   gradients of out (or of sum(out * grad_out) for 'none'); grad.target
              only for a floating target

optim/<case>.safetensors (torch.optim optimizers, lr schedules, gradient clipping); metadata "kind"
says which, and options are JSON with this library's camelCase names (weightDecay, stepSize, ...)
    kind "optimizer": metadata "optimizer" (SGD, Adam, AdamW, RMSprop, Adagrad), "options",
              "groups" (optional JSON [{"params": [indices], <options>}, ...]), "steps", "dtype"
        input, target     fixed data of the problem loss = sum((tanh(input @ param.0 + param.1) - target)^2)
        param.0, param.1, param.2   initial parameters (3, 4), (4,), (2,); param.2 never gets a gradient
        step.K.loss       the loss computed before step K (K = 1..steps)
        step.K.param.I    parameter I after step K
        state.I.<key>     the optimizer's state after the last step, by parameter index and torch's
                          name (exp_avg, momentum_buffer, ...); numbers (step) as 0-d float64
    kind "schedule": metadata "scheduler" (StepLR, ExponentialLR, CosineAnnealingLR, LinearLR,
              ReduceLROnPlateau, SequentialLR, or "chain": several schedules stepped together),
              "options", "lrs" (the groups' starting lrs), "steps", "children" (JSON
              [{"scheduler", "options"}] for SequentialLR and chain), "milestones" (SequentialLR)
        lr                (steps + 1, groups) float64: the lrs once built, then after each step
        metrics           the metric passed to ReduceLROnPlateau.step at each step
    kind "clip_grad_norm" / "clip_grad_value": metadata "options" {maxNorm, normType ("inf" for
              infinity)} or {clipValue}
        grad.0, grad.1    gradients (3, 4), (4,) before clipping (a third parameter has none)
        total_norm        the norm clip_grad_norm_ returned
        clipped.0, clipped.1   the gradients after clipping

conv/<case>.safetensors (torch.nn.functional.conv1d / conv2d)
    metadata  "op": conv1d | conv2d, "options": JSON {stride, padding, dilation} under this library's
              names (padding 'same' | 'valid' | int | [h, w]; absent keys take the defaults), "bias": true | false
    input, weight, bias (when "bias")   the operands, float32
    out, grad_out    the result and a random upstream gradient
    grad.input, grad.weight, grad.bias  d sum(out * grad_out) / d operand

layer_norm/<case>.safetensors (torch.nn.LayerNorm)
    metadata  "config": JSON {"normalizedShape", "eps", "elementwiseAffine", "dtype"}
    param.weight, param.bias   random gain and shift (when elementwiseAffine)
    input, out, grad_out, grad.input, grad.param.<key>   as for conv

peephole/<case>.safetensors (an LSTM with peephole connections, from the equations; torch has none)
    as rnn/ for mode LSTM, with "peepholes": true in the config and the parameters under this
    library's names: weight_ih, weight_hh, bias_ih, bias_hh, weight_hr (with projSize), then
    weight_ci, weight_cf, weight_co (H) per layer and direction, in that order

crf/<case>.safetensors (a linear-chain CRF, nn.CRF, from the equations; torch has none)
    metadata  "config": JSON {"tags", "lengths", "constraints": "BIO" | null}
    param.start_transitions (K), param.end_transitions (K), param.transitions (K, K)
    emissions (B, T, K), tags (B, T) I32, allowed.start / allowed.end / allowed.transitions (I32 0/1)
    nll (B), loss.sum / loss.mean / loss.tokenMean (1), grad.emissions and grad.param.<name> of
    loss.mean, viterbi.tags (B, T) I32 (-1 past each length), viterbi.score (B)

To regenerate one group alone, leaving every other file as it is:
    /usr/bin/python3 tools/generate_fixtures.py --only peephole      (or --only conv_and_norm, --only ctc, --only crf)

To add a case, add a line to OP_CASES, RNN_CASES, CELL_CASES, LOSS_CASES, CONV_CASES,
LAYER_NORM_CASES or PEEPHOLE_CASES and rerun the script.
"""
import json
import math
import os
import struct
import warnings
import zlib

import torch

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', 'packages', 'recurrent', 'test', 'fixtures')
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
    if op == 'sort':
        values, indices = torch.sort(xs[0], dim=d, descending=args['descending'], stable=True)
        return [values, indices.to(torch.int32)], 0
    if op == 'argsort':
        return [torch.sort(xs[0], dim=d, descending=args['descending'], stable=True)[1].to(torch.int32)], None
    if op == 'topk':
        values, indices = torch.topk(xs[0], args['k'], dim=d, largest=args['largest'], sorted=True)
        return [values, indices.to(torch.int32)], 0
    if op in ('cumsum', 'cumprod'):
        out = (torch.cumsum if op == 'cumsum' else torch.cumprod)(xs[0], d)
        return [out.to(xs[0].dtype)], (0 if xs[0].is_floating_point() else None)
    if op == 'masked_fill':
        return [xs[0].masked_fill(xs[1].bool(), args['value'])], 0
    if op == 'where':
        return [torch.where(xs[0].bool(), xs[1], xs[2])], 0
    if op == 'clamp':
        return [torch.clamp(xs[0], args.get('min'), args.get('max'))], 0
    if op == 'repeat':
        return [xs[0].repeat(*args['reps'])], 0
    if op == 'tile':
        return [torch.tile(xs[0], args['reps'])], 0
    if op == 'expand':
        return [xs[0].expand(*args['size'])], 0
    if op == 'flatten':
        return [torch.flatten(xs[0], args['start_dim'], args['end_dim'])], 0
    if op == 'cat':
        return [torch.cat(xs, d)], 0
    if op == 'unbind':
        return list(torch.unbind(xs[0], d)), 0
    if op == 'one_hot':
        return [torch.nn.functional.one_hot(xs[0].long(), args['num_classes']).to(torch.int32)], None
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
    # sort (stable on ties), argsort, topk
    ('sort_last', 'sort', {'dim': -1, 'descending': False}, lambda: [randn(3, 5)]),
    ('sort_dim0_descending', 'sort', {'dim': 0, 'descending': True}, lambda: [randn(4, 3, 2)]),
    ('sort_ties_stable', 'sort', {'dim': 1, 'descending': False}, lambda: [ties(3, 7)]),
    ('sort_ties_stable_descending', 'sort', {'dim': -1, 'descending': True}, lambda: [ties(2, 3, 6)]),
    ('sort_f64_middle', 'sort', {'dim': 1, 'descending': False}, lambda: [randn(2, 4, 3, dtype=F64)]),
    ('argsort_ties', 'argsort', {'dim': -1, 'descending': False}, lambda: [ties(3, 6)]),
    ('argsort_dim0_descending', 'argsort', {'dim': 0, 'descending': True}, lambda: [randn(5, 2)]),
    ('topk_largest', 'topk', {'dim': -1, 'k': 3, 'largest': True}, lambda: [randn(4, 6)]),
    ('topk_smallest_dim0', 'topk', {'dim': 0, 'k': 2, 'largest': False}, lambda: [randn(5, 3, 2)]),
    ('topk_all_middle', 'topk', {'dim': 1, 'k': 4, 'largest': True}, lambda: [randn(2, 4, 3)]),
    # cumsum, cumprod (cumprod through zeros)
    ('cumsum_last', 'cumsum', {'dim': -1}, lambda: [randn(3, 5)]),
    ('cumsum_dim0_3d', 'cumsum', {'dim': 0}, lambda: [randn(4, 2, 3)]),
    ('cumsum_int32', 'cumsum', {'dim': 1}, lambda: [index(10, 3, 4)]),
    ('cumprod_last', 'cumprod', {'dim': -1}, lambda: [randn(3, 5)]),
    ('cumprod_middle_f64', 'cumprod', {'dim': 1}, lambda: [randn(2, 4, 3, dtype=F64)]),
    ('cumprod_zeros', 'cumprod', {'dim': 1}, lambda: [ties(4, 6) - 1]),
    # masked_fill, where, clamp
    ('masked_fill_same_shape', 'masked_fill', {'value': -2.5}, lambda: [randn(3, 4), index(2, 3, 4)]),
    ('masked_fill_broadcast_mask', 'masked_fill', {'value': 0.0}, lambda: [randn(2, 3, 4), index(2, 3, 1)]),
    ('where_broadcast', 'where', {}, lambda: [index(2, 3, 1), randn(3, 4), randn(4)]),
    ('clamp_both', 'clamp', {'min': -0.5, 'max': 0.7}, lambda: [randn(4, 5)]),
    ('clamp_min_only', 'clamp', {'min': 0.1}, lambda: [randn(3, 4)]),
    ('clamp_max_only', 'clamp', {'max': -0.2}, lambda: [randn(3, 4)]),
    # repeat, tile, expand, flatten, cat, unbind
    ('repeat_2d', 'repeat', {'reps': [2, 3]}, lambda: [randn(2, 3)]),
    ('repeat_new_axes', 'repeat', {'reps': [2, 1, 2]}, lambda: [randn(2, 3)]),
    ('tile_short_reps', 'tile', {'reps': [2]}, lambda: [randn(2, 3)]),
    ('tile_long_reps', 'tile', {'reps': [3, 1, 2]}, lambda: [randn(2, 2)]),
    ('expand_new_axis', 'expand', {'size': [4, 3, -1]}, lambda: [randn(3, 1)]),
    ('flatten_middle', 'flatten', {'start_dim': 1, 'end_dim': 2}, lambda: [randn(2, 3, 4, 2)]),
    ('cat_dim1', 'cat', {'dim': 1}, lambda: [randn(2, 3), randn(2, 1), randn(2, 4)]),
    ('unbind_dim1', 'unbind', {'dim': 1}, lambda: [randn(2, 3, 4)]),
    # one_hot
    ('one_hot_inferred', 'one_hot', {'num_classes': -1}, lambda: [index(5, 3, 4)]),
    ('one_hot_classes', 'one_hot', {'num_classes': 7}, lambda: [index(4, 6)]),
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


# ---------------------------------------------------------------------------------------------
# LOSS CASES: (name, loss, options, make) where make() returns the tensors: 'input', 'target' and
# optionally 'weight', 'pos_weight'. options (PyTorch keyword names): reduction, ignore_index,
# label_smoothing. Class-index targets are int32 here and long for torch.

def classes(C, *shape, ignore=None):
    """Random class ids; with `ignore`, every third position (flattened) holds it."""
    t = torch.randint(0, C, shape)
    if ignore is not None:
        t.view(-1)[::3] = ignore
    return t.to(torch.int32)


def probs(*shape, dtype=torch.float32):
    """Class probabilities along axis 1 (axis 0 when 1-D)."""
    return torch.softmax(randn(*shape, dtype=torch.float64) * 2, 1 if len(shape) > 1 else 0).to(dtype)


def positive(*shape):
    return torch.rand(shape, dtype=torch.float64).to(torch.float32) + 0.5


def log_probs(*shape):
    return torch.log_softmax(randn(*shape, dtype=torch.float64), 1 if len(shape) > 1 else 0).to(torch.float32)


LOSS_FNS = {
    'cross_entropy': torch.nn.functional.cross_entropy,
    'nll_loss': torch.nn.functional.nll_loss,
    'mse_loss': torch.nn.functional.mse_loss,
    'l1_loss': torch.nn.functional.l1_loss,
    'bce_with_logits': torch.nn.functional.binary_cross_entropy_with_logits,
}

CE, NLL = 'cross_entropy', 'nll_loss'
LOSS_CASES = []
for r in ('mean', 'sum', 'none'):
    LOSS_CASES += [
        (f'ce_{r}', CE, {'reduction': r}, lambda: {'input': randn(6, 5), 'target': classes(5, 6)}),
        (f'ce_weight_{r}', CE, {'reduction': r},
         lambda: {'input': randn(6, 5), 'target': classes(5, 6), 'weight': positive(5)}),
        (f'ce_ignore_{r}', CE, {'reduction': r}, lambda: {'input': randn(7, 4), 'target': classes(4, 7, ignore=-100)}),
        (f'ce_weight_ignore_{r}', CE, {'reduction': r, 'ignore_index': 2},
         lambda: {'input': randn(7, 4), 'target': classes(4, 7, ignore=2), 'weight': positive(4)}),
        (f'ce_smoothing_{r}', CE, {'reduction': r, 'label_smoothing': 0.2},
         lambda: {'input': randn(6, 5), 'target': classes(5, 6)}),
        (f'ce_smoothing_weight_{r}', CE, {'reduction': r, 'label_smoothing': 0.1},
         lambda: {'input': randn(6, 5), 'target': classes(5, 6), 'weight': positive(5)}),
        (f'ce_smoothing_ignore_{r}', CE, {'reduction': r, 'label_smoothing': 0.3},
         lambda: {'input': randn(7, 4), 'target': classes(4, 7, ignore=-100)}),
        (f'ce_smoothing_weight_ignore_{r}', CE, {'reduction': r, 'label_smoothing': 0.25, 'ignore_index': 0},
         lambda: {'input': randn(7, 4), 'target': classes(4, 7, ignore=0), 'weight': positive(4)}),
        (f'ce_kdim_weight_ignore_smoothing_{r}', CE, {'reduction': r, 'label_smoothing': 0.15, 'ignore_index': -1},
         lambda: {'input': randn(2, 4, 3, 2), 'target': classes(4, 2, 3, 2, ignore=-1), 'weight': positive(4)}),
        (f'ce_prob_{r}', CE, {'reduction': r}, lambda: {'input': randn(5, 4), 'target': probs(5, 4)}),
        (f'ce_prob_smoothing_weight_{r}', CE, {'reduction': r, 'label_smoothing': 0.2},
         lambda: {'input': randn(5, 4), 'target': probs(5, 4), 'weight': positive(4)}),
        (f'nll_{r}', NLL, {'reduction': r}, lambda: {'input': log_probs(6, 5), 'target': classes(5, 6)}),
        (f'nll_weight_ignore_{r}', NLL, {'reduction': r, 'ignore_index': 3},
         lambda: {'input': log_probs(7, 4), 'target': classes(4, 7, ignore=3), 'weight': positive(4)}),
        (f'mse_{r}', 'mse_loss', {'reduction': r}, lambda: {'input': randn(3, 4, 2), 'target': randn(3, 4, 2)}),
        (f'l1_{r}', 'l1_loss', {'reduction': r}, lambda: {'input': randn(3, 5), 'target': randn(3, 5)}),
        (f'bce_{r}', 'bce_with_logits', {'reduction': r},
         lambda: {'input': randn(4, 3) * 3, 'target': torch.rand(4, 3)}),
        (f'bce_weight_posweight_{r}', 'bce_with_logits', {'reduction': r},
         lambda: {'input': randn(2, 4, 3) * 3, 'target': torch.rand(2, 4, 3),
                  'weight': positive(4, 1), 'pos_weight': positive(3)}),
    ]
LOSS_CASES += [
    # K-dimensional input (N, C, d1, d2)
    ('ce_kdim_mean', CE, {}, lambda: {'input': randn(2, 3, 4, 2), 'target': classes(3, 2, 4, 2)}),
    ('ce_kdim_ignore_none', CE, {'reduction': 'none'},
     lambda: {'input': randn(2, 3, 4, 2), 'target': classes(3, 2, 4, 2, ignore=-100)}),
    ('ce_prob_kdim_weight_none', CE, {'reduction': 'none'},
     lambda: {'input': randn(2, 3, 4, 2), 'target': probs(2, 3, 4, 2), 'weight': positive(3)}),
    ('ce_prob_kdim_smoothing_mean', CE, {'label_smoothing': 0.3},
     lambda: {'input': randn(2, 3, 2, 2), 'target': probs(2, 3, 2, 2)}),
    ('nll_kdim_weight_ignore_mean', NLL, {},
     lambda: {'input': log_probs(2, 4, 3, 2), 'target': classes(4, 2, 3, 2, ignore=-100), 'weight': positive(4)}),
    # unbatched: input (C), target () or (C)
    ('ce_unbatched_mean', CE, {}, lambda: {'input': randn(5), 'target': classes(5)}),
    ('ce_unbatched_weight_smoothing_none', CE, {'reduction': 'none', 'label_smoothing': 0.2},
     lambda: {'input': randn(5), 'target': classes(5), 'weight': positive(5)}),
    ('ce_unbatched_prob_mean', CE, {}, lambda: {'input': randn(5), 'target': probs(5)}),
    ('nll_unbatched_sum', NLL, {'reduction': 'sum'}, lambda: {'input': log_probs(4), 'target': classes(4)}),
    # every target ignored: 'mean' is NaN, the gradient zero
    ('ce_all_ignored_mean', CE, {}, lambda: {'input': randn(3, 4), 'target': torch.full((3,), -100, dtype=torch.int32)}),
    ('ce_smoothing_all_ignored_mean', CE, {'label_smoothing': 0.1},
     lambda: {'input': randn(3, 4), 'target': torch.full((3,), -100, dtype=torch.int32)}),
    # large logits (stability), float64
    ('ce_large_logits_mean', CE, {}, lambda: {'input': randn(4, 6) * 60, 'target': classes(6, 4)}),
    ('ce_f64_smoothing_weight_ignore_mean', CE, {'label_smoothing': 0.1},
     lambda: {'input': randn(6, 5, dtype=F64), 'target': classes(5, 6, ignore=-100), 'weight': positive(5).double()}),
    ('bce_large_logits_mean', 'bce_with_logits', {},
     lambda: {'input': randn(3, 4) * 60, 'target': torch.rand(3, 4)}),
    ('bce_f64_posweight_sum', 'bce_with_logits', {'reduction': 'sum'},
     lambda: {'input': randn(3, 4, dtype=F64), 'target': torch.rand(3, 4, dtype=F64), 'pos_weight': positive(4).double()}),
    ('l1_ties_mean', 'l1_loss', {}, lambda: {'input': ties(3, 4), 'target': ties(3, 4)}),
]


def make_loss_case(name, loss, options, make):
    seed_for(name)
    d = make()
    x = d['input'].requires_grad_(True)
    t = d['target']
    floating_target = t.is_floating_point()
    if floating_target:
        t.requires_grad_(True)
    kw = dict(options)
    if 'weight' in d:
        kw['weight'] = d['weight']
    if 'pos_weight' in d:
        kw['pos_weight'] = d['pos_weight']
    out = LOSS_FNS[loss](x, t if floating_target else t.long(), **kw)
    tensors = {'input': x, 'target': t}
    for key in ('weight', 'pos_weight'):
        if key in d:
            tensors[key] = d[key]
    tensors['out'] = out
    wrt = [x, t] if floating_target else [x]
    if options.get('reduction', 'mean') == 'none':
        grad_out = randn(*out.shape, dtype=out.dtype)
        tensors['grad_out'] = grad_out
        grads = torch.autograd.grad((out * grad_out).sum(), wrt)
    else:
        grads = torch.autograd.grad(out, wrt)
    tensors['grad.input'] = grads[0]
    if floating_target:
        tensors['grad.target'] = grads[1]
    meta = {'loss': loss, 'options': json.dumps(options)}
    write_safetensors(os.path.join(ROOT, 'losses', f'{name}.safetensors'), tensors, meta)


# ---------------------------------------------------------------------------------------------
# OPTIM CASES (optimizers, schedules, gradient clipping). Options are written with this library's
# camelCase names; TORCH_NAMES maps them to torch's keyword arguments.

TORCH_NAMES = {'weightDecay': 'weight_decay', 'lrDecay': 'lr_decay', 'initialAccumulatorValue': 'initial_accumulator_value',
               'stepSize': 'step_size', 'tMax': 'T_max', 'etaMin': 'eta_min', 'startFactor': 'start_factor',
               'endFactor': 'end_factor', 'totalIters': 'total_iters', 'thresholdMode': 'threshold_mode',
               'minLr': 'min_lr'}


def torch_kwargs(options):
    return {TORCH_NAMES.get(k, k): (tuple(v) if k == 'betas' else v) for k, v in options.items()}


def optim(optimizer, steps=5, dtype='float64', groups=None, **options):
    return {'optimizer': optimizer, 'steps': steps, 'dtype': dtype, 'groups': groups, 'options': options}


OPTIM_CASES = {
    # SGD
    'sgd_plain': optim('SGD', lr=0.1),
    'sgd_weight_decay': optim('SGD', lr=0.1, weightDecay=0.05),
    'sgd_maximize': optim('SGD', lr=0.05, maximize=True),
    'sgd_momentum': optim('SGD', lr=0.1, momentum=0.9),
    'sgd_momentum_dampening': optim('SGD', lr=0.1, momentum=0.9, dampening=0.5),
    'sgd_nesterov': optim('SGD', lr=0.1, momentum=0.9, nesterov=True),
    'sgd_nesterov_weight_decay': optim('SGD', lr=0.1, momentum=0.5, nesterov=True, weightDecay=0.05),
    'sgd_momentum_dampening_weight_decay_maximize': optim('SGD', lr=0.05, momentum=0.8, dampening=0.3,
                                                          weightDecay=0.1, maximize=True),
    'sgd_groups': optim('SGD', lr=0.05, groups=[{'params': [0], 'lr': 0.2, 'momentum': 0.9}, {'params': [1, 2]}]),
    'sgd_momentum_f32': optim('SGD', dtype='float32', lr=0.1, momentum=0.9),
    # Adam
    'adam_default': optim('Adam'),
    'adam_lr': optim('Adam', lr=0.05),
    'adam_betas_eps': optim('Adam', lr=0.05, betas=[0.8, 0.95], eps=0.1),
    'adam_weight_decay': optim('Adam', lr=0.05, weightDecay=0.1),
    'adam_amsgrad': optim('Adam', lr=0.1, betas=[0.9, 0.6], amsgrad=True),
    'adam_amsgrad_weight_decay_maximize': optim('Adam', lr=0.05, betas=[0.9, 0.6], amsgrad=True, weightDecay=0.1,
                                                maximize=True),
    'adam_groups': optim('Adam', lr=0.05, groups=[{'params': [0], 'lr': 0.1, 'betas': [0.5, 0.9]},
                                                 {'params': [1, 2], 'amsgrad': True, 'eps': 0.01}]),
    'adam_f32': optim('Adam', dtype='float32', lr=0.05),
    # AdamW
    'adamw_default': optim('AdamW', lr=0.05),
    'adamw_weight_decay_amsgrad': optim('AdamW', lr=0.05, weightDecay=0.3, betas=[0.9, 0.6], amsgrad=True),
    'adamw_maximize_eps': optim('AdamW', lr=0.05, maximize=True, eps=0.1),
    'adamw_f32': optim('AdamW', dtype='float32', lr=0.05, weightDecay=0.1),
    # RMSprop
    'rmsprop_default': optim('RMSprop'),
    'rmsprop_alpha_eps': optim('RMSprop', lr=0.05, alpha=0.9, eps=0.1),
    'rmsprop_weight_decay': optim('RMSprop', lr=0.02, weightDecay=0.1),
    'rmsprop_centered': optim('RMSprop', lr=0.02, centered=True),
    'rmsprop_momentum': optim('RMSprop', lr=0.02, momentum=0.9),
    'rmsprop_centered_momentum_weight_decay': optim('RMSprop', lr=0.02, alpha=0.8, centered=True, momentum=0.5,
                                                    weightDecay=0.1),
    'rmsprop_maximize': optim('RMSprop', lr=0.02, maximize=True),
    'rmsprop_f32': optim('RMSprop', dtype='float32', lr=0.02, momentum=0.5),
    # Adagrad
    'adagrad_default': optim('Adagrad'),
    'adagrad_lr_decay': optim('Adagrad', lr=0.1, lrDecay=0.1),
    'adagrad_initial_accumulator': optim('Adagrad', lr=0.1, initialAccumulatorValue=0.5),
    'adagrad_weight_decay_eps_maximize': optim('Adagrad', lr=0.1, weightDecay=0.1, eps=0.1, maximize=True),
    'adagrad_f32': optim('Adagrad', dtype='float32', lr=0.1, lrDecay=0.05),
}

TORCH_OPTIMIZERS = {'SGD': torch.optim.SGD, 'Adam': torch.optim.Adam, 'AdamW': torch.optim.AdamW,
                    'RMSprop': torch.optim.RMSprop, 'Adagrad': torch.optim.Adagrad}
OPTIM_DTYPES = {'float32': torch.float32, 'float64': torch.float64}


def optim_problem(dtype):
    """The fixed problem: loss = sum((tanh(input @ W + b) - target)^2); param.2 never gets a gradient."""
    x = randn(5, 3, dtype=dtype)
    y = randn(5, 4, dtype=dtype) * 0.5
    params = [randn(3, 4, dtype=dtype) * 0.5, randn(4, dtype=dtype) * 0.5, randn(2, dtype=dtype)]
    return x, y, [p.requires_grad_(True) for p in params]


def optim_loss(x, y, params):
    return ((torch.tanh(x @ params[0] + params[1]) - y) ** 2).sum()


def make_optim_case(name, spec):
    seed_for(name)
    dtype = OPTIM_DTYPES[spec['dtype']]
    x, y, params = optim_problem(dtype)
    tensors = {'input': x, 'target': y}
    tensors.update({f'param.{i}': p.detach().clone() for i, p in enumerate(params)})
    if spec['groups'] is None:
        groups = params
    else:
        groups = [{**torch_kwargs({k: v for k, v in g.items() if k != 'params'}),
                   'params': [params[i] for i in g['params']]} for g in spec['groups']]
    opt = TORCH_OPTIMIZERS[spec['optimizer']](groups, **torch_kwargs(spec['options']))
    for k in range(1, spec['steps'] + 1):
        opt.zero_grad(set_to_none=True)
        loss = optim_loss(x, y, params)
        loss.backward()
        opt.step()
        tensors[f'step.{k}.loss'] = loss.detach().clone()
        for i, p in enumerate(params):
            tensors[f'step.{k}.param.{i}'] = p.detach().clone()
    for index, entries in opt.state_dict()['state'].items():
        for key, value in entries.items():
            if value is None:
                continue
            if not torch.is_tensor(value) or value.dim() == 0:
                value = torch.tensor(float(value), dtype=torch.float64)
            tensors[f'state.{index}.{key}'] = value.detach().clone()
    if spec['optimizer'] in ('Adam', 'AdamW') and spec['options'].get('amsgrad'):
        # the case must reach AMSGrad's maximum: some v must have fallen below its running max
        assert any(not torch.equal(tensors[f'state.{i}.max_exp_avg_sq'], tensors[f'state.{i}.exp_avg_sq']) for i in (0, 1))
    meta = {'kind': 'optimizer', 'optimizer': spec['optimizer'], 'options': json.dumps(spec['options']),
            'steps': str(spec['steps']), 'dtype': spec['dtype']}
    if spec['groups'] is not None:
        meta['groups'] = json.dumps(spec['groups'])
    write_safetensors(os.path.join(ROOT, 'optim', f'{name}.safetensors'), tensors, meta)


def sched(scheduler, options=None, steps=15, children=None, milestones=None, metrics=None):
    return {'scheduler': scheduler, 'options': options or {}, 'steps': steps, 'children': children,
            'milestones': milestones, 'metrics': metrics}


PLATEAU_METRICS = [1.0, 0.9, 0.85, 0.85, 0.86, 0.84, 0.84, 0.9, 0.83, 0.82995, 0.8299, 0.83, 0.83, 0.83, 0.83,
                   0.7, 0.71, 0.72, 0.73, 0.74, 0.75, 0.76, 0.77, 0.78, 0.79]
ACCURACIES = [0.5, 0.6, 0.62, 0.64, 0.7, 0.71, 0.72, 0.8, 0.8, 0.8, 0.84, 0.85, 0.86, 0.9, 0.9, 0.9]

SCHEDULE_CASES = {
    'step_lr': sched('StepLR', {'stepSize': 3, 'gamma': 0.5}),
    'step_lr_default_gamma': sched('StepLR', {'stepSize': 4}),
    'exponential_lr': sched('ExponentialLR', {'gamma': 0.9}),
    'cosine_annealing_lr': sched('CosineAnnealingLR', {'tMax': 5, 'etaMin': 0.001}, steps=22),
    'cosine_annealing_lr_default': sched('CosineAnnealingLR', {'tMax': 10}),
    'linear_lr_default': sched('LinearLR'),
    'linear_lr_warmup': sched('LinearLR', {'startFactor': 0.1, 'endFactor': 0.9, 'totalIters': 4}),
    'linear_lr_decay': sched('LinearLR', {'startFactor': 1.0, 'endFactor': 0.25, 'totalIters': 6}),
    'chained_step_lr_exponential_lr': sched('chain', children=[('StepLR', {'stepSize': 3, 'gamma': 0.5}),
                                                                ('ExponentialLR', {'gamma': 0.9})]),
    'sequential_linear_exponential': sched('SequentialLR', milestones=[3], children=[
        ('LinearLR', {'startFactor': 0.1, 'totalIters': 3}), ('ExponentialLR', {'gamma': 0.9})]),
    'sequential_linear_cosine_step': sched('SequentialLR', milestones=[4, 9], steps=18, children=[
        ('LinearLR', {'startFactor': 0.25, 'totalIters': 4}), ('CosineAnnealingLR', {'tMax': 5, 'etaMin': 0.01}),
        ('StepLR', {'stepSize': 2, 'gamma': 0.5})]),
    'reduce_lr_on_plateau_default': sched('ReduceLROnPlateau', steps=37, metrics=PLATEAU_METRICS + [0.8] * 12),
    'reduce_lr_on_plateau_patience': sched('ReduceLROnPlateau', {'factor': 0.5, 'patience': 2}, steps=25,
                                           metrics=PLATEAU_METRICS),
    'reduce_lr_on_plateau_abs_cooldown': sched('ReduceLROnPlateau', {'thresholdMode': 'abs', 'threshold': 0.02,
                                                                     'patience': 1, 'cooldown': 2, 'factor': 0.3},
                                               steps=25, metrics=PLATEAU_METRICS),
    'reduce_lr_on_plateau_max_rel': sched('ReduceLROnPlateau', {'mode': 'max', 'threshold': 0.05, 'patience': 1},
                                          steps=16, metrics=ACCURACIES),
    'reduce_lr_on_plateau_max_abs_min_lr': sched('ReduceLROnPlateau', {'mode': 'max', 'thresholdMode': 'abs',
                                                                       'threshold': 0.0, 'patience': 0, 'factor': 0.2,
                                                                       'minLr': [0.01, 0.003]},
                                                 steps=16, metrics=ACCURACIES),
    'reduce_lr_on_plateau_eps': sched('ReduceLROnPlateau', {'factor': 0.5, 'patience': 0, 'eps': 0.02, 'minLr': 0.001},
                                      steps=25, metrics=PLATEAU_METRICS),
}

TORCH_SCHEDULES = {'StepLR': torch.optim.lr_scheduler.StepLR, 'ExponentialLR': torch.optim.lr_scheduler.ExponentialLR,
                   'CosineAnnealingLR': torch.optim.lr_scheduler.CosineAnnealingLR,
                   'LinearLR': torch.optim.lr_scheduler.LinearLR,
                   'ReduceLROnPlateau': torch.optim.lr_scheduler.ReduceLROnPlateau}
SCHEDULE_LRS = [0.1, 0.05]


def make_schedule_case(name, spec):
    seed_for(name)
    params = [torch.zeros(2, requires_grad=True), torch.zeros(3, requires_grad=True)]
    opt = torch.optim.SGD([{'params': [p], 'lr': lr} for p, lr in zip(params, SCHEDULE_LRS)], lr=SCHEDULE_LRS[0])
    kind = spec['scheduler']
    children = [TORCH_SCHEDULES[c](opt, **torch_kwargs(o)) for c, o in spec['children'] or []]
    if kind == 'chain':
        steppers = children
    elif kind == 'SequentialLR':
        steppers = [torch.optim.lr_scheduler.SequentialLR(opt, children, milestones=spec['milestones'])]
    else:
        steppers = [TORCH_SCHEDULES[kind](opt, **torch_kwargs(spec['options']))]
    lrs = [[g['lr'] for g in opt.param_groups]]
    with warnings.catch_warnings():
        warnings.simplefilter('ignore')
        for k in range(spec['steps']):
            opt.step()
            for s in steppers:
                if kind == 'ReduceLROnPlateau':
                    s.step(spec['metrics'][k])
                else:
                    s.step()
            lrs.append([g['lr'] for g in opt.param_groups])
    tensors = {'lr': torch.tensor(lrs, dtype=torch.float64)}
    if spec['metrics'] is not None:
        tensors['metrics'] = torch.tensor(spec['metrics'][:spec['steps']], dtype=torch.float64)
    meta = {'kind': 'schedule', 'scheduler': kind, 'options': json.dumps(spec['options']),
            'lrs': json.dumps(SCHEDULE_LRS), 'steps': str(spec['steps'])}
    if spec['children'] is not None:
        meta['children'] = json.dumps([{'scheduler': c, 'options': o} for c, o in spec['children']])
    if spec['milestones'] is not None:
        meta['milestones'] = json.dumps(spec['milestones'])
    write_safetensors(os.path.join(ROOT, 'optim', f'{name}.safetensors'), tensors, meta)


CLIP_CASES = {
    'clip_grad_norm_2': {'maxNorm': 1.0, 'normType': 2},
    'clip_grad_norm_1': {'maxNorm': 2.0, 'normType': 1},
    'clip_grad_norm_inf': {'maxNorm': 0.5, 'normType': 'inf'},
    'clip_grad_norm_3': {'maxNorm': 1.5, 'normType': 3},
    'clip_grad_norm_half': {'maxNorm': 10.0, 'normType': 0.5},
    'clip_grad_norm_no_clip': {'maxNorm': 100.0, 'normType': 2},
    'clip_grad_value': {'clipValue': 0.5},
}


def make_clip_case(name, options):
    seed_for(name)
    params = [torch.zeros(3, 4, dtype=torch.float64), torch.zeros(4, dtype=torch.float64),
              torch.zeros(2, dtype=torch.float64)]
    grads = [randn(3, 4, dtype=torch.float64) * 2, randn(4, dtype=torch.float64) * 2]
    for p, g in zip(params, grads):
        p.grad = g.clone()
    tensors = {f'grad.{i}': g for i, g in enumerate(grads)}
    if 'clipValue' in options:
        kind = 'clip_grad_value'
        torch.nn.utils.clip_grad_value_(params, options['clipValue'])
    else:
        kind = 'clip_grad_norm'
        norm_type = float('inf') if options['normType'] == 'inf' else options['normType']
        tensors['total_norm'] = torch.nn.utils.clip_grad_norm_(params, options['maxNorm'], norm_type).to(torch.float64)
    for i in range(len(grads)):
        tensors[f'clipped.{i}'] = params[i].grad.clone()
    write_safetensors(os.path.join(ROOT, 'optim', f'{name}.safetensors'), tensors,
                      {'kind': kind, 'options': json.dumps(options)})

# ---------------------------------------------------------------------------------------------
# CONV CASES: name -> (op, options, shapes). options use this library's names (stride, padding,
# dilation; padding 'same', 'valid', an int or [h, w]); shapes: input, weight, bias (None: no bias).

def conv(op, x, w, bias=True, **options):
    return {'op': op, 'input': x, 'weight': w, 'bias': bias, 'options': options}


CONV_CASES = {
    'conv1d_basic': conv('conv1d', (2, 3, 7), (4, 3, 3)),
    'conv1d_stride2': conv('conv1d', (2, 2, 8), (3, 2, 3), stride=2),
    'conv1d_padding1': conv('conv1d', (2, 3, 5), (2, 3, 3), padding=1),
    'conv1d_valid_nobias': conv('conv1d', (1, 2, 6), (3, 2, 2), bias=False, padding='valid'),
    'conv1d_same_k3': conv('conv1d', (2, 2, 6), (3, 2, 3), padding='same'),
    'conv1d_same_k4_even': conv('conv1d', (2, 2, 7), (2, 2, 4), padding='same'),
    'conv1d_same_k2_dilation3': conv('conv1d', (1, 3, 8), (2, 3, 2), padding='same', dilation=3),
    'conv1d_same_k3_dilation2_nobias': conv('conv1d', (2, 2, 7), (2, 2, 3), bias=False, padding='same', dilation=2),
    'conv1d_stride3_padding2_dilation2': conv('conv1d', (2, 2, 9), (3, 2, 3), stride=3, padding=2, dilation=2),
    'conv1d_unbatched': conv('conv1d', (3, 6), (2, 3, 3), padding=1),
    'conv2d_basic': conv('conv2d', (2, 3, 5, 4), (4, 3, 3, 2)),
    'conv2d_stride_2_1': conv('conv2d', (2, 2, 6, 5), (3, 2, 3, 3), stride=[2, 1]),
    'conv2d_padding_1_2': conv('conv2d', (1, 2, 4, 3), (2, 2, 3, 3), padding=[1, 2]),
    'conv2d_same_3x3': conv('conv2d', (2, 2, 5, 4), (3, 2, 3, 3), padding='same'),
    'conv2d_same_2x4_even': conv('conv2d', (2, 2, 5, 6), (2, 2, 2, 4), padding='same'),
    'conv2d_same_dilation_2_1_nobias': conv('conv2d', (1, 3, 6, 5), (2, 3, 2, 3), bias=False, padding='same', dilation=[2, 1]),
    'conv2d_stride2_padding1_dilation2': conv('conv2d', (2, 2, 7, 6), (3, 2, 3, 2), stride=2, padding=1, dilation=2),
    'conv2d_valid_nobias': conv('conv2d', (2, 1, 4, 4), (2, 1, 2, 2), bias=False, padding='valid'),
    'conv2d_unbatched_same': conv('conv2d', (2, 4, 3), (3, 2, 2, 2), padding='same'),
    'conv2d_1x1': conv('conv2d', (2, 4, 3, 3), (5, 4, 1, 1)),
}


def make_conv_case(name, spec):
    seed_for(name)
    fn = torch.nn.functional.conv1d if spec['op'] == 'conv1d' else torch.nn.functional.conv2d
    x = randn(*spec['input']).requires_grad_(True)
    w = randn(*spec['weight']).requires_grad_(True)
    b = randn(spec['weight'][0]).requires_grad_(True) if spec['bias'] else None
    o = spec['options']
    padding = o.get('padding', 'valid')
    with warnings.catch_warnings():  # torch warns that even kernels with 'same' copy the input
        warnings.simplefilter('ignore')
        out = fn(x, w, b, stride=o.get('stride', 1), padding=tuple(padding) if isinstance(padding, list) else padding,
                 dilation=o.get('dilation', 1))
    grad_out = randn(*out.shape)
    wrt = [x, w] + ([b] if b is not None else [])
    grads = torch.autograd.grad((out * grad_out).sum(), wrt)
    tensors = {'input': x, 'weight': w}
    if b is not None:
        tensors['bias'] = b
    tensors['out'] = out
    tensors['grad_out'] = grad_out
    tensors['grad.input'] = grads[0]
    tensors['grad.weight'] = grads[1]
    if b is not None:
        tensors['grad.bias'] = grads[2]
    meta = {'op': spec['op'], 'options': json.dumps(o), 'bias': json.dumps(spec['bias'])}
    write_safetensors(os.path.join(ROOT, 'conv', f'{name}.safetensors'), tensors, meta)


# ---------------------------------------------------------------------------------------------
# LAYER NORM CASES: name -> torch.nn.LayerNorm config and input shape.

def layer_norm(shape, normalized_shape, eps=1e-5, affine=True, dtype='float32'):
    return {'shape': shape, 'normalizedShape': normalized_shape, 'eps': eps, 'elementwiseAffine': affine, 'dtype': dtype}


LAYER_NORM_CASES = {
    'layer_norm_last': layer_norm((2, 3, 5), [5]),
    'layer_norm_last_two': layer_norm((2, 3, 4), [3, 4]),
    'layer_norm_all': layer_norm((3, 4), [3, 4], eps=1e-3),
    'layer_norm_no_affine': layer_norm((4, 6), [6], affine=False),
    'layer_norm_f64': layer_norm((2, 2, 3), [2, 3], eps=1e-6, dtype='float64'),
}


def make_layer_norm_case(name, spec):
    seed_for(name)
    dtype = F64 if spec['dtype'] == 'float64' else torch.float32
    module = torch.nn.LayerNorm(spec['normalizedShape'], eps=spec['eps'], elementwise_affine=spec['elementwiseAffine'])
    module = module.to(dtype)
    if spec['elementwiseAffine']:
        with torch.no_grad():  # away from the ones/zeros initialisation, so a wrong weight or bias shows
            module.weight.copy_(randn(*module.weight.shape, dtype=dtype))
            module.bias.copy_(randn(*module.bias.shape, dtype=dtype))
    x = (randn(*spec['shape'], dtype=dtype) * 2 + 0.5).requires_grad_(True)
    out = module(x)
    grad_out = randn(*out.shape, dtype=dtype)
    params = dict(module.named_parameters())
    grads = iter(torch.autograd.grad((out * grad_out).sum(), [x] + list(params.values())))
    tensors = {f'param.{k}': v for k, v in params.items()}
    tensors['input'] = x
    tensors['out'] = out
    tensors['grad_out'] = grad_out
    tensors['grad.input'] = next(grads)
    for k in params:
        tensors[f'grad.param.{k}'] = next(grads)
    config = {k: spec[k] for k in ('normalizedShape', 'eps', 'elementwiseAffine', 'dtype')}
    write_safetensors(os.path.join(ROOT, 'layer_norm', f'{name}.safetensors'), tensors, {'config': json.dumps(config)})


def make_conv_and_norm_cases():
    clear(os.path.join(ROOT, 'conv'))
    for name, spec in CONV_CASES.items():
        make_conv_case(name, spec)
    clear(os.path.join(ROOT, 'layer_norm'))
    for name, spec in LAYER_NORM_CASES.items():
        make_layer_norm_case(name, spec)
    print(f'wrote {len(CONV_CASES)} conv and {len(LAYER_NORM_CASES)} layer norm fixtures under {os.path.normpath(ROOT)}')


# ---------------------------------------------------------------------------------------------
# ATTENTION CASES (nn.BahdanauAttention, nn.LuongAttention, nn.ScaledDotProductAttention). PyTorch
# has no such modules, so the equations are written out here, in float64, independently of the
# library's formulation (Luong concat builds [q; k_s]; the masked softmax divides by the sum over
# real keys). Run only these with:
#   cd tools && /usr/bin/python3 -c 'import generate_fixtures as g; g.make_attention_cases()'
#
# attention/<case>.safetensors, every tensor float64 holding float32-representable inputs and
# parameters (so a float32 run sees the same numbers)
#     metadata  "config": JSON {"module": the class name, "options": its constructor options,
#               "query": "2d" (N, Dq) | "3d" (N, Tq, Dq), "mask": "none" | "lengths" | "mask",
#               "lengths": [...] (when "lengths")}
#     param.<key>       the state dict, e.g. param.query_proj.weight
#     query, keys, values
#     mask              I32 (N, S), 1 at real keys (when "mask" is "mask"); rows may be all 0
#     context, weights  the outputs; weights is exactly 0 at padding keys, a row without real keys all 0
#     grad_context, grad_weights   random upstream gradients
#     grad.query, grad.keys, grad.values, grad.param.<key>
#               gradients of sum(context * grad_context) + sum(weights * grad_weights)

ATTENTION_SIZES = {'N': 3, 'Tq': 4, 'S': 5, 'Dq': 4, 'Dk': 6, 'Dv': 3, 'A': 5}
ATTENTION_LENGTHS = [5, 0, 2]
ATTENTION_MASK = [[1, 0, 1, 1, 0], [0, 0, 0, 0, 0], [0, 1, 1, 0, 1]]
ATTENTION_VARIANTS = {
    'bahdanau': ('BahdanauAttention', {'queryDim': 4, 'keyDim': 6, 'attentionDim': 5}),
    'bahdanau_nobias': ('BahdanauAttention', {'queryDim': 4, 'keyDim': 6, 'attentionDim': 5, 'bias': False}),
    'luong_dot': ('LuongAttention', {'score': 'dot'}),
    'luong_general': ('LuongAttention', {'score': 'general', 'queryDim': 4, 'keyDim': 6}),
    'luong_concat': ('LuongAttention', {'score': 'concat', 'queryDim': 4, 'keyDim': 6, 'attentionDim': 5}),
    'scaled_dot': ('ScaledDotProductAttention', {}),
    'scaled_dot_scale': ('ScaledDotProductAttention', {'scale': 0.75}),
}
ATTENTION_CASES = {f'{v}_{q}_{m}': (v, q, m) for v in ATTENTION_VARIANTS for q in ('2d', '3d') for m in ('none', 'lengths', 'mask')
                   if not (v in ('bahdanau_nobias', 'scaled_dot_scale') and (q, m) != ('3d', 'mask'))}


def f32_randn(*shape, scale=1.0):
    """float64 values that float32 represents exactly."""
    return (torch.randn(shape, dtype=F64) * scale).to(torch.float32).to(F64)


def attention_params(module, options, dk):
    s = ATTENTION_SIZES
    if module == 'BahdanauAttention':
        p = {'query_proj.weight': f32_randn(s['A'], s['Dq'], scale=0.5)}
        if options.get('bias', True):
            p['query_proj.bias'] = f32_randn(s['A'], scale=0.5)
        p['key_proj.weight'] = f32_randn(s['A'], dk, scale=0.5)
        p['v.weight'] = f32_randn(1, s['A'], scale=0.5)
        return p
    if options.get('score') == 'general':
        return {'key_proj.weight': f32_randn(s['Dq'], dk, scale=0.5)}
    if options.get('score') == 'concat':
        return {'proj.weight': f32_randn(s['A'], s['Dq'] + dk, scale=0.5), 'v.weight': f32_randn(1, s['A'], scale=0.5)}
    return {}


def attention_scores(module, options, p, q, k):
    """q (N, Tq, Dq), k (N, S, Dk) -> scores (N, Tq, S), straight from the equations."""
    n, tq, s = q.shape[0], q.shape[1], k.shape[1]
    if module == 'BahdanauAttention':
        wq = torch.einsum('ad,ntd->nta', p['query_proj.weight'], q)
        if 'query_proj.bias' in p:
            wq = wq + p['query_proj.bias']
        wk = torch.einsum('ad,nsd->nsa', p['key_proj.weight'], k)
        return torch.einsum('a,ntsa->nts', p['v.weight'][0], torch.tanh(wq[:, :, None, :] + wk[:, None, :, :]))
    if module == 'ScaledDotProductAttention':
        return torch.einsum('ntd,nsd->nts', q, k) * options.get('scale', 1 / math.sqrt(k.shape[2]))
    score = options['score']
    if score == 'dot':
        return torch.einsum('ntd,nsd->nts', q, k)
    if score == 'general':
        return torch.einsum('ntd,de,nse->nts', q, p['key_proj.weight'], k)
    both = torch.cat([q[:, :, None, :].expand(n, tq, s, q.shape[2]), k[:, None, :, :].expand(n, tq, s, k.shape[2])], dim=-1)
    return torch.einsum('a,ntsa->nts', p['v.weight'][0], torch.tanh(torch.einsum('ae,ntse->ntsa', p['proj.weight'], both)))


def attention_masked_softmax(scores, valid):
    """softmax over the real keys (valid: (N, S) bool); all-zero for a row without real keys."""
    if valid is None:
        return torch.softmax(scores, dim=-1)
    v = valid[:, None, :]
    top = scores.masked_fill(~v, float('-inf')).amax(dim=-1, keepdim=True).detach()
    top = torch.where(torch.isfinite(top), top, torch.zeros_like(top))
    e = torch.exp(scores.masked_fill(~v, 0) - top) * v
    total = e.sum(dim=-1, keepdim=True)
    return e / torch.where(total > 0, total, torch.ones_like(total))


def make_attention_case(name, variant, query_kind, mask_kind):
    seed_for(name)
    module, options = ATTENTION_VARIANTS[variant]
    s = ATTENTION_SIZES
    square = module == 'ScaledDotProductAttention' or options.get('score') == 'dot'
    dk = s['Dq'] if square else s['Dk']
    params = {k: v.requires_grad_(True) for k, v in attention_params(module, options, dk).items()}
    q = f32_randn(*((s['N'], s['Dq']) if query_kind == '2d' else (s['N'], s['Tq'], s['Dq']))).requires_grad_(True)
    k = f32_randn(s['N'], s['S'], dk).requires_grad_(True)
    v = f32_randn(s['N'], s['S'], s['Dv']).requires_grad_(True)
    valid = None
    if mask_kind == 'lengths':
        valid = torch.arange(s['S'])[None, :] < torch.tensor(ATTENTION_LENGTHS)[:, None]
    elif mask_kind == 'mask':
        valid = torch.tensor(ATTENTION_MASK, dtype=torch.bool)
    steps = q[:, None, :] if query_kind == '2d' else q
    weights = attention_masked_softmax(attention_scores(module, options, params, steps, k), valid)
    context = weights @ v
    if query_kind == '2d':
        weights, context = weights[:, 0], context[:, 0]
    grad_context = f32_randn(*context.shape)
    grad_weights = f32_randn(*weights.shape)
    loss = (context * grad_context).sum() + (weights * grad_weights).sum()
    grads = iter(torch.autograd.grad(loss, [q, k, v] + list(params.values())))
    tensors = {f'param.{key}': value for key, value in params.items()}
    tensors.update({'query': q, 'keys': k, 'values': v})
    if mask_kind == 'mask':
        tensors['mask'] = valid.to(torch.int32)
    tensors.update({'context': context, 'weights': weights, 'grad_context': grad_context, 'grad_weights': grad_weights})
    for key in ('query', 'keys', 'values'):
        tensors[f'grad.{key}'] = next(grads)
    for key in params:
        tensors[f'grad.param.{key}'] = next(grads)
    config = {'module': module, 'options': options, 'query': query_kind, 'mask': mask_kind}
    if mask_kind == 'lengths':
        config['lengths'] = ATTENTION_LENGTHS
    write_safetensors(os.path.join(ROOT, 'attention', f'{name}.safetensors'), tensors, {'config': json.dumps(config)})


def make_attention_cases():
    torch.set_num_threads(1)
    clear(os.path.join(ROOT, 'attention'))
    for name, (variant, query_kind, mask_kind) in ATTENTION_CASES.items():
        make_attention_case(name, variant, query_kind, mask_kind)
    print(f'wrote {len(ATTENTION_CASES)} attention fixtures under {os.path.normpath(os.path.join(ROOT, "attention"))}')


# ---------------------------------------------------------------------------------------------
# PEEPHOLE CASES: an LSTM with diagonal peephole connections (Gers & Schmidhuber 2000; Graves 2013,
# "Generating sequences with recurrent neural networks", eq. 7-11), which torch.nn.LSTM does not
# have, written out below from the equations. Per layer and direction, gates stacked (i, f, g, o):
#     i_t = sigmoid(W_ii x_t + b_ii + W_hi h_{t-1} + b_hi + w_ci * c_{t-1})
#     f_t = sigmoid(W_if x_t + b_if + W_hf h_{t-1} + b_hf + w_cf * c_{t-1})
#     g_t = tanh(W_ig x_t + b_ig + W_hg h_{t-1} + b_hg)
#     c_t = f_t * c_{t-1} + i_t * g_t
#     o_t = sigmoid(W_io x_t + b_io + W_ho h_{t-1} + b_ho + w_co * c_t)     (the NEW cell state)
#     h_t = o_t * tanh(c_t), or W_hr (o_t * tanh(c_t)) with a projection
# Config keys as for RNN_CASES (mode is always LSTM); the files add "peepholes": true to the config.

PEEPHOLE_CASES = {
    'peephole_l1_h0': rnn('LSTM', withH0=True, T=6, B=3),
    'peephole_l1_batchfirst_nobias': rnn('LSTM', batchFirst=True, bias=False, inputSize=4, hiddenSize=5),
    'peephole_l2_bi_packed_unsorted_h0': rnn('LSTM', numLayers=2, bidirectional=True, input='packed',
                                             lengths=[3, 6, 1], enforceSorted=False, T=6, B=3, withH0=True),
    'peephole_l2_proj_h0': rnn('LSTM', numLayers=2, projSize=2, withH0=True, hiddenSize=5, T=4),
    'peephole_l2_bi_proj_batchfirst_packed_sorted': rnn(
        'LSTM', numLayers=2, bidirectional=True, projSize=3, batchFirst=True, input='packed', lengths=[5, 4, 2],
        enforceSorted=True, T=5, B=3, hiddenSize=4),
    'peephole_l1_unbatched_h0': rnn('LSTM', input='unbatched', withH0=True, T=4),
}

PEEPHOLE_GATES = ('ci', 'cf', 'co')


def peephole_params(c):
    """The parameters under the library's names, in its registration order, all U(-1/sqrt(H), 1/sqrt(H))."""
    H = c['hiddenSize']
    out_size = c['projSize'] or H
    D = 2 if c['bidirectional'] else 1
    bound = 1 / H ** 0.5
    uniform = lambda *shape: (torch.rand(shape) * 2 - 1) * bound
    params = {}
    for layer in range(c['numLayers']):
        layer_input = c['inputSize'] if layer == 0 else D * out_size
        for d in range(D):
            sfx = f'_l{layer}' + ('_reverse' if d == 1 else '')
            params[f'weight_ih{sfx}'] = uniform(4 * H, layer_input)
            params[f'weight_hh{sfx}'] = uniform(4 * H, out_size)
            if c['bias']:
                params[f'bias_ih{sfx}'] = uniform(4 * H)
                params[f'bias_hh{sfx}'] = uniform(4 * H)
            if c['projSize']:
                params[f'weight_hr{sfx}'] = uniform(out_size, H)
            for gate in PEEPHOLE_GATES:
                params[f'weight_{gate}{sfx}'] = uniform(H)
    return {k: v.requires_grad_(True) for k, v in params.items()}


def peephole_lstm(c, params, x, lengths, h0, c0):
    """The peephole equations over a time-major (T, B, I) input; sequence b is valid for t < lengths[b].
    Past its length a sequence's state stays put and its output is zero, so the reverse direction
    starts at its own last valid step. h0 (D*layers, B, H_out), c0 (D*layers, B, H).
    Returns output (T, B, D*H_out), h_n, c_n."""
    T, B = x.shape[0], x.shape[1]
    H = c['hiddenSize']
    D = 2 if c['bidirectional'] else 1
    valid = (torch.arange(T).unsqueeze(1) < torch.tensor(lengths).unsqueeze(0)).to(x.dtype).unsqueeze(2)  # (T, B, 1)
    layer_input = x
    h_n, c_n = [], []
    for layer in range(c['numLayers']):
        outs = []
        for d in range(D):
            sfx = f'_l{layer}' + ('_reverse' if d == 1 else '')
            p = lambda name: params.get(f'{name}{sfx}')
            w_ih, w_hh, b_ih, b_hh, w_hr = p('weight_ih'), p('weight_hh'), p('bias_ih'), p('bias_hh'), p('weight_hr')
            w_ci, w_cf, w_co = p('weight_ci'), p('weight_cf'), p('weight_co')
            h, cell = h0[layer * D + d], c0[layer * D + d]
            out = [None] * T
            for t in (range(T - 1, -1, -1) if d == 1 else range(T)):
                pre = layer_input[t] @ w_ih.t() + h @ w_hh.t()
                if b_ih is not None:
                    pre = pre + b_ih + b_hh
                pi, pf, pg, po = pre.split(H, dim=1)
                i = torch.sigmoid(pi + w_ci * cell)
                f = torch.sigmoid(pf + w_cf * cell)
                g = torch.tanh(pg)
                c_new = f * cell + i * g
                o = torch.sigmoid(po + w_co * c_new)
                h_new = o * torch.tanh(c_new)
                if w_hr is not None:
                    h_new = h_new @ w_hr.t()
                m = valid[t]
                h = m * h_new + (1 - m) * h
                cell = m * c_new + (1 - m) * cell
                out[t] = m * h_new
            outs.append(torch.stack(out))
            h_n.append(h)
            c_n.append(cell)
        layer_input = torch.cat(outs, dim=2)
    return layer_input, torch.stack(h_n), torch.stack(c_n)


def check_peephole_oracle(c, params, x, lengths, h0, c0):
    """With the peephole weights at zero the equations are torch.nn.LSTM's: checks the oracle's
    layout, directions, projection and variable lengths against torch on the same weights."""
    kwargs = dict(input_size=c['inputSize'], hidden_size=c['hiddenSize'], num_layers=c['numLayers'], bias=c['bias'],
                  bidirectional=c['bidirectional'], proj_size=c['projSize'])
    module = torch.nn.LSTM(**kwargs)
    peephole_names = tuple(f'weight_{g}' for g in PEEPHOLE_GATES)
    zeroed = {k: torch.zeros_like(v) if k.startswith(peephole_names) else v.detach() for k, v in params.items()}
    module.load_state_dict({k: v for k, v in zeroed.items() if not k.startswith(peephole_names)})
    with torch.no_grad():
        packed = torch.nn.utils.rnn.pack_padded_sequence(x, torch.tensor(lengths), enforce_sorted=False)
        want, (want_h, want_c) = module(packed, (h0, c0))
        want, _ = torch.nn.utils.rnn.pad_packed_sequence(want, total_length=x.shape[0])
        got, got_h, got_c = peephole_lstm(c, zeroed, x, lengths, h0, c0)
    for label, a, b in (('output', got, want), ('h_n', got_h, want_h), ('c_n', got_c, want_c)):
        assert torch.allclose(a, b, atol=1e-6, rtol=1e-6), f'peephole oracle with zero peepholes != torch.nn.LSTM ({label})'


def make_peephole_case(name, spec):
    seed_for(name)
    c = {**RNN_DEFAULTS, **spec}
    T, B = c['T'], c['B']
    D = 2 if c['bidirectional'] else 1
    out_size = c['projSize'] or c['hiddenSize']
    unbatched = c['input'] == 'unbatched'
    packed = c['input'] == 'packed'
    params = peephole_params(c)

    batch = 1 if unbatched else B
    lengths = c['lengths'] if packed else [T] * batch
    assert len(lengths) == batch and max(lengths) == T
    steps_valid = (torch.arange(T).unsqueeze(1) < torch.tensor(lengths).unsqueeze(0)).unsqueeze(2)  # (T, batch, 1)
    x_tm = torch.randn(T, batch, c['inputSize']) * steps_valid  # time-major, zero past each length
    h_shape, c_shape = (D * c['numLayers'], batch, out_size), (D * c['numLayers'], batch, c['hiddenSize'])
    h0_tm = torch.randn(*h_shape) if c['withH0'] else torch.zeros(*h_shape)
    c0_tm = torch.randn(*c_shape) if c['withH0'] else torch.zeros(*c_shape)
    check_peephole_oracle(c, params, x_tm, lengths, h0_tm, c0_tm)

    # The leaves in the layout the module reads; the oracle runs on time-major views of them.
    if unbatched:
        x = x_tm[:, 0].clone().requires_grad_(True)
        h0 = h0_tm[:, 0].clone().requires_grad_(True) if c['withH0'] else None
        c0 = c0_tm[:, 0].clone().requires_grad_(True) if c['withH0'] else None
        to_tm = lambda t: t.unsqueeze(1)
    else:
        x = (x_tm.transpose(0, 1) if c['batchFirst'] else x_tm).clone().requires_grad_(True)
        h0 = h0_tm.clone().requires_grad_(True) if c['withH0'] else None
        c0 = c0_tm.clone().requires_grad_(True) if c['withH0'] else None
        to_tm = lambda t: t
    feed = to_tm(x) if unbatched else (x.transpose(0, 1) if c['batchFirst'] else x)
    out_tm, h_n, c_n = peephole_lstm(c, params, feed, lengths, h0_tm if h0 is None else to_tm(h0),
                                     c0_tm if c0 is None else to_tm(c0))
    if unbatched:
        out, h_n, c_n = out_tm[:, 0], h_n[:, 0], c_n[:, 0]
    else:
        out = out_tm.transpose(0, 1) if c['batchFirst'] else out_tm

    valid = steps_valid[:, 0] if unbatched else (steps_valid.transpose(0, 1) if c['batchFirst'] else steps_valid)
    grad_output = torch.randn(*out.shape) * valid  # zero at padded steps
    grad_h_n = torch.randn(*h_n.shape)
    grad_c_n = torch.randn(*c_n.shape)
    loss = (out * grad_output).sum() + (h_n * grad_h_n).sum() + (c_n * grad_c_n).sum()
    wrt = [x] + [t for t in (h0, c0) if t is not None] + list(params.values())
    grads = iter(torch.autograd.grad(loss, wrt))

    tensors = {f'param.{k}': v for k, v in params.items()}
    tensors['input'] = x
    if h0 is not None:
        tensors['h0'] = h0
        tensors['c0'] = c0
    tensors['output'] = out
    tensors['h_n'] = h_n
    tensors['c_n'] = c_n
    tensors['grad_output'] = grad_output
    tensors['grad_h_n'] = grad_h_n
    tensors['grad_c_n'] = grad_c_n
    tensors['grad.input'] = next(grads)
    if h0 is not None:
        tensors['grad.h0'] = next(grads)
        tensors['grad.c0'] = next(grads)
    for k in params:
        tensors[f'grad.param.{k}'] = next(grads)

    config = {'mode': 'LSTM'}
    for key in ('inputSize', 'hiddenSize', 'numLayers', 'bias', 'batchFirst', 'bidirectional', 'projSize', 'input'):
        config[key] = c[key]
    if packed:
        config['lengths'] = c['lengths']
        config['enforceSorted'] = c['enforceSorted']
    config['withH0'] = c['withH0']
    config['peepholes'] = True
    write_safetensors(os.path.join(ROOT, 'peephole', f'{name}.safetensors'), tensors, {'config': json.dumps(config)})


def make_peephole_cases():
    clear(os.path.join(ROOT, 'peephole'))
    for name, spec in PEEPHOLE_CASES.items():
        make_peephole_case(name, spec)
    print(f'wrote {len(PEEPHOLE_CASES)} peephole LSTM fixtures under {os.path.normpath(os.path.join(ROOT, "peephole"))}')


# ---------------------------------------------------------------------------------------------
# ENCODER AND BRIDGE: nn.Encoder (embedding with padding id 0, then PyTorch's recurrent layer
# over pack_padded_sequence(enforce_sorted=False) input, padded back to S) and nn.Bridge (each
# layer's directions concatenated, the top L_dec layers kept, h0 = tanh(W_h s + b_h), c0 = W_c s
# + b_c, or copied). Written in float64 from float32-representable parameters and inputs:
#   seq2seq/<case>.safetensors: param.encoder.*, param.bridge.*, source (N, S) int32, memory,
#   states.<i>, bridge.<i>, their upstream gradients grad_memory, grad_bridge.<i>, and
#   grad.param.* for every parameter.
SEQ2SEQ_CASES = {
    'lstm_bidirectional_linear': {'cell': 'lstm', 'vocab': 11, 'emb': 5, 'hidden': 4, 'layers': 2, 'bidirectional': True,
                                  'bridge': 'linear', 'decHidden': 6, 'decLayers': 1, 'decStates': 2},
    'gru_copy_to_lstm': {'cell': 'gru', 'vocab': 9, 'emb': 3, 'hidden': 6, 'layers': 1, 'bidirectional': False,
                         'bridge': 'copy', 'decHidden': 6, 'decLayers': 1, 'decStates': 2},
    'gru_bidirectional_linear_to_lstm': {'cell': 'gru', 'vocab': 9, 'emb': 4, 'hidden': 3, 'layers': 2, 'bidirectional': True,
                                         'bridge': 'linear', 'decHidden': 5, 'decLayers': 2, 'decStates': 2},
}
SEQ2SEQ_LENGTHS = [3, 5, 1, 4]


def make_seq2seq_case(name, c):
    seed_for(name)
    F64 = torch.float64
    N, S = len(SEQ2SEQ_LENGTHS), max(SEQ2SEQ_LENGTHS)
    rnn_class = {'lstm': torch.nn.LSTM, 'gru': torch.nn.GRU}[c['cell']]
    rnn = rnn_class(c['emb'], c['hidden'], num_layers=c['layers'], bidirectional=c['bidirectional'], batch_first=True)
    params = {'encoder.embedding.weight': torch.randn(c['vocab'], c['emb'])}
    params['encoder.embedding.weight'][0] = 0
    for key, value in rnn.named_parameters():
        params[f'encoder.rnn.{key}'] = value.detach()
    D = 2 if c['bidirectional'] else 1
    width = D * c['hidden']
    if c['bridge'] == 'linear':
        for kind in ('h', 'c')[:c['decStates']]:
            lin = torch.nn.Linear(width, c['decHidden'])
            params[f'bridge.{kind}_proj.weight'] = lin.weight.detach()
            params[f'bridge.{kind}_proj.bias'] = lin.bias.detach()
    params = {k: v.to(torch.float32).to(F64).requires_grad_(True) for k, v in params.items()}
    rnn = rnn.to(F64)
    with torch.no_grad():
        for key, value in rnn.named_parameters():
            value.copy_(params[f'encoder.rnn.{key}'])
    # the module's own tensors are replaced by the fixture's leaves, so gradients reach them
    for key in [k for k, _ in rnn.named_parameters()]:
        delattr(rnn, key)
        setattr(rnn, key, params[f'encoder.rnn.{key}'])
    rnn._flat_weights = [getattr(rnn, n) for n in rnn._flat_weights_names]
    source = torch.randint(1, c['vocab'], (N, S))
    for n, length in enumerate(SEQ2SEQ_LENGTHS):
        source[n, length:] = 0
    embedded = params['encoder.embedding.weight'][source]
    packed = torch.nn.utils.rnn.pack_padded_sequence(embedded, torch.tensor(SEQ2SEQ_LENGTHS), batch_first=True, enforce_sorted=False)
    out, states = rnn(packed)
    memory, _ = torch.nn.utils.rnn.pad_packed_sequence(out, batch_first=True, total_length=S)
    states = list(states) if isinstance(states, tuple) else [states]
    L, Ld = c['layers'], c['decLayers']
    merged = [s.reshape(L, D, N, c['hidden']).permute(0, 2, 1, 3).reshape(L, N, width)[L - Ld:] for s in states]
    bridged = []
    for i in range(c['decStates']):
        if c['bridge'] == 'copy':
            bridged.append(merged[i] if i < len(merged) else torch.zeros(Ld, N, c['decHidden'], dtype=F64))
        else:
            kind = 'hc'[i]
            x = merged[i] if i < len(merged) else merged[0]
            y = x @ params[f'bridge.{kind}_proj.weight'].T + params[f'bridge.{kind}_proj.bias']
            bridged.append(torch.tanh(y) if i == 0 else y)
    grad_memory = f32_randn(*memory.shape)
    grad_bridge = [f32_randn(*b.shape) for b in bridged]
    loss = (memory * grad_memory).sum() + sum((b * g).sum() for b, g in zip(bridged, grad_bridge))
    grads = torch.autograd.grad(loss, list(params.values()))
    tensors = {f'param.{k}': v for k, v in params.items()}
    tensors['source'] = source.to(torch.int32)
    tensors.update({'memory': memory, 'grad_memory': grad_memory})
    for i, s in enumerate(states):
        tensors[f'states.{i}'] = s
    for i, (b, g) in enumerate(zip(bridged, grad_bridge)):
        tensors[f'bridge.{i}'] = b
        tensors[f'grad_bridge.{i}'] = g
    for k, g in zip(params, grads):
        tensors[f'grad.param.{k}'] = g
    config = dict(c, lengths=SEQ2SEQ_LENGTHS)
    write_safetensors(os.path.join(ROOT, 'seq2seq', f'{name}.safetensors'), tensors, {'config': json.dumps(config)})


def make_seq2seq_cases():
    torch.set_num_threads(1)
    clear(os.path.join(ROOT, 'seq2seq'))
    for name, c in SEQ2SEQ_CASES.items():
        make_seq2seq_case(name, c)
    print(f'wrote {len(SEQ2SEQ_CASES)} encoder and bridge fixtures under {os.path.normpath(os.path.join(ROOT, "seq2seq"))}')


# ---------------------------------------------------------------------------------------------
# SEQ2SEQ MODELS: nn.Seq2Seq end to end under teacher forcing — the encoder and bridge as above,
# then nn.Decoder written out from its documented equations with torch's own cell functions
# (torch.lstm_cell / gru_cell / rnn_tanh_cell per step; torch.nn.LSTM / GRU over the whole target
# in the fused Luong form without input feeding), the attention scores of the attention fixtures:
#     Luong:     x_t = [e_t; h~_{t-1}] (input feeding) or e_t;  h_t = rnn(x_t);  c_t = attend(h_t)
#     Bahdanau:  c_t = attend(h_{t-1});  x_t = [e_t; c_t];  h_t = rnn(x_t)
#     both:      h~_t = tanh(W_c [c_t; h_t]);  logits_t = W_o h~_t + b_o;   none: logits_t = W_o h_t + b_o
# with h~_{-1} = 0 and h_{-1} the bridged top layer. Loss: cross-entropy with label smoothing 0.1
# ignoring padding (id 0), plus sum(logits * grad_logits). Written in float64 from float32 values:
#   seq2seq_model/<case>.safetensors: param.<key> (our state-dict names), source, target_in,
#   target_out (int32), logits, attention, loss, grad_logits, grad.param.<key>.
SEQ2SEQ_MODEL_CASES = {
    'luong_general_feed_lstm': {'cell': 'lstm', 'layers': 2, 'decLayers': 2, 'bidirectional': True, 'bridge': 'linear',
                                'style': 'luong', 'attention': 'general', 'feed': True},
    'luong_dot_fused_gru': {'cell': 'gru', 'layers': 1, 'decLayers': 1, 'bidirectional': False, 'bridge': 'copy',
                            'style': 'luong', 'attention': 'dot', 'feed': False},
    'luong_concat_fused_lstm': {'cell': 'lstm', 'layers': 2, 'decLayers': 2, 'bidirectional': True, 'bridge': 'linear',
                                'style': 'luong', 'attention': 'concat', 'feed': False},
    'luong_scaled_feed_rnn': {'cell': 'rnn', 'layers': 1, 'decLayers': 1, 'bidirectional': False, 'bridge': 'copy',
                              'style': 'luong', 'attention': 'scaled-dot', 'feed': True},
    'bahdanau_lstm': {'cell': 'lstm', 'layers': 1, 'decLayers': 1, 'bidirectional': True, 'bridge': 'linear',
                      'style': 'bahdanau', 'attention': 'bahdanau', 'feed': False},
    'bahdanau_general_gru2': {'cell': 'gru', 'layers': 2, 'decLayers': 2, 'bidirectional': True, 'bridge': 'linear',
                              'style': 'bahdanau', 'attention': 'general', 'feed': False},
    'none_lstm': {'cell': 'lstm', 'layers': 1, 'decLayers': 1, 'bidirectional': True, 'bridge': 'linear',
                  'style': 'luong', 'attention': 'none', 'feed': False},
}
SEQ2SEQ_MODEL_SIZES = {'srcVocab': 11, 'tgtVocab': 9, 'emb': 5, 'hidden': 4, 'attentionDim': 3}
SEQ2SEQ_TARGET_LENGTHS = [4, 2, 5, 1]  # with BOS / EOS: targetIn = BOS + reference, targetOut = reference + EOS
TORCH_CELLS = {'lstm': torch.nn.LSTM, 'gru': torch.nn.GRU, 'rnn': torch.nn.RNN}
CELL_STEPS = {'lstm': torch.lstm_cell, 'gru': torch.gru_cell, 'rnn': torch.rnn_tanh_cell}
ATTENTION_MODULES = {'bahdanau': ('BahdanauAttention', {}), 'dot': ('LuongAttention', {'score': 'dot'}),
                     'general': ('LuongAttention', {'score': 'general'}), 'concat': ('LuongAttention', {'score': 'concat'}),
                     'scaled-dot': ('ScaledDotProductAttention', {})}


def leaf_rnn(rnn, params, prefix):
    """`rnn` computing with the fixture's leaves params[prefix + name], so gradients reach them."""
    rnn = rnn.to(F64)
    for key in [k for k, _ in rnn.named_parameters()]:
        delattr(rnn, key)
        setattr(rnn, key, params[prefix + key])
    rnn._flat_weights = [getattr(rnn, n) for n in rnn._flat_weights_names]
    return rnn


def make_seq2seq_model_case(name, c):
    seed_for(name)
    z = SEQ2SEQ_MODEL_SIZES
    N, S = len(SEQ2SEQ_LENGTHS), max(SEQ2SEQ_LENGTHS)
    H, E, A, V = z['hidden'], z['emb'], z['attentionDim'], z['tgtVocab']
    D = 2 if c['bidirectional'] else 1
    M = D * H
    style, kind, feed, cell = c['style'], c['attention'], c['feed'], c['cell']
    Ld, L = c['decLayers'], c['layers']
    states_per_layer = 2 if cell == 'lstm' else 1
    # Parameters, in our state-dict order, as float32-representable float64 leaves.
    params = {'encoder.embedding.weight': torch.randn(z['srcVocab'], E)}
    params['encoder.embedding.weight'][0] = 0
    enc = TORCH_CELLS[cell](E, H, num_layers=L, bidirectional=c['bidirectional'], batch_first=True)
    for key, value in enc.named_parameters():
        params[f'encoder.rnn.{key}'] = value.detach()
    if c['bridge'] == 'linear':
        for k in ('h', 'c')[:states_per_layer]:
            lin = torch.nn.Linear(M, H)
            params[f'bridge.{k}_proj.weight'] = lin.weight.detach()
            params[f'bridge.{k}_proj.bias'] = lin.bias.detach()
    params['decoder.embedding.weight'] = torch.randn(V, E)
    params['decoder.embedding.weight'][0] = 0
    fed = 0 if kind == 'none' else (M if style == 'bahdanau' else (H if feed else 0))
    dec = TORCH_CELLS[cell](E + fed, H, num_layers=Ld, batch_first=True)
    for key, value in dec.named_parameters():
        params[f'decoder.rnn.{key}'] = value.detach()
    if kind != 'none':
        if kind == 'bahdanau':
            params['decoder.attention.query_proj.weight'] = torch.nn.Linear(H, A).weight.detach()
            params['decoder.attention.query_proj.bias'] = torch.nn.Linear(H, A).bias.detach()
            params['decoder.attention.key_proj.weight'] = torch.nn.Linear(M, A, bias=False).weight.detach()
            params['decoder.attention.v.weight'] = torch.nn.Linear(A, 1, bias=False).weight.detach()
        elif kind == 'general':
            params['decoder.attention.key_proj.weight'] = torch.nn.Linear(M, H, bias=False).weight.detach()
        elif kind == 'concat':
            params['decoder.attention.proj.weight'] = torch.nn.Linear(H + M, A, bias=False).weight.detach()
            params['decoder.attention.v.weight'] = torch.nn.Linear(A, 1, bias=False).weight.detach()
        params['decoder.combine.weight'] = torch.nn.Linear(M + H, H, bias=False).weight.detach()
    out = torch.nn.Linear(H, V)
    params['decoder.out.weight'] = out.weight.detach()
    params['decoder.out.bias'] = out.bias.detach()
    params = {k: v.to(torch.float32).to(F64).requires_grad_(True) for k, v in params.items()}

    # Inputs: sources padded with 0; targets of SEQ2SEQ_TARGET_LENGTHS tokens in [3, V), BOS 1, EOS 2.
    source = torch.randint(1, z['srcVocab'], (N, S))
    for n, length in enumerate(SEQ2SEQ_LENGTHS):
        source[n, length:] = 0
    T = max(SEQ2SEQ_TARGET_LENGTHS) + 1
    target_in = torch.zeros(N, T, dtype=torch.long)
    target_out = torch.zeros(N, T, dtype=torch.long)
    for n, length in enumerate(SEQ2SEQ_TARGET_LENGTHS):
        y = torch.randint(3, V, (length,))
        target_in[n, 0] = 1
        target_in[n, 1:length + 1] = y
        target_out[n, :length] = y
        target_out[n, length] = 2

    # Encoder and bridge.
    enc = leaf_rnn(enc, params, 'encoder.rnn.')
    embedded = torch.nn.functional.embedding(source, params['encoder.embedding.weight'], padding_idx=0)
    packed = torch.nn.utils.rnn.pack_padded_sequence(embedded, torch.tensor(SEQ2SEQ_LENGTHS), batch_first=True, enforce_sorted=False)
    enc_out, enc_states = enc(packed)
    memory, _ = torch.nn.utils.rnn.pad_packed_sequence(enc_out, batch_first=True, total_length=S)
    enc_states = list(enc_states) if isinstance(enc_states, tuple) else [enc_states]
    merged = [st.reshape(L, D, N, H).permute(0, 2, 1, 3).reshape(L, N, M)[L - Ld:] for st in enc_states]
    bridged = []
    for i in range(states_per_layer):
        if c['bridge'] == 'copy':
            bridged.append(merged[i])
        else:
            k = 'hc'[i]
            y = merged[i] @ params[f'bridge.{k}_proj.weight'].T + params[f'bridge.{k}_proj.bias']
            bridged.append(torch.tanh(y) if i == 0 else y)

    # Decoder.
    valid = torch.arange(S)[None, :] < torch.tensor(SEQ2SEQ_LENGTHS)[:, None]
    attention_params_ = {k[len('decoder.attention.'):]: v for k, v in params.items() if k.startswith('decoder.attention.')}

    def attend(q):  # q (N, Tq, H) -> context (N, Tq, M), weights (N, Tq, S)
        module, options = ATTENTION_MODULES[kind]
        w = attention_masked_softmax(attention_scores(module, options, attention_params_, q, memory), valid)
        return w @ memory, w

    def readout(context, h):
        return torch.tanh(torch.cat([context, h], dim=-1) @ params['decoder.combine.weight'].T)

    e = torch.nn.functional.embedding(target_in, params['decoder.embedding.weight'], padding_idx=0)  # row 0 gets no gradient
    Wo, bo = params['decoder.out.weight'], params['decoder.out.bias']
    if kind == 'none' or (style == 'luong' and not feed):
        dec = leaf_rnn(dec, params, 'decoder.rnn.')
        hx = (bridged[0], bridged[1]) if cell == 'lstm' else bridged[0]
        h_all, _ = dec(e, hx)
        if kind == 'none':
            logits, weights = h_all @ Wo.T + bo, None
        else:
            context, weights = attend(h_all)
            logits = readout(context, h_all) @ Wo.T + bo
    else:
        layer_states = [[b[l] for b in bridged] for l in range(Ld)]
        prev_h = bridged[0][Ld - 1]
        fed_h = torch.zeros(N, H, dtype=F64)
        steps_logits, steps_weights = [], []
        for t in range(T):
            if style == 'bahdanau':
                context, w = attend(prev_h[:, None, :])
                x = torch.cat([e[:, t], context[:, 0]], dim=-1)
            else:
                x = torch.cat([e[:, t], fed_h], dim=-1)
            for l in range(Ld):
                p = lambda n: params[f'decoder.rnn.{n}_l{l}']
                st = layer_states[l]
                if cell == 'lstm':
                    h, cc = torch.lstm_cell(x, (st[0], st[1]), p('weight_ih'), p('weight_hh'), p('bias_ih'), p('bias_hh'))
                    layer_states[l] = [h, cc]
                else:
                    h = CELL_STEPS[cell](x, st[0], p('weight_ih'), p('weight_hh'), p('bias_ih'), p('bias_hh'))
                    layer_states[l] = [h]
                x = h
            if style == 'luong':
                context, w = attend(h[:, None, :])
            attentional = readout(context[:, 0], h)
            fed_h, prev_h = attentional, h
            steps_logits.append(attentional @ Wo.T + bo)
            steps_weights.append(w[:, 0])
        logits, weights = torch.stack(steps_logits, 1), torch.stack(steps_weights, 1)

    loss = torch.nn.functional.cross_entropy(logits.reshape(-1, V), target_out.reshape(-1), ignore_index=0, label_smoothing=0.1)
    grad_logits = f32_randn(*logits.shape)
    total = loss + (logits * grad_logits).sum()
    grads = torch.autograd.grad(total, list(params.values()))
    tensors = {f'param.{k}': v for k, v in params.items()}
    tensors.update({'source': source.to(torch.int32), 'target_in': target_in.to(torch.int32), 'target_out': target_out.to(torch.int32)})
    tensors.update({'logits': logits, 'loss': loss.reshape(1), 'grad_logits': grad_logits})
    if weights is not None:
        tensors['attention'] = weights
    for k, g in zip(params, grads):
        tensors[f'grad.param.{k}'] = g
    config = dict(c, lengths=SEQ2SEQ_LENGTHS, **z)
    write_safetensors(os.path.join(ROOT, 'seq2seq_model', f'{name}.safetensors'), tensors, {'config': json.dumps(config)})


def make_seq2seq_model_cases():
    torch.set_num_threads(1)
    clear(os.path.join(ROOT, 'seq2seq_model'))
    for name, c in SEQ2SEQ_MODEL_CASES.items():
        make_seq2seq_model_case(name, c)
    print(f'wrote {len(SEQ2SEQ_MODEL_CASES)} seq2seq model fixtures under {os.path.normpath(os.path.join(ROOT, "seq2seq_model"))}')


# ---------------------------------------------------------------------------------------------
# CTC: torch.nn.functional.ctc_loss on log_softmax(logits, 2). Run only these with:
#     /usr/bin/python3 tools/generate_fixtures.py --only ctc
#   ctc/<case>.safetensors: metadata "options" (JSON {blank, reduction, zeroInfinity, unbatched,
#   concatenated}); logits (T, N, C) (or (T, C) unbatched), log_probs = log_softmax(logits, -1),
#   targets int32 (N, S) padded, or 1-D concatenated, input_lengths and target_lengths int32 (N),
#   out (the loss), grad_out (a random upstream gradient, for reduction 'none'), grad.log_probs
#   (PyTorch's gradient with respect to log_probs: it includes an exp(log_probs) term that
#   log_softmax's backward cancels) and grad.logits (the gradient with respect to the logits).
CTC_CASES = {
    # name: (T, N, C, targets (lists), input_lengths, options, dtype)
    'mean_padded': (12, 3, 6, [[1, 2, 3, 4], [5, 1], [2, 2, 3]], [12, 10, 7], {}, 'float64'),
    'sum_repeated_labels': (10, 3, 4, [[1, 1, 2], [3, 3, 3], [2, 1, 2, 1]], [10, 9, 10], {'reduction': 'sum'}, 'float64'),
    'none_blank_last': (9, 2, 5, [[0, 1, 1, 3], [2, 0]], [9, 6], {'blank': 4, 'reduction': 'none'}, 'float64'),
    'none_blank_middle': (8, 2, 5, [[0, 4, 4], [1]], [8, 8], {'blank': 2, 'reduction': 'none'}, 'float64'),
    'concatenated_mean': (11, 3, 7, [[1, 2], [3, 4, 5, 6], [6]], [11, 8, 5], {'concatenated': True}, 'float64'),
    'empty_target': (6, 2, 4, [[], [1, 2]], [6, 4], {'reduction': 'none'}, 'float64'),
    'impossible_none': (6, 3, 4, [[1, 2, 3], [1, 1, 1], [2, 3]], [2, 4, 6], {'reduction': 'none'}, 'float64'),
    'impossible_zero_infinity_none': (6, 3, 4, [[1, 2, 3], [1, 1, 1], [2, 3]], [2, 4, 6], {'reduction': 'none', 'zeroInfinity': True}, 'float64'),
    'impossible_zero_infinity_mean': (6, 3, 4, [[1, 2, 3], [1, 1, 1], [2, 3]], [2, 5, 6], {'zeroInfinity': True}, 'float64'),
    'unbatched_none': (7, 1, 5, [[3, 1, 3]], [7], {'reduction': 'none', 'unbatched': True}, 'float64'),
    'float32_mean': (30, 4, 11, [[1, 2, 3, 4, 5], [10, 10], [7, 8, 9], [1]], [30, 25, 12, 3], {}, 'float32'),
}


def make_ctc_case(name, spec):
    seed_for(name)
    T, N, C, target_lists, input_lengths, options, dtype = spec
    dtype = {'float32': torch.float32, 'float64': torch.float64}[dtype]
    unbatched = options.get('unbatched', False)
    concatenated = options.get('concatenated', False)
    shape = (T, C) if unbatched else (T, N, C)
    logits = torch.randn(shape, dtype=torch.float64).to(dtype).requires_grad_(True)
    log_probs = logits.log_softmax(-1)
    log_probs.retain_grad()
    target_lengths = [len(t) for t in target_lists]
    S = max(max(target_lengths), 1)
    if concatenated:
        targets = torch.tensor([c for t in target_lists for c in t], dtype=torch.long)
    else:
        targets = torch.zeros(N, S, dtype=torch.long)
        for n, t in enumerate(target_lists):
            targets[n, :len(t)] = torch.tensor(t, dtype=torch.long)
            # padding that is not read: a label that is in range but not the blank
            targets[n, len(t):] = (options.get('blank', 0) + 1) % C
        if unbatched:
            targets = targets[0]
    kwargs = {'blank': options.get('blank', 0), 'reduction': options.get('reduction', 'mean'),
              'zero_infinity': options.get('zeroInfinity', False)}
    il = torch.tensor(input_lengths[0]) if unbatched else torch.tensor(input_lengths)
    tl = torch.tensor(target_lengths[0]) if unbatched else torch.tensor(target_lengths)
    out = torch.nn.functional.ctc_loss(log_probs, targets, il, tl, **kwargs)
    tensors = {}
    if kwargs['reduction'] == 'none':
        grad_out = torch.randn(out.shape, dtype=torch.float64).to(dtype)
        (out * grad_out).sum().backward()
        tensors['grad_out'] = grad_out
    else:
        out.backward()
    tensors.update({'logits': logits.detach(), 'log_probs': log_probs.detach(), 'targets': targets.to(torch.int32),
                    'input_lengths': torch.tensor(input_lengths, dtype=torch.int32),
                    'target_lengths': torch.tensor(target_lengths, dtype=torch.int32),
                    'out': out.detach(), 'grad.log_probs': log_probs.grad, 'grad.logits': logits.grad})
    write_safetensors(os.path.join(ROOT, 'ctc', f'{name}.safetensors'), tensors, {'options': json.dumps(options)})


def make_ctc_cases():
    torch.set_num_threads(1)
    clear(os.path.join(ROOT, 'ctc'))
    for name, spec in CTC_CASES.items():
        make_ctc_case(name, spec)
    print(f'wrote {len(CTC_CASES)} CTC fixtures under {os.path.normpath(os.path.join(ROOT, "ctc"))}')


# CRF CASES: nn.CRF (a linear-chain CRF with pytorch-crf's parameters; PyTorch has no CRF module),
# its documented equations written out in PyTorch in float64. Run only these with:
#     /usr/bin/python3 tools/generate_fixtures.py --only crf
#
# name -> tags (a BIO tag set when `bio`, else K plain tags), lengths (B; the longest is T), bio.

CRF_DISALLOWED_SCORE = -10000.0

CRF_CASES = {
    'k3_single_step': {'tags': ['A', 'B', 'C'], 'lengths': [1], 'bio': False},
    'k3_unequal': {'tags': ['A', 'B', 'C'], 'lengths': [3, 1], 'bio': False},
    'k4_unequal': {'tags': ['A', 'B', 'C', 'D'], 'lengths': [5, 1, 3], 'bio': False},
    'k5_equal': {'tags': ['A', 'B', 'C', 'D', 'E'], 'lengths': [4, 4], 'bio': False},
    'bio3_unequal': {'tags': ['O', 'B-PER', 'I-PER'], 'lengths': [4, 2, 1], 'bio': True},
    'bio5_unequal': {'tags': ['O', 'B-PER', 'I-PER', 'B-LOC', 'I-LOC'], 'lengths': [6, 3], 'bio': True},
    'bio5_single': {'tags': ['O', 'B-PER', 'I-PER', 'B-LOC', 'I-LOC'], 'lengths': [5], 'bio': True},
}


def crf_bio_mask(tags):
    """nn.allowedTransitions(tags, 'BIO'): start with O or B-X; I-X only after B-X or I-X; any tag may end."""
    K = len(tags)
    start = torch.tensor([not t.startswith('I-') for t in tags])
    end = torch.ones(K, dtype=torch.bool)
    trans = torch.ones(K, K, dtype=torch.bool)
    for i, a in enumerate(tags):
        for j, b in enumerate(tags):
            if b.startswith('I-'):
                trans[i, j] = a != 'O' and a[2:] == b[2:]
    return start, end, trans


def crf_log_partition(emissions, lengths, start, end, trans):
    """log Z (B) by the forward algorithm; a step past a sequence's length keeps its alpha."""
    B, T, K = emissions.shape
    alpha = start + emissions[:, 0]
    for t in range(1, T):
        nxt = torch.logsumexp(alpha[:, :, None] + trans, dim=1) + emissions[:, t]
        live = (torch.tensor(lengths) > t)[:, None]
        alpha = torch.where(live, nxt, alpha)
    return torch.logsumexp(alpha + end, dim=1)


def crf_gold_score(emissions, tags, lengths, start, end, trans):
    """score(x, y) (B) over each sequence's real steps."""
    out = []
    for b, L in enumerate(lengths):
        y = tags[b, :L].long()
        s = start[y[0]] + emissions[b, torch.arange(L), y].sum() + end[y[L - 1]]
        if L > 1:
            s = s + trans[y[:-1], y[1:]].sum()
        out.append(s)
    return torch.stack(out)


def crf_viterbi(emissions, lengths, start, end, trans):
    """The best path of each sequence (ties to the lower tag id: torch.max returns the first) and its score."""
    paths, scores = [], []
    for b, L in enumerate(lengths):
        alpha = start + emissions[b, 0]
        back = []
        for t in range(1, L):
            best, arg = (alpha[:, None] + trans).max(dim=0)
            alpha = best + emissions[b, t]
            back.append(arg)
        score, tag = (alpha + end).max(dim=0)
        path = [int(tag)]
        for arg in reversed(back):
            path.append(int(arg[path[-1]]))
        paths.append(path[::-1])
        scores.append(float(score))
    return paths, scores


def check_crf_oracle(emissions, lengths, start, end, trans, log_z, paths):
    """log Z and the Viterbi path against an enumeration of every tag sequence (K^L of them)."""
    import itertools
    K = emissions.shape[2]
    with torch.no_grad():
        for b, L in enumerate(lengths):
            seqs = torch.tensor(list(itertools.product(range(K), repeat=L)))
            s = start[seqs[:, 0]] + end[seqs[:, -1]] + emissions[b, torch.arange(L)[None, :], seqs].sum(1)
            if L > 1:
                s = s + trans[seqs[:, :-1], seqs[:, 1:]].sum(1)
            assert abs(float(torch.logsumexp(s, 0) - log_z[b])) < 1e-9, 'CRF: forward algorithm disagrees with enumeration'
            assert seqs[int(s.argmax())].tolist() == paths[b], 'CRF: Viterbi disagrees with enumeration'


def make_crf_case(name, c):
    seed_for(name)
    tag_names, lengths, bio = c['tags'], c['lengths'], c['bio']
    K, B, T = len(tag_names), len(lengths), max(lengths)
    f32 = lambda *shape, scale=1.0: (torch.randn(shape, dtype=torch.float64) * scale).to(torch.float32).to(F64)
    params = {'start_transitions': f32(K, scale=0.5), 'end_transitions': f32(K, scale=0.5), 'transitions': f32(K, K, scale=0.5)}
    params = {k: v.requires_grad_(True) for k, v in params.items()}
    emissions = f32(B, T, K).requires_grad_(True)
    if bio:
        ok_start, ok_end, ok_trans = crf_bio_mask(tag_names)
    else:
        ok_start, ok_end, ok_trans = torch.ones(K, dtype=torch.bool), torch.ones(K, dtype=torch.bool), torch.ones(K, K, dtype=torch.bool)
    # Gold tags: allowed paths under the mask; padding holds arbitrary ids, which the CRF must ignore.
    tags = torch.randint(0, K, (B, T))
    for b, L in enumerate(lengths):
        for t in range(L):
            while not (bool(ok_start[tags[b, t]]) if t == 0 else bool(ok_trans[tags[b, t - 1], tags[b, t]])):
                tags[b, t] = torch.randint(0, K, ())
    penalty = lambda ok: torch.where(ok, 0.0, CRF_DISALLOWED_SCORE).to(F64)
    start = params['start_transitions'] + penalty(ok_start)
    end = params['end_transitions'] + penalty(ok_end)
    trans = params['transitions'] + penalty(ok_trans)

    nll = crf_log_partition(emissions, lengths, start, end, trans) - crf_gold_score(emissions, tags, lengths, start, end, trans)
    losses = {'none': nll, 'sum': nll.sum(), 'mean': nll.sum() / B, 'tokenMean': nll.sum() / sum(lengths)}
    leaves = [emissions] + list(params.values())
    # A one-step batch never uses the transitions: their gradient is zero.
    grads = torch.autograd.grad(losses['mean'], leaves, allow_unused=True)
    grads = [torch.zeros_like(x) if g is None else g for x, g in zip(leaves, grads)]

    # Decoding: disallowed moves are -inf there.
    ninf = lambda ok, v: torch.where(ok, v, torch.tensor(-math.inf, dtype=F64))
    with torch.no_grad():
        paths, scores = crf_viterbi(emissions, lengths, ninf(ok_start, params['start_transitions']),
                                    ninf(ok_end, params['end_transitions']), ninf(ok_trans, params['transitions']))
    check_crf_oracle(emissions, lengths, start, end, trans, crf_log_partition(emissions, lengths, start, end, trans), paths)
    viterbi = torch.full((B, T), -1, dtype=torch.int32)
    for b, p in enumerate(paths):
        viterbi[b, :len(p)] = torch.tensor(p, dtype=torch.int32)

    tensors = {f'param.{k}': v for k, v in params.items()}
    tensors.update({'emissions': emissions, 'tags': tags.to(torch.int32)})
    tensors.update({'allowed.start': ok_start.to(torch.int32), 'allowed.end': ok_end.to(torch.int32), 'allowed.transitions': ok_trans.to(torch.int32)})
    tensors['nll'] = nll
    for k in ('sum', 'mean', 'tokenMean'):
        tensors[f'loss.{k}'] = losses[k].reshape(1)
    tensors['grad.emissions'] = grads[0]
    for k, g in zip(params, grads[1:]):
        tensors[f'grad.param.{k}'] = g
    tensors['viterbi.tags'] = viterbi
    tensors['viterbi.score'] = torch.tensor(scores, dtype=F64)
    config = {'tags': tag_names, 'lengths': lengths, 'constraints': 'BIO' if bio else None}
    write_safetensors(os.path.join(ROOT, 'crf', f'{name}.safetensors'), tensors, {'config': json.dumps(config)})


def make_crf_cases():
    torch.set_num_threads(1)
    clear(os.path.join(ROOT, 'crf'))
    for name, c in CRF_CASES.items():
        make_crf_case(name, c)
    print(f'wrote {len(CRF_CASES)} CRF fixtures under {os.path.normpath(os.path.join(ROOT, "crf"))}')


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
    clear(os.path.join(ROOT, 'losses'))
    for name, op, args, inputs in OP_CASES:
        make_op_case(name, op, args, inputs)
    for name, spec in RNN_CASES.items():
        make_rnn_case(name, spec)
    for name, spec in CELL_CASES.items():
        make_cell_case(name, spec)
    for name, loss, options, make in LOSS_CASES:
        make_loss_case(name, loss, options, make)
    clear(os.path.join(ROOT, 'optim'))
    for name, spec in OPTIM_CASES.items():
        make_optim_case(name, spec)
    for name, spec in SCHEDULE_CASES.items():
        make_schedule_case(name, spec)
    for name, options in CLIP_CASES.items():
        make_clip_case(name, options)
    print(f'wrote {len(OPTIM_CASES)} optimizer, {len(SCHEDULE_CASES)} schedule and {len(CLIP_CASES)} clipping fixtures '
          f'under {os.path.normpath(os.path.join(ROOT, "optim"))}')
    print(f'wrote {len(OP_CASES)} op, {len(RNN_CASES)} rnn, {len(CELL_CASES)} cell and {len(LOSS_CASES)} loss fixtures '
          f'under {os.path.normpath(ROOT)}')
    make_conv_and_norm_cases()
    make_attention_cases()
    make_peephole_cases()
    make_seq2seq_cases()
    make_seq2seq_model_cases()
    make_ctc_cases()
    make_crf_cases()


# Groups that can be regenerated alone (--only NAME), leaving every other fixture as it is.
GROUPS = {'seq2seq': make_seq2seq_cases, 'seq2seq_model': make_seq2seq_model_cases, 'peephole': make_peephole_cases, 'attention': make_attention_cases, 'conv_and_norm': make_conv_and_norm_cases, 'ctc': make_ctc_cases, 'crf': make_crf_cases}

if __name__ == '__main__':
    import argparse
    parser = argparse.ArgumentParser(description='Writes the PyTorch reference fixtures.')
    parser.add_argument('--only', choices=sorted(GROUPS), help='regenerate one group of fixtures only')
    only = parser.parse_args().only
    if only is None:
        main()
    else:
        torch.set_num_threads(1)
        GROUPS[only]()
