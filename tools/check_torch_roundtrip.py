"""Loads state dicts written by our library (tools/export_state_dicts.ts) into PyTorch and checks
that PyTorch reproduces our outputs: our parameter names, shapes and gate layouts are PyTorch's.

Covered: nn.RNN / LSTM / GRU (layers, directions, projection, batch-first, no bias), the cells,
Linear, Embedding, LayerNorm and the activations in an nn.Sequential, LanguageModel (embedding,
rnn, decoder) and Encoder (embedding, a recurrent layer over packed sequences) as the equivalent
PyTorch modules. Each is loaded with load_state_dict(strict=True).

Usage: /usr/bin/python3 tools/check_torch_roundtrip.py
(runs the exporter itself through node; needs `npm install` done and torch importable)
"""
import json
import struct
import subprocess
import sys
import tempfile
from pathlib import Path

import torch
from torch import nn

DTYPES = {"F32": torch.float32, "F64": torch.float64, "I32": torch.int32}


def read_safetensors(path):
    raw = Path(path).read_bytes()
    (n,) = struct.unpack("<Q", raw[:8])
    header = json.loads(raw[8 : 8 + n])
    meta = header.pop("__metadata__", {})
    body = raw[8 + n :]
    tensors = {}
    for name, entry in header.items():
        begin, end = entry["data_offsets"]
        t = torch.frombuffer(bytearray(body[begin:end]), dtype=DTYPES[entry["dtype"]])
        tensors[name] = t.reshape(entry["shape"])
    return tensors, meta


def recurrent_layer(mode, config):
    kwargs = dict(
        input_size=config["inputSize"],
        hidden_size=config["hiddenSize"],
        num_layers=config.get("numLayers", 1),
        bias=config.get("bias", True),
        batch_first=config.get("batchFirst", False),
        bidirectional=config.get("bidirectional", False),
    )
    if mode == "LSTM":
        return nn.LSTM(proj_size=config.get("projSize", 0), **kwargs)
    if mode == "GRU":
        return nn.GRU(**kwargs)
    return nn.RNN(nonlinearity="relu" if mode == "RNN_RELU" else "tanh", **kwargs)


class LanguageModel(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.embedding = nn.Embedding(c["vocabSize"], c["embeddingDim"])
        self.rnn = getattr(nn, c["cell"].upper())(c["embeddingDim"], c["hiddenSize"], num_layers=c["numLayers"])
        self.decoder = nn.Linear(c["hiddenSize"], c["vocabSize"])

    def forward(self, ids):
        out, state = self.rnn(self.embedding(ids))
        return (self.decoder(out), *state) if isinstance(state, tuple) else (self.decoder(out), state)


class Encoder(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.lengths = c["lengths"]
        self.embedding = nn.Embedding(c["vocabSize"], c["embeddingDim"], padding_idx=0)
        self.rnn = getattr(nn, c["cell"].upper())(c["embeddingDim"], c["hiddenSize"], num_layers=c["numLayers"], batch_first=True, bidirectional=True)

    def forward(self, ids):
        packed = nn.utils.rnn.pack_padded_sequence(self.embedding(ids), self.lengths, batch_first=True, enforce_sorted=False)
        out, state = self.rnn(packed)
        memory, _ = nn.utils.rnn.pad_packed_sequence(out, batch_first=True, total_length=ids.shape[1])
        return memory, state[0] if isinstance(state, tuple) else state


def build(kind, config):
    if kind == "rnn":
        return recurrent_layer(config["mode"], config)
    if kind == "cell":
        cls = {"RNN_RELU": nn.RNNCell, "LSTM": nn.LSTMCell, "GRU": nn.GRUCell}[config["mode"]]
        extra = {"nonlinearity": "relu"} if config["mode"] == "RNN_RELU" else {}
        return cls(config["inputSize"], config["hiddenSize"], bias=config["bias"], **extra)
    if kind == "module":
        return nn.Sequential(*[eval(f"nn.{layer}") for layer in config["layers"]])  # the exporter's own fixed strings
    if kind == "language_model":
        return LanguageModel(config)
    if kind == "encoder":
        return Encoder(config)
    raise ValueError(kind)


def run(kind, module, inputs):
    x = inputs["input"]
    if x.dtype == torch.int32:
        x = x.long()
    if kind == "rnn":
        out, state = module(x)
        return [out, *state] if isinstance(state, tuple) else [out, state]
    if kind == "cell":
        if isinstance(module, nn.LSTMCell):
            return list(module(x, (inputs["h0"], inputs["c0"])))
        return [module(x, inputs["h0"])]
    result = module(x)
    return list(result) if isinstance(result, tuple) else [result]


def main():
    root = Path(__file__).resolve().parent.parent
    failures = 0
    with tempfile.TemporaryDirectory() as tmp:
        subprocess.run(["node", "--conditions=source", "--import", "tsx", "tools/export_state_dicts.ts", tmp], cwd=root, check=True)
        for path in sorted(Path(tmp).glob("*.safetensors")):
            tensors, meta = read_safetensors(path)
            kind = meta["kind"]
            module = build(kind, json.loads(meta["config"]))
            params = {k[len("param.") :]: v for k, v in tensors.items() if k.startswith("param.")}
            module.load_state_dict(params, strict=True)
            module.eval()
            inputs = {k[len("in.") :]: v for k, v in tensors.items() if k.startswith("in.")}
            ours = [v for k, v in tensors.items() if k.startswith("out.")]
            with torch.no_grad():
                theirs = run(kind, module, inputs)
            assert len(ours) == len(theirs), f"{path.stem}: {len(ours)} outputs here, {len(theirs)} in PyTorch"
            worst = max((a - b).abs().max().item() for a, b in zip(ours, theirs))
            ok = worst <= 1e-5
            failures += not ok
            print(f"{'ok  ' if ok else 'FAIL'} {path.stem}: max |ours - torch| = {worst:.2e}")
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()
