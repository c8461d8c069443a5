"""Time one training step (forward + backward) of rnnlib's layers against PyTorch's.

    .venv/bin/pip install -r benchmarks/requirements.txt
    .venv/bin/python benchmarks/bench_layers.py [--repeats 15]

Shapes N=64, T=100, D=128, H=256, float32, on the CPU, in one process. Prints the
median time of each library and the ratio rnnlib / PyTorch (below 1: rnnlib is
faster). Both libraries use the machine's BLAS threads as they come. Note: PyTorch's
GRU is the cuDNN variant (reset gate after the matrix product), a slightly different
cell from rnnlib's (see rnnlib/gru.py); the amount of work is the same.
"""

from __future__ import annotations

import argparse
import statistics
import time

import numpy as np

import rnnlib

N, T, D, H = 64, 100, 128, 256
GATES = {"rnn": 1, "lstm": 4, "gru": 3}


def time_it(fn, repeats):
    """Median time of fn over ``repeats`` calls after two warm-up calls.

    The two libraries are timed in separate blocks, not alternately: OpenBLAS's threads
    keep spinning for a moment after each call and would slow PyTorch's threads down.
    """
    fn(), fn()
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def rnnlib_step(cell, rng):
    k = GATES[cell]
    x = rng.standard_normal((N, T, D), dtype=np.float32)
    h0 = np.zeros((N, H), dtype=np.float32)
    p = rnnlib.init_recurrent(cell, D, H, seed=0, dtype="float32")
    dh = rng.standard_normal((N, T, H), dtype=np.float32)
    forward = getattr(rnnlib, f"{cell}_forward")
    backward = getattr(rnnlib, f"{cell}_backward")
    assert p["Wx"].shape == (D, k * H)

    def step():
        h, cache = forward(x, h0, p["Wx"], p["Wh"], p["b"])
        backward(dh, cache)

    return step


def torch_step(cell, rng):
    import torch

    module = {"rnn": torch.nn.RNN, "lstm": torch.nn.LSTM, "gru": torch.nn.GRU}[cell](
        D, H, batch_first=True)
    x = torch.from_numpy(rng.standard_normal((N, T, D), dtype=np.float32)).requires_grad_()
    dh = torch.from_numpy(rng.standard_normal((N, T, H), dtype=np.float32))

    def step():
        module.zero_grad(set_to_none=True)
        x.grad = None
        out, _ = module(x)
        out.backward(dh)

    return step


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=15)
    args = parser.parse_args()
    import torch

    rng = np.random.default_rng(0)
    print(f"N={N} T={T} D={D} H={H} float32, CPU; numpy {np.__version__}, torch {torch.__version__}, "
          f"torch threads {torch.get_num_threads()}")
    print(f"{'layer':6} {'rnnlib (ms)':>12} {'torch (ms)':>11} {'ratio':>7}")
    for cell in ("lstm", "gru", "rnn"):
        ours = time_it(rnnlib_step(cell, rng), args.repeats)
        theirs = time_it(torch_step(cell, rng), args.repeats)
        print(f"{cell:6} {1e3 * ours:12.1f} {1e3 * theirs:11.1f} {ours / theirs:7.2f}")


if __name__ == "__main__":
    main()
