"""Benchmark child for PyTorch on the CPU: torch.nn.LSTM / torch.nn.GRU, one configuration.

Mirrors bench/common.ts: the same configurations (or a custom shape, --shape), the same
deterministic inputs and weights, the same time-boxed measurement protocol and the same JSON lines.
Run by bench/run.ts and bench/curves.ts; by hand:

    /usr/bin/python3 bench/torch_bench.py --config lstm-charlm
    /usr/bin/python3 bench/torch_bench.py --shape LSTM:300:32:64:256:1 --figures infer,train
"""
import argparse
import json
import os
import re
import resource
import statistics
import sys
import time

import numpy as np
import torch

CONFIGS = {
    "lstm-charlm": dict(cell="LSTM", T=100, B=32, input=64, hidden=256, layers=1),
    "gru-charlm": dict(cell="GRU", T=100, B=32, input=64, hidden=256, layers=1),
    "lstm-2x512": dict(cell="LSTM", T=50, B=64, input=128, hidden=512, layers=2),
    "lstm-online": dict(cell="LSTM", T=20, B=1, input=16, hidden=32, layers=1),
}

SHAPE_FORMAT = "CELL:T:B:INPUT:HIDDEN:LAYERS"
FIGURES = ("gen", "infer", "train")

PREFIX = "BENCH "
FIRST_CALL_SLACK_S = 0.5
MASK = 0xFFFFFFFF


def shape_text(c):
    """bench/common.ts shapeText: the canonical text of a shape, the name of a custom configuration."""
    return ":".join(str(c[k]) for k in ("cell", "T", "B", "input", "hidden", "layers"))


def parse_shape(text):
    """bench/common.ts parseShape: CELL:T:B:INPUT:HIDDEN:LAYERS, e.g. LSTM:100:32:64:256:1."""
    parts = text.split(":")
    if len(parts) != 6:
        raise argparse.ArgumentTypeError(
            f"must be {SHAPE_FORMAT} (6 fields, e.g. LSTM:100:32:64:256:1); got '{text}' ({len(parts)} field{'' if len(parts) == 1 else 's'})")
    cell = parts[0].strip().upper()
    if cell not in ("LSTM", "GRU"):
        raise argparse.ArgumentTypeError(f"CELL must be LSTM or GRU; got '{parts[0]}' in '{text}'")
    values = []
    for field, raw in zip(("T", "B", "INPUT", "HIDDEN", "LAYERS"), parts[1:]):
        if not re.fullmatch(r"[0-9]+", raw.strip()) or int(raw) < 1:
            raise argparse.ArgumentTypeError(f"{field} must be a positive integer; got '{raw}' in '{text}'")
        values.append(int(raw))
    c = dict(cell=cell, T=values[0], B=values[1], input=values[2], hidden=values[3], layers=values[4])
    return dict(c, name=shape_text(c))


def parse_figures(text):
    """bench/common.ts parseFigures: some of gen, infer, train, comma-separated."""
    asked = [f.strip() for f in text.split(",")]
    for f in asked:
        if f not in FIGURES:
            raise argparse.ArgumentTypeError(f"must list some of {', '.join(FIGURES)}; got '{f}' in '{text}'")
    return [f for f in FIGURES if f in asked]


def emit(record):
    sys.stdout.write(PREFIX + json.dumps(record) + "\n")
    sys.stdout.flush()


def det_fill(n, seed, scale):
    """bench/common.ts detFill: lowbias32 of i + seed*0x9E3779B9, mapped to [-scale, scale)."""
    offset = (seed * 0x9E3779B9) & MASK
    x = (np.arange(n, dtype=np.uint64) + np.uint64(offset)) & np.uint64(MASK)
    x ^= x >> np.uint64(16)
    x = (x * np.uint64(0x7FEB352D)) & np.uint64(MASK)
    x ^= x >> np.uint64(15)
    x = (x * np.uint64(0x846CA68B)) & np.uint64(MASK)
    x ^= x >> np.uint64(16)
    return (scale * ((x.astype(np.float64) / 4294967296.0) * 2.0 - 1.0)).astype(np.float32)


def gates(c):
    return 4 if c["cell"] == "LSTM" else 3


def state_dict(c):
    G, H = gates(c), c["hidden"]
    s = 1.0 / np.sqrt(H)
    d = {}
    for k in range(c["layers"]):
        in_size = c["input"] if k == 0 else H
        d[f"weight_ih_l{k}"] = torch.from_numpy(det_fill(G * H * in_size, 100 + 4 * k, s).reshape(G * H, in_size))
        d[f"weight_hh_l{k}"] = torch.from_numpy(det_fill(G * H * H, 101 + 4 * k, s).reshape(G * H, H))
        d[f"bias_ih_l{k}"] = torch.from_numpy(det_fill(G * H, 102 + 4 * k, s))
        d[f"bias_hh_l{k}"] = torch.from_numpy(det_fill(G * H, 103 + 4 * k, s))
    return d


def probe_lengths(c):
    """bench/common.ts probeLengths: two steps, then a tenth of the sequence when that is longer."""
    first = min(2, c["T"])
    tenth = int(c["T"] / 10 + 0.5)
    return [first, tenth] if tenth > first else [first]


def fmt_s(s):
    return f"{s:.0f} s" if s >= 10 else f"{s:.1f} s" if s >= 1 else f"{s * 1000:.0f} ms"


def error_text(e):
    text = f"{type(e).__name__}: {e}"
    return text if len(text) <= 300 else text[:300] + "…"


def measure_sequence(c, figure, full, probes, b, floor=None):
    """bench/common.ts measureSequence."""
    base = dict(type="measure", config=c["name"], figure=figure, unit="tok/s")

    def skip(predicted, basis, why):
        return dict(base, status="skipped", predictedS=predicted, basis=basis,
                    reason=f"one call ≈ {fmt_s(predicted)} ({why}) exceeds the {fmt_s(b.cap)} cap")

    try:
        if floor is not None and floor > b.cap:
            return skip(floor, "inference", "inference alone")
        lengths = probe_lengths(c)
        predicted = 0.0
        for i, length in enumerate(lengths):
            scale = c["T"] / length
            if i == 0:
                t0 = time.perf_counter()
                probes[0]()  # first call: allocates
                raw = time.perf_counter() - t0
                if raw > FIRST_CALL_SLACK_S and raw * scale > 4 * b.cap:
                    return skip(raw * scale, "first-probe", f"from the first {length}-step probe")
            t0 = time.perf_counter()
            probes[i]()
            predicted = (time.perf_counter() - t0) * scale
            if predicted > b.cap:
                return skip(predicted, "probe", f"from a {length}-step probe")
        cold = predicted >= b.warmup_skip
        if not cold:
            full()
        min_samples = min(3, max(1, int(max(b.budget, b.min_samples_s) / max(predicted, 1e-9))))
        times = []
        start = time.perf_counter()
        while len(times) < min_samples or (time.perf_counter() - start < b.budget and len(times) < b.max_samples):
            t0 = time.perf_counter()
            full()
            times.append(time.perf_counter() - t0)
        med = statistics.median(times)
        return dict(base, status="ok", value=c["T"] * c["B"] / med, medianS=med, samples=len(times), cold=cold,
                    predictedS=predicted)
    except Exception as e:  # noqa: BLE001 — reported, not raised
        return dict(base, status="error", reason=error_text(e))


def call_seconds(m):
    """bench/common.ts callSeconds."""
    if m["status"] == "ok":
        return m.get("medianS")
    if m["status"] != "skipped" or m.get("predictedS") is None:
        return None
    return m["predictedS"] / 4 if m.get("basis") == "first-probe" else m["predictedS"]


def measure_step(c, step, b):
    base = dict(type="measure", config=c["name"], figure="gen", unit="us")
    try:
        t0 = time.perf_counter()
        step()
        first = time.perf_counter() - t0
        if first > b.cap:
            return dict(base, status="skipped", predictedS=first, reason=f"one step took {fmt_s(first)}, over the {fmt_s(b.cap)} cap")
        n = 0
        t0 = time.perf_counter()
        while n < 3 or time.perf_counter() - t0 < b.budget / 10:
            step()
            n += 1
        per_step = (time.perf_counter() - t0) / n
        group = max(1, round(0.02 / per_step))
        times = []
        start = time.perf_counter()
        while len(times) < 3 or (time.perf_counter() - start < b.budget and len(times) < b.max_samples * 20):
            t0 = time.perf_counter()
            for _ in range(group):
                step()
            times.append((time.perf_counter() - t0) / group)
        med = statistics.median(times)
        return dict(base, status="ok", value=med * 1e6, medianS=med, samples=len(times) * group, cold=False,
                    predictedS=per_step)
    except Exception as e:  # noqa: BLE001
        return dict(base, status="error", reason=error_text(e))


def rss_mib():
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / (1024 * 1024)


def blas_details():
    """The BLAS that torch resolved at run time (from the mapped libraries) and its build info."""
    a = torch.randn(64, 64)
    (a @ a).sum().item()
    libs = set()
    with open("/proc/self/maps") as f:
        for line in f:
            path = line.split()[-1] if len(line.split()) >= 6 else ""
            if re.search(r"(blas|lapack|mkl)", os.path.basename(path)):
                libs.add(path)
    config = torch.__config__.show()
    info = re.search(r"BLAS_INFO=([^,\s]+)", config)
    details = {
        "python": sys.version.split()[0],
        "blasInfo": info.group(1) if info else "unknown",
        "blasLibraries": ", ".join(sorted(libs)) or "none mapped",
        "mkldnn": bool(torch.backends.mkldnn.is_available()),
        "parallel": next((ln.split(":", 1)[1].strip() for ln in torch.__config__.parallel_info().splitlines()
                          if ln.startswith("ATen parallel backend")), "unknown"),
        "numpy": np.__version__,
    }
    for line in torch.__config__.show().splitlines():
        if "CPU capability usage" in line:
            details["cpuCapability"] = line.split(":", 1)[1].strip()
    return details


def main():
    p = argparse.ArgumentParser()
    which = p.add_mutually_exclusive_group(required=True)
    which.add_argument("--config", choices=sorted(CONFIGS))
    which.add_argument("--shape", type=parse_shape, metavar=SHAPE_FORMAT)
    p.add_argument("--figures", type=parse_figures, default=list(FIGURES), metavar="gen,infer,train")
    p.add_argument("--budget", type=float, default=3)
    p.add_argument("--cap", type=float, default=60)
    p.add_argument("--warmup-skip", type=float, default=10)
    p.add_argument("--max-samples", type=int, default=200)
    p.add_argument("--min-samples-s", type=float, default=10)
    p.add_argument("--threads", type=int, default=os.cpu_count())
    b = p.parse_args()
    c = b.shape if b.shape is not None else dict(CONFIGS[b.config], name=b.config)

    torch.set_num_threads(b.threads)
    torch.manual_seed(0)
    emit(dict(type="meta", framework="torch", backend="cpu", version=torch.__version__, threads=torch.get_num_threads(),
              details=blas_details()))
    baseline = rss_mib()

    cls = torch.nn.LSTM if c["cell"] == "LSTM" else torch.nn.GRU
    model = cls(input_size=c["input"], hidden_size=c["hidden"], num_layers=c["layers"])
    model.load_state_dict(state_dict(c))
    opt = torch.optim.SGD(model.parameters(), lr=1e-3)
    T, B, I, H, L = c["T"], c["B"], c["input"], c["hidden"], c["layers"]
    x = torch.from_numpy(det_fill(T * B * I, 1, 1.0).reshape(T, B, I))
    prefixes = [x[:t].contiguous() for t in probe_lengths(c)]

    x1 = torch.from_numpy(det_fill(I, 2, 1.0).reshape(1, 1, I))
    state = [torch.zeros(L, 1, H), torch.zeros(L, 1, H)] if c["cell"] == "LSTM" else [torch.zeros(L, 1, H)]

    def step():
        with torch.no_grad():
            if c["cell"] == "LSTM":
                _, (h, cs) = model(x1, (state[0], state[1]))
                state[0], state[1] = h, cs
            else:
                _, h = model(x1, state[0])
                state[0] = h

    if "gen" in b.figures:
        emit(measure_step(c, step, b))

    def infer(inp):
        def run():
            with torch.no_grad():
                model(inp)
        return run

    infer_result = None
    if "infer" in b.figures:
        infer_result = measure_sequence(c, "infer", infer(x), [infer(p) for p in prefixes], b)
        emit(infer_result)
    # One more forward pass, only where inference ran and took at most min_samples_s a call.
    if infer_result is not None and infer_result["status"] == "ok" and infer_result["medianS"] <= b.min_samples_s:
        try:
            with torch.no_grad():
                emit(dict(type="check", config=c["name"], checksum=float(model(x)[0].sum())))
        except Exception as e:  # noqa: BLE001
            sys.stderr.write(f"checksum failed: {error_text(e)}\n")

    def train(inp):
        def run():
            opt.zero_grad()
            model(inp)[0].sum().backward()
            opt.step()
        return run

    if "train" in b.figures:
        floor = None if infer_result is None else call_seconds(infer_result)
        emit(measure_sequence(c, "train", train(x), [train(p) for p in prefixes], b, floor))
    emit(dict(type="memory", config=c["name"], peakRssMiB=resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
              baselineRssMiB=baseline))


if __name__ == "__main__":
    main()
