#!/usr/bin/env python3
"""Writes ONNX models exported by PyTorch's own torch.onnx.export, with inputs and PyTorch's
outputs, for the import tests (packages/recurrent/test/io/onnx/torch_import.test.ts).

Run:  /usr/bin/python3 tools/generate_onnx_fixtures.py      (needs torch 1.13; CPU is enough)
It rewrites packages/recurrent/test/fixtures/onnx/<case>.onnx and <case>.safetensors. Each case
seeds torch from a hash of its name, so one case's change leaves the others' files unchanged.

<case>.onnx          the model, as torch.onnx.export writes it, with dynamic batch and time axes
<case>.safetensors   metadata "config": JSON {"opset", "inputs": [names], "outputs": [names]};
                     in.<name>   each input (float32, or int32 token ids: the graph reads int64
                                 ids, which the importer takes as int32)
                     out.<name>  PyTorch's output for those inputs
"""
import hashlib
import io
import json
import struct
import sys
import warnings
from pathlib import Path

import torch
from torch import nn

OUT = Path(__file__).resolve().parent.parent / "packages" / "recurrent" / "test" / "fixtures" / "onnx"
DTYPES = {torch.float32: "F32", torch.int32: "I32"}


def write_safetensors(path, tensors, metadata):
    header = {"__metadata__": metadata}
    body = b""
    for name, t in tensors.items():
        raw = t.contiguous().numpy().tobytes()
        header[name] = {"dtype": DTYPES[t.dtype], "shape": list(t.shape), "data_offsets": [len(body), len(body) + len(raw)]}
        body += raw
    text = json.dumps(header).encode()
    text += b" " * (-len(text) % 8)
    path.write_bytes(struct.pack("<Q", len(text)) + text + body)


def seed_for(name):
    torch.manual_seed(int(hashlib.sha256(name.encode()).hexdigest()[:8], 16))


class Recurrent(nn.Module):
    """A recurrent layer whose forward returns (output, hn[, cn]) as separate outputs."""

    def __init__(self, layer, states):
        super().__init__()
        self.layer = layer
        self.states = states

    def forward(self, x, *states):
        if not states:
            out, s = self.layer(x)
        elif isinstance(self.layer, nn.LSTM):
            out, s = self.layer(x, (states[0], states[1]))
        else:
            out, s = self.layer(x, states[0])
        return (out, *s) if isinstance(s, tuple) else (out, s)


class CharModel(nn.Module):
    """Embedding, a recurrent layer, a linear decoder: the shape of nn.LanguageModel."""

    def __init__(self, cell, vocab=11, emb=4, hidden=5, layers=2):
        super().__init__()
        self.embedding = nn.Embedding(vocab, emb)
        self.rnn = getattr(nn, cell)(emb, hidden, num_layers=layers)
        self.decoder = nn.Linear(hidden, vocab)

    def forward(self, ids):
        out, _ = self.rnn(self.embedding(ids))
        return self.decoder(out)


class Classifier(nn.Module):
    """Batch-first ids → embedding → bidirectional GRU → last step → MLP → log-probabilities."""

    def __init__(self):
        super().__init__()
        self.embedding = nn.Embedding(9, 4)
        self.gru = nn.GRU(4, 3, batch_first=True, bidirectional=True)
        self.head = nn.Sequential(nn.Linear(6, 5), nn.ReLU(), nn.Dropout(0.5), nn.Linear(5, 3), nn.LogSoftmax(dim=-1))

    def forward(self, ids):
        out, _ = self.gru(self.embedding(ids))
        return self.head(out[:, -1])


class Tagger(nn.Module):
    """Batch-first features → LSTM → LayerNorm → GELU → Linear → softmax per step."""

    def __init__(self):
        super().__init__()
        self.lstm = nn.LSTM(3, 4, batch_first=True)
        self.norm = nn.LayerNorm(4)
        self.act = nn.GELU()
        self.out = nn.Linear(4, 2)

    def forward(self, x):
        out, _ = self.lstm(x)
        return torch.softmax(self.out(self.act(self.norm(out))), dim=-1)


def recurrent(kind, states=False, batch_first=False, **kw):
    def make():
        layer = getattr(nn, kind)(batch_first=batch_first, **kw)
        T, N, I = 5, 3, kw["input_size"]
        x = torch.randn(N, T, I) if batch_first else torch.randn(T, N, I)
        D = 2 if kw.get("bidirectional") else 1
        L = kw.get("num_layers", 1)
        H = kw["hidden_size"]
        inputs = {"input": x}
        if states:
            inputs["h0"] = torch.randn(D * L, N, H)
            if kind == "LSTM":
                inputs["c0"] = torch.randn(D * L, N, H)
        outputs = ["output", "hn"] + (["cn"] if kind == "LSTM" else [])
        batch_axis, time_axis = (0, 1) if batch_first else (1, 0)
        axes = {"input": {batch_axis: "batch", time_axis: "time"}, "output": {batch_axis: "batch", time_axis: "time"}}
        for name in ["h0", "c0", "hn", "cn"]:
            axes[name] = {1: "batch"}
        return Recurrent(layer, states), inputs, outputs, axes

    return make


def model(factory, inputs, axes):
    def make():
        m = factory()
        return m, {k: v() for k, v in inputs.items()}, ["output"], axes

    return make


ids_axes_tb = {"input": {0: "time", 1: "batch"}, "output": {0: "time", 1: "batch"}}
ids_axes_bt = {"input": {0: "batch", 1: "time"}, "output": {0: "batch"}}

CASES = {
    "lstm_l1": (14, recurrent("LSTM", input_size=3, hidden_size=4)),
    "lstm_l2_bi_batchfirst_states": (14, recurrent("LSTM", states=True, batch_first=True, input_size=3, hidden_size=4, num_layers=2, bidirectional=True)),
    "lstm_l1_nobias_states": (14, recurrent("LSTM", states=True, input_size=2, hidden_size=3, bias=False)),
    "gru_l1": (14, recurrent("GRU", input_size=3, hidden_size=4)),
    "gru_l2_bi_states": (14, recurrent("GRU", states=True, input_size=3, hidden_size=4, num_layers=2, bidirectional=True)),
    "gru_l3_batchfirst": (14, recurrent("GRU", batch_first=True, input_size=2, hidden_size=3, num_layers=3)),
    "rnn_tanh_l2_bi": (14, recurrent("RNN", input_size=3, hidden_size=4, num_layers=2, bidirectional=True)),
    "rnn_relu_l1_batchfirst_states": (14, recurrent("RNN", states=True, batch_first=True, input_size=3, hidden_size=4, nonlinearity="relu")),
    "rnn_tanh_l1_nobias": (14, recurrent("RNN", input_size=3, hidden_size=4, bias=False)),
    "char_lstm": (14, model(lambda: CharModel("LSTM"), {"input": lambda: torch.randint(0, 11, (6, 2))}, ids_axes_tb)),
    "char_gru": (14, model(lambda: CharModel("GRU"), {"input": lambda: torch.randint(0, 11, (6, 2))}, ids_axes_tb)),
    "classifier_bigru": (14, model(Classifier, {"input": lambda: torch.randint(0, 9, (3, 7))}, ids_axes_bt)),
    "tagger_lstm_layernorm_opset17": (17, model(Tagger, {"input": lambda: torch.randn(2, 6, 3)}, {"input": {0: "batch", 1: "time"}, "output": {0: "batch", 1: "time"}})),
    "tagger_lstm_layernorm_opset14": (14, model(Tagger, {"input": lambda: torch.randn(2, 6, 3)}, {"input": {0: "batch", 1: "time"}, "output": {0: "batch", 1: "time"}})),
}


def main():
    only = sys.argv[1:]
    OUT.mkdir(parents=True, exist_ok=True)
    for name, (opset, make) in CASES.items():
        if only and name not in only:
            continue
        seed_for(name)
        module, inputs, outputs, axes = make()
        module.eval()
        with torch.no_grad():
            result = module(*inputs.values())
        result = result if isinstance(result, tuple) else (result,)
        buffer = io.BytesIO()
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            torch.onnx.export(
                module,
                tuple(inputs.values()),
                buffer,
                input_names=list(inputs),
                output_names=outputs,
                dynamic_axes=axes,
                opset_version=opset,
            )
        (OUT / f"{name}.onnx").write_bytes(buffer.getvalue())
        tensors = {f"in.{k}": (v.to(torch.int32) if v.dtype == torch.int64 else v) for k, v in inputs.items()}
        tensors.update({f"out.{k}": v for k, v in zip(outputs, result)})
        config = {"opset": opset, "inputs": list(inputs), "outputs": outputs}
        write_safetensors(OUT / f"{name}.safetensors", tensors, {"config": json.dumps(config)})
        print(f"{name}: {len(buffer.getvalue())} bytes")


if __name__ == "__main__":
    main()
