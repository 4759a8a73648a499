"""GFLOP/s of PyTorch's CPU matrix product (torch.mm, its BLAS) on the product shapes of
bench/gemm.ts, at 1 thread and at every core: the ceiling the recurrent layers' products meet
there. Medians of repeated timed samples, each sample repeating the product for about 25 ms.

    /usr/bin/python3 bench/gemm_torch.py [--threads 1,2] [--samples 15]
"""
import argparse
import os
import statistics
import time

import torch

# (name, m, k, n, transA, transB), as SHAPES in bench/gemm.ts (its packed rows are products by the same B).
SHAPES = [
    ("step B=1 P=32 G·H=128 (x·Wᵀ)", 1, 32, 128, False, True),
    ("step B=1 P=512 G·H=2048 (x·Wᵀ)", 1, 512, 2048, False, True),
    ("step B=32 P=256 G·H=1024 (x·Wᵀ)", 32, 256, 1024, False, True),
    ("step B=64 P=512 G·H=2048 (x·Wᵀ)", 64, 512, 2048, False, True),
    ("step back B=32 G·H=1024 P=256 (d·W)", 32, 1024, 256, False, False),
    ("input proj 3200×64·64×1024 (x·Wᵀ)", 3200, 64, 1024, False, True),
    ("input proj 3200×512·512×2048 (x·Wᵀ)", 3200, 512, 2048, False, True),
    ("weight grad 1024×3200·3200×256 (dᵀ·h)", 1024, 3200, 256, True, False),
    ("input grad 3200×1024·1024×64 (d·W)", 3200, 1024, 64, False, False),
    ("square 256×1024·1024×1024", 256, 1024, 1024, False, False),
    ("square 256×1024·1024×1024 (Aᵀ·Bᵀ)", 256, 1024, 1024, True, True),
]


def seconds_per_call(fn, samples):
    fn()
    reps = 1
    while True:
        t0 = time.perf_counter()
        for _ in range(reps):
            fn()
        s = time.perf_counter() - t0
        if s >= 0.025 or reps >= 1 << 20:
            break
        reps = max(reps * 2, int(reps * 0.025 / max(s, 1e-5)) + 1)
    per = []
    for _ in range(samples):
        t0 = time.perf_counter()
        for _ in range(reps):
            fn()
        per.append((time.perf_counter() - t0) / reps)
    return statistics.median(per)


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--threads", default=f"1,{os.cpu_count()}")
    p.add_argument("--samples", type=int, default=15)
    args = p.parse_args()
    counts = [int(t) for t in args.threads.split(",")]
    print(f"torch {torch.__version__}, {torch.__config__.parallel_info().splitlines()[0]}; GFLOP/s, median of {args.samples} samples\n")
    rows = []
    for name, m, k, n, ta, tb in SHAPES:
        a = torch.rand(k, m) if ta else torch.rand(m, k)
        b = torch.rand(n, k) if tb else torch.rand(k, n)
        a_op = a.t() if ta else a
        b_op = b.t() if tb else b
        out = torch.empty(m, n)
        row = [name]
        for t in counts:
            torch.set_num_threads(t)
            sec = seconds_per_call(lambda: torch.mm(a_op, b_op, out=out), args.samples)
            row.append(f"{2 * m * n * k / sec / 1e9:.1f}")
        rows.append(row)
        print("  |  ".join(row), flush=True)
    header = ["shape"] + [f"{t} thr" for t in counts]
    widths = [max(len(h), *(len(r[i]) for r in rows)) for i, h in enumerate(header)]
    line = lambda cells: "| " + " | ".join(c.ljust(widths[i]) if i == 0 else c.rjust(widths[i]) for i, c in enumerate(cells)) + " |"
    print("\n" + line(header))
    print("|" + "|".join("-" * (w + 2) if i == 0 else "-" * (w + 1) + ":" for i, w in enumerate(widths)) + "|")
    for r in rows:
        print(line(r))


if __name__ == "__main__":
    main()
