"""Loads state dicts written by our library (tools/export_state_dicts.ts) into PyTorch and checks
that PyTorch reproduces our outputs: our parameter names, shapes and gate layouts are PyTorch's.

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


def build(config):
    mode = config.pop("mode")
    kwargs = dict(
        input_size=config["inputSize"],
        hidden_size=config["hiddenSize"],
        num_layers=config.get("numLayers", 1),
        bias=config.get("bias", True),
        batch_first=config.get("batchFirst", False),
        bidirectional=config.get("bidirectional", False),
    )
    if mode == "LSTM":
        return torch.nn.LSTM(proj_size=config.get("projSize", 0), **kwargs)
    if mode == "GRU":
        return torch.nn.GRU(**kwargs)
    return torch.nn.RNN(nonlinearity="relu" if mode == "RNN_RELU" else "tanh", **kwargs)


def main():
    root = Path(__file__).resolve().parent.parent
    failures = 0
    with tempfile.TemporaryDirectory() as tmp:
        subprocess.run(["node", "--conditions=source", "--import", "tsx", "tools/export_state_dicts.ts", tmp], cwd=root, check=True)
        for path in sorted(Path(tmp).glob("*.safetensors")):
            tensors, meta = read_safetensors(path)
            module = build(json.loads(meta["config"]))
            params = {k[len("param.") :]: v for k, v in tensors.items() if k.startswith("param.")}
            module.load_state_dict(params, strict=True)
            with torch.no_grad():
                output, state = module(tensors["input"])
            h_n, c_n = state if isinstance(state, tuple) else (state, None)
            worst = max(
                (ours - theirs).abs().max().item()
                for ours, theirs in [(tensors["output"], output), (tensors["h_n"], h_n)]
                + ([(tensors["c_n"], c_n)] if c_n is not None else [])
            )
            ok = worst <= 1e-5
            failures += not ok
            print(f"{'ok  ' if ok else 'FAIL'} {path.stem}: max |ours - torch| = {worst:.2e}")
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()
