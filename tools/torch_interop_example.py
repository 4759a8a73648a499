#!/usr/bin/env python3
"""The PyTorch side of the README's worked example, "Moving between PyTorch and here".

  /usr/bin/python3 tools/torch_interop_example.py export DIR
      PyTorch → here: builds a character language model in PyTorch with nn.LanguageModel's
      structure (embedding, rnn, decoder), writes its state dict as DIR/torch_lm.safetensors and
      its graph as DIR/torch_lm.onnx (torch.onnx.export), and DIR/torch_sample.safetensors: token
      ids (time, batch) and PyTorch's logits for them.

  /usr/bin/python3 tools/torch_interop_example.py check DIR
      here → PyTorch: loads DIR/ours.safetensors (a state dict our library wrote) into the same
      PyTorch module and checks that it gives the logits in DIR/ours_sample.safetensors.

Needs torch (Debian: python3-torch); safetensors files are read and written here directly.
"""
import json
import struct
import sys
from pathlib import Path

import torch
from torch import nn

VOCAB, EMBEDDING, HIDDEN, LAYERS = 40, 16, 32, 2


class CharLM(nn.Module):
    def __init__(self):
        super().__init__()
        self.embedding = nn.Embedding(VOCAB, EMBEDDING)
        self.rnn = nn.LSTM(EMBEDDING, HIDDEN, num_layers=LAYERS)
        self.decoder = nn.Linear(HIDDEN, VOCAB)

    def forward(self, ids):
        out, _ = self.rnn(self.embedding(ids))
        return self.decoder(out)


DTYPES = {"F32": torch.float32, "I32": torch.int32}


def save(path, tensors):
    header, body = {}, b""
    for name, t in tensors.items():
        raw = t.detach().contiguous().numpy().tobytes()
        header[name] = {"dtype": "I32" if t.dtype == torch.int32 else "F32", "shape": list(t.shape), "data_offsets": [len(body), len(body) + len(raw)]}
        body += raw
    text = json.dumps(header).encode()
    text += b" " * (-len(text) % 8)
    Path(path).write_bytes(struct.pack("<Q", len(text)) + text + body)


def load(path):
    raw = Path(path).read_bytes()
    (n,) = struct.unpack("<Q", raw[:8])
    header = json.loads(raw[8 : 8 + n])
    header.pop("__metadata__", None)
    out = {}
    for name, e in header.items():
        begin, end = e["data_offsets"]
        out[name] = torch.frombuffer(bytearray(raw[8 + n + begin : 8 + n + end]), dtype=DTYPES[e["dtype"]]).reshape(e["shape"])
    return out


def export(folder):
    torch.manual_seed(0)
    model = CharLM().eval()
    save(folder / "torch_lm.safetensors", model.state_dict())
    ids = torch.randint(0, VOCAB, (12, 3))
    with torch.no_grad():
        logits = model(ids)
    save(folder / "torch_sample.safetensors", {"ids": ids.int(), "logits": logits})
    torch.onnx.export(model, (ids,), folder / "torch_lm.onnx", input_names=["input"], output_names=["output"],
                      dynamic_axes={"input": {0: "time", 1: "batch"}, "output": {0: "time", 1: "batch"}}, opset_version=14)
    print(f"wrote {folder}/torch_lm.safetensors, torch_lm.onnx and torch_sample.safetensors")


def check(folder):
    model = CharLM().eval()
    model.load_state_dict(load(folder / "ours.safetensors"), strict=True)
    sample = load(folder / "ours_sample.safetensors")
    with torch.no_grad():
        logits = model(sample["ids"].long())
    worst = (logits - sample["logits"]).abs().max().item()
    print(f"PyTorch on our state dict: max |ours - torch| = {worst:.2e}")
    sys.exit(0 if worst <= 1e-5 else 1)


if __name__ == "__main__":
    if len(sys.argv) != 3 or sys.argv[1] not in ("export", "check"):
        sys.exit(__doc__)
    target = Path(sys.argv[2])
    target.mkdir(parents=True, exist_ok=True)
    export(target) if sys.argv[1] == "export" else check(target)
