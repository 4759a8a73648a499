#!/usr/bin/env python3
"""Writes Keras models in the TensorFlow.js format that tensorflowjs_converter makes from Keras 2
(.h5) and Keras 3 (.keras) files, with outputs computed here from Keras's definitions of its
layers, for the cases TensorFlow.js cannot be the oracle of: a GRU with reset_after=True (which
TensorFlow.js refuses to load) and Keras 3's hard_sigmoid, relu6(x + 3) / 6 (TensorFlow.js and
Keras 2 define it as clip(0.2x + 0.5, 0, 1)). Read by packages/recurrent/test/io/tfjs/keras_files.test.ts.

Run:  /usr/bin/python3 tools/generate_keras_fixtures.py      (needs torch; no TensorFlow or Keras)

Each case is a folder packages/recurrent/test/fixtures/keras/<case>/ with
  model.json            {format, generatedBy, convertedBy, modelTopology: {keras_version, backend,
                        model_config}, weightsManifest: [{paths, weights}]} as the converter writes it
  group1-shard*of*.bin  the weights, float32 little-endian, split into shards
  expected.safetensors  "input" (float32, or int32 ids) and "output": the model's prediction

Weight names follow each converter: Keras 2 `<layer>/<cell>/kernel`, listed in h5 order (layers
sorted by name); Keras 3 `layers/<layer>/[cell/]vars/<index>` (the converter drops the config's
"module" and "registered_name" keys).
"""
import hashlib
import json
import struct
from pathlib import Path

import torch

OUT = Path(__file__).resolve().parent.parent / "packages" / "recurrent" / "test" / "fixtures" / "keras"


def seed_for(name):
    torch.manual_seed(int(hashlib.sha256(name.encode()).hexdigest()[:8], 16))


def u(*shape):
    return (torch.rand(*shape) * 1.2 - 0.6).float()


def keras2_hard_sigmoid(x):
    return torch.clamp(0.2 * x + 0.5, 0.0, 1.0)


def keras3_hard_sigmoid(x):
    return torch.nn.functional.relu6(x + 3.0) / 6.0


def gru_reset_after(x, mask, kernel, recurrent, bias, go_backwards=False):
    """Keras's GRU (reset_after=True), batch-first x (N, T, I); bias (2, 3H): input, recurrent. Gates z, r, h."""
    n, t, _ = x.shape
    h_size = recurrent.shape[0]
    h = torch.zeros(n, h_size)
    steps = range(t - 1, -1, -1) if go_backwards else range(t)
    for s in steps:
        xk = x[:, s] @ kernel + bias[0]
        hk = h @ recurrent + bias[1]
        z = torch.sigmoid(xk[:, :h_size] + hk[:, :h_size])
        r = torch.sigmoid(xk[:, h_size : 2 * h_size] + hk[:, h_size : 2 * h_size])
        hh = torch.tanh(xk[:, 2 * h_size :] + r * hk[:, 2 * h_size :])
        new = z * h + (1 - z) * hh
        keep = mask[:, s : s + 1]
        h = keep * new + (1 - keep) * h
    return h


def lstm(x, kernel, recurrent, bias, gate):
    """Keras's LSTM, gates i, f, c, o; returns the last h."""
    n, t, _ = x.shape
    h_size = recurrent.shape[0]
    h = torch.zeros(n, h_size)
    c = torch.zeros(n, h_size)
    for s in range(t):
        z = x[:, s] @ kernel + h @ recurrent + bias
        i, f, g, o = z[:, :h_size], z[:, h_size : 2 * h_size], z[:, 2 * h_size : 3 * h_size], z[:, 3 * h_size :]
        c = gate(f) * c + gate(i) * torch.tanh(g)
        h = gate(o) * torch.tanh(c)
    return h


def write_case(name, topology, weights, inputs, output, shards=2):
    """weights: list of (name, tensor) in file order."""
    folder = OUT / name
    folder.mkdir(parents=True, exist_ok=True)
    for old in folder.glob("group1-shard*"):
        old.unlink()
    data = b"".join(t.contiguous().numpy().astype("<f4").tobytes() for _, t in weights)
    size = -(-len(data) // shards)
    paths = []
    for k in range(shards):
        path = f"group1-shard{k + 1}of{shards}.bin"
        (folder / path).write_bytes(data[k * size : (k + 1) * size])
        paths.append(path)
    manifest = [{"paths": paths, "weights": [{"name": n, "shape": list(t.shape), "dtype": "float32"} for n, t in weights]}]
    model = {
        "format": "layers-model",
        "generatedBy": f"keras v{topology['keras_version']}",
        "convertedBy": "TensorFlow.js Converter v4.22.0",
        "modelTopology": topology,
        "weightsManifest": manifest,
    }
    (folder / "model.json").write_text(json.dumps(model, indent=1))
    write_safetensors(folder / "expected.safetensors", {"input": inputs, "output": output})
    print(f"{name}: {len(data)} weight bytes")


def write_safetensors(path, tensors):
    header, body = {}, b""
    for key, t in tensors.items():
        raw = t.contiguous().numpy().tobytes()
        header[key] = {"dtype": "I32" if t.dtype == torch.int32 else "F32", "shape": list(t.shape), "data_offsets": [len(body), len(body) + len(raw)]}
        body += raw
    text = json.dumps(header).encode()
    text += b" " * (-len(text) % 8)
    path.write_bytes(struct.pack("<Q", len(text)) + text + body)


def keras2_gru_reset_after():
    name = "keras2_gru_reset_after"
    seed_for(name)
    I, H, T, N = 3, 4, 6, 2
    kernel, recurrent, bias = u(I, 3 * H), u(H, 3 * H), u(2, 3 * H)
    dense_kernel, dense_bias = u(H, 2), u(2)
    x = torch.randn(N, T, I)
    h = gru_reset_after(x, torch.ones(N, T), kernel, recurrent, bias)
    output = torch.softmax(h @ dense_kernel + dense_bias, dim=-1)
    layers = [
        {"class_name": "InputLayer", "config": {"batch_input_shape": [None, T, I], "dtype": "float32", "sparse": False, "ragged": False, "name": "gru_input"}},
        {
            "class_name": "GRU",
            "config": {
                "name": "gru", "trainable": True, "dtype": "float32", "return_sequences": False, "return_state": False,
                "go_backwards": False, "stateful": False, "unroll": False, "time_major": False, "units": H,
                "activation": "tanh", "recurrent_activation": "sigmoid", "use_bias": True,
                "kernel_initializer": {"class_name": "GlorotUniform", "config": {"seed": None}},
                "recurrent_initializer": {"class_name": "Orthogonal", "config": {"gain": 1.0, "seed": None}},
                "bias_initializer": {"class_name": "Zeros", "config": {}},
                "kernel_regularizer": None, "recurrent_regularizer": None, "bias_regularizer": None,
                "activity_regularizer": None, "kernel_constraint": None, "recurrent_constraint": None,
                "bias_constraint": None, "dropout": 0.0, "recurrent_dropout": 0.0, "implementation": 2, "reset_after": True,
            },
        },
        {"class_name": "Dense", "config": {"name": "dense", "trainable": True, "dtype": "float32", "units": 2, "activation": "softmax", "use_bias": True}},
    ]
    topology = {
        "keras_version": "2.15.0",
        "backend": "tensorflow",
        "model_config": {"class_name": "Sequential", "config": {"name": "sequential", "layers": layers}},
    }
    # h5 lists layer groups by name: dense before gru.
    weights = [("dense/kernel", dense_kernel), ("dense/bias", dense_bias), ("gru/gru_cell/kernel", kernel), ("gru/gru_cell/recurrent_kernel", recurrent), ("gru/gru_cell/bias", bias)]
    write_case(name, topology, weights, x, output)


def lstm_hard_sigmoid(version):
    name = f"keras{version[0]}_lstm_hard_sigmoid"
    seed_for("lstm_hard_sigmoid")
    I, H, T, N = 3, 4, 5, 3
    kernel, recurrent, bias = u(I, 4 * H) * 3, u(H, 4 * H) * 3, u(4 * H) * 3
    dense_kernel, dense_bias = u(H, 1), u(1)
    x = torch.randn(N, T, I) * 2
    gate = keras3_hard_sigmoid if version.startswith("3") else keras2_hard_sigmoid
    output = lstm(x, kernel, recurrent, bias, gate) @ dense_kernel + dense_bias
    policy = {"class_name": "DTypePolicy", "config": {"name": "float32"}}
    layers = [
        {"class_name": "InputLayer", "config": {"batch_shape": [None, T, I], "dtype": "float32", "sparse": False, "name": "input_layer"}},
        {
            "class_name": "LSTM",
            "config": {
                "name": "lstm", "trainable": True, "dtype": policy, "return_sequences": False, "return_state": False,
                "go_backwards": False, "stateful": False, "unroll": False, "zero_output_for_mask": False, "units": H,
                "activation": "tanh", "recurrent_activation": "hard_sigmoid", "use_bias": True,
                "kernel_initializer": {"class_name": "GlorotUniform", "config": {"seed": None}},
                "unit_forget_bias": True, "dropout": 0.0, "recurrent_dropout": 0.0, "seed": None,
            },
            "build_config": {"input_shape": [None, T, I]},
        },
        {"class_name": "Dense", "config": {"name": "dense", "trainable": True, "dtype": policy, "units": 1, "activation": "linear", "use_bias": True}, "build_config": {"input_shape": [None, H]}},
    ]
    topology = {
        "keras_version": version,
        "model_config": {"class_name": "Sequential", "config": {"name": "sequential", "trainable": True, "dtype": policy, "layers": layers}},
    }
    weights = [("layers/dense/vars/0", dense_kernel), ("layers/dense/vars/1", dense_bias), ("layers/lstm/cell/vars/0", kernel), ("layers/lstm/cell/vars/1", recurrent), ("layers/lstm/cell/vars/2", bias)]
    write_case(name, topology, weights, x, output, shards=1)


def keras3_functional_bigru():
    name = "keras3_functional_bigru"
    seed_for(name)
    V, E, H, T = 20, 4, 3, 7
    table = u(V, E)
    fw = (u(E, 3 * H), u(H, 3 * H), u(2, 3 * H))
    bw = (u(E, 3 * H), u(H, 3 * H), u(2, 3 * H))
    dense_kernel, dense_bias = u(2 * H, 2), u(2)
    ids = torch.tensor([[5, 3, 9, 1, 0, 0, 0], [2, 7, 7, 4, 8, 11, 19], [6, 0, 0, 0, 0, 0, 0]], dtype=torch.int32)
    mask = (ids != 0).float()
    x = table[ids.long()]
    hf = gru_reset_after(x, mask, *fw)
    hb = gru_reset_after(x, mask, *bw, go_backwards=True)
    output = torch.sigmoid(torch.cat([hf, hb], dim=-1) @ dense_kernel + dense_bias)
    policy = {"class_name": "DTypePolicy", "config": {"name": "float32"}}

    def tensor_ref(layer):
        return {"args": [{"class_name": "__keras_tensor__", "config": {"shape": [None, T], "dtype": "float32", "keras_history": [layer, 0, 0]}}], "kwargs": {}}

    gru = {
        "class_name": "GRU",
        "config": {"name": "gru", "trainable": True, "dtype": policy, "return_sequences": False, "return_state": False, "go_backwards": False,
                   "stateful": False, "unroll": False, "zero_output_for_mask": False, "units": H, "activation": "tanh",
                   "recurrent_activation": "sigmoid", "use_bias": True, "dropout": 0.0, "recurrent_dropout": 0.0, "reset_after": True, "seed": None},
    }
    backward = json.loads(json.dumps(gru))
    backward["config"].update(name="backward_gru", go_backwards=True)
    layers = [
        {"class_name": "InputLayer", "config": {"batch_shape": [None, T], "dtype": "int32", "sparse": False, "name": "ids"}, "name": "ids", "inbound_nodes": []},
        {"class_name": "Embedding", "config": {"name": "embedding", "trainable": True, "dtype": policy, "input_dim": V, "output_dim": E, "mask_zero": True},
         "name": "embedding", "inbound_nodes": [tensor_ref("ids")]},
        {"class_name": "Bidirectional", "config": {"name": "bidirectional", "trainable": True, "dtype": policy, "merge_mode": "concat", "layer": gru, "backward_layer": backward},
         "name": "bidirectional", "inbound_nodes": [tensor_ref("embedding")]},
        {"class_name": "Dense", "config": {"name": "dense", "trainable": True, "dtype": policy, "units": 2, "activation": "sigmoid", "use_bias": True},
         "name": "dense", "inbound_nodes": [tensor_ref("bidirectional")]},
    ]
    topology = {
        "keras_version": "3.3.3",
        "model_config": {"class_name": "Functional", "config": {"name": "functional", "trainable": True, "layers": layers,
                                                              "input_layers": [["ids", 0, 0]], "output_layers": [["dense", 0, 0]]}},
    }
    weights = [("layers/bidirectional/backward_layer/cell/vars/0", bw[0]), ("layers/bidirectional/backward_layer/cell/vars/1", bw[1]),
               ("layers/bidirectional/backward_layer/cell/vars/2", bw[2]), ("layers/bidirectional/forward_layer/cell/vars/0", fw[0]),
               ("layers/bidirectional/forward_layer/cell/vars/1", fw[1]), ("layers/bidirectional/forward_layer/cell/vars/2", fw[2]),
               ("layers/dense/vars/0", dense_kernel), ("layers/dense/vars/1", dense_bias), ("layers/embedding/vars/0", table)]
    write_case(name, topology, weights, ids, output, shards=3)


if __name__ == "__main__":
    keras2_gru_reset_after()
    lstm_hard_sigmoid("2.15.0")
    lstm_hard_sigmoid("3.3.3")
    keras3_functional_bigru()
