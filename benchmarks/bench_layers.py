"""Time one training step (forward + backward) of rnnlib's layers against PyTorch's.

    .venv/bin/pip install -r benchmarks/requirements.txt
    .venv/bin/python benchmarks/bench_layers.py [--repeats 21] [--threads 2]
    .venv/bin/python benchmarks/bench_layers.py --device cuda   # rnnlib on CuPy, torch on CUDA

Shapes N=64, T=100, D=128, H=256, float32, in one process. The two libraries are timed
in pairs, rnnlib then PyTorch, then PyTorch then rnnlib (the order alternates so that
neither always runs first), with a short pause before each run so that the other
library's BLAS threads have stopped spinning. Each pair gives a ratio rnnlib / PyTorch
(below 1: rnnlib is faster); the table shows the median ratio and its spread (the
quartiles of the pairs' ratios, and in brackets the lowest and highest), so machine noise
that hits a pair hits both libraries.

Both libraries run with the same number of threads (``--threads``, default: the CPUs
this process may use), set with threadpoolctl for NumPy's BLAS and with
``torch.set_num_threads`` for PyTorch, and the table says what each one reports.

Peak memory of one training step above what was allocated before it (inputs and
weights): on the CPU, in a fresh process per library and layer, the rise of the
resident set's high-water mark (VmHWM, reset through /proc/self/clear_refs after a
warm-up step, with glibc told to return every freed block of 64 KiB or more to the
system, so both libraries are measured the same way), and for rnnlib also NumPy's own
count under tracemalloc; on CUDA, torch.cuda.max_memory_allocated and the high-water
mark of CuPy's memory pool.

Note: PyTorch's GRU is the cuDNN variant (reset gate after the matrix product), a
slightly different cell from rnnlib's (see rnnlib/gru.py); the amount of work is the same.
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import statistics
import subprocess
import sys
import time

import numpy as np

N, T, D, H = 64, 100, 128, 256
CELLS = ("lstm", "gru", "rnn")
MiB = 2**20


def data(cell, seed=0):
    """The step's inputs as NumPy arrays: x (N, T, D), dh (N, T, H), rnnlib's weights."""
    import rnnlib

    rng = np.random.default_rng(seed)
    x = rng.standard_normal((N, T, D), dtype=np.float32)
    dh = rng.standard_normal((N, T, H), dtype=np.float32)
    p = rnnlib.init_recurrent(cell, D, H, seed=0, dtype="float32")
    return x, dh, {k: rnnlib.to_numpy(v) for k, v in p.items()}


def rnnlib_step(cell, device):
    """One training step of rnnlib's layer, on NumPy (cpu) or CuPy (cuda)."""
    import rnnlib
    from rnnlib.backend import asarray

    rnnlib.set_backend("cupy" if device == "cuda" else "numpy")
    x, dh, p = data(cell)
    x, dh = asarray(x), asarray(dh)
    p = {k: asarray(v) for k, v in p.items()}
    h0 = asarray(np.zeros((N, H), dtype=np.float32))
    forward = getattr(rnnlib, f"{cell}_forward")
    backward = getattr(rnnlib, f"{cell}_backward")

    def step():
        h, cache = forward(x, h0, p["Wx"], p["Wh"], p["b"])
        backward(dh, cache)

    return step


def torch_step(cell, device):
    """One training step of torch.nn.LSTM/GRU/RNN on the same inputs."""
    import torch

    x, dh, _ = data(cell)
    module = {"rnn": torch.nn.RNN, "lstm": torch.nn.LSTM, "gru": torch.nn.GRU}[cell](
        D, H, batch_first=True).to(device)
    x = torch.from_numpy(x).to(device).requires_grad_()
    dh = torch.from_numpy(dh).to(device)

    def step():
        module.zero_grad(set_to_none=True)
        x.grad = None
        out, _ = module(x)
        out.backward(dh)

    return step


def synchronizer(library, device):
    """A function that waits for the device to finish its queued work (nothing on the CPU)."""
    if device != "cuda":
        return lambda: None
    if library == "torch":
        import torch

        return torch.cuda.synchronize
    import cupy

    return cupy.cuda.Device().synchronize


def timed(step, sync, pause):
    """Seconds of one call of ``step``, after ``pause`` seconds of rest."""
    time.sleep(pause)
    sync()
    start = time.perf_counter()
    step()
    sync()
    return time.perf_counter() - start


def paired(cell, device, repeats, pause):
    """Per-pair times (ours, theirs) of ``repeats`` pairs, after two warm-up steps each."""
    ours, theirs = rnnlib_step(cell, device), torch_step(cell, device)
    sync_ours, sync_theirs = synchronizer("rnnlib", device), synchronizer("torch", device)
    for step in (ours, ours, theirs, theirs):
        step()
    pairs = []
    for k in range(repeats):
        if k % 2 == 0:
            a = timed(ours, sync_ours, pause)
            b = timed(theirs, sync_theirs, pause)
        else:
            b = timed(theirs, sync_theirs, pause)
            a = timed(ours, sync_ours, pause)
        pairs.append((a, b))
    return pairs


def _status_kib(field):
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith(field + ":"):
                return int(line.split()[1])
    raise RuntimeError(f"{field} not in /proc/self/status")


def memory_child(library, cell):
    """In a fresh process: peak bytes of one step above the memory held before it."""
    step = rnnlib_step(cell, "cpu") if library == "rnnlib" else torch_step(cell, "cpu")
    step()  # warm-up: lazy initialisation is not part of a step
    gc.collect()
    with open("/proc/self/clear_refs", "w") as f:
        f.write("5")  # reset VmHWM to the current resident set
    before = _status_kib("VmRSS")
    step()
    result = {"rss": (_status_kib("VmHWM") - before) * 1024}
    if library == "rnnlib":
        import tracemalloc

        gc.collect()
        tracemalloc.start()
        base = tracemalloc.get_traced_memory()[0]
        step()
        result["tracemalloc"] = tracemalloc.get_traced_memory()[1] - base
        tracemalloc.stop()
    print(json.dumps(result))


def memory_cpu(library, cell, threads):
    env = dict(os.environ, MALLOC_MMAP_THRESHOLD_="65536", MALLOC_TRIM_THRESHOLD_="0",
               OMP_NUM_THREADS=str(threads), OPENBLAS_NUM_THREADS=str(threads))
    out = subprocess.run([sys.executable, __file__, "--memory-child", library, cell],
                         env=env, check=True, capture_output=True, text=True).stdout
    return json.loads(out.strip().splitlines()[-1])


def memory_cuda(library, cell):
    """Peak device bytes of one step above what was allocated before it."""
    step = rnnlib_step(cell, "cuda") if library == "rnnlib" else torch_step(cell, "cuda")
    step()
    sync = synchronizer(library, "cuda")
    sync()
    if library == "torch":
        import torch

        torch.cuda.empty_cache()
        torch.cuda.reset_peak_memory_stats()
        base = torch.cuda.memory_allocated()
        step()
        sync()
        return {"device": torch.cuda.max_memory_allocated() - base}
    import cupy

    pool = cupy.get_default_memory_pool()
    gc.collect()
    pool.free_all_blocks()  # the pool keeps what it ever held: its size after = peak
    base = pool.used_bytes()
    step()
    sync()
    return {"device": pool.total_bytes() - base}


def set_threads(threads):
    """Give NumPy's BLAS and PyTorch the same number of threads; say what each reports."""
    import threadpoolctl
    import torch

    torch.set_num_threads(threads)
    limiter = threadpoolctl.threadpool_limits(limits=threads, user_api="blas")
    numpy_blas = [p for p in threadpoolctl.threadpool_info()
                  if p["user_api"] == "blas" and "numpy" in p["filepath"]]
    ours = ", ".join(f"{p['internal_api']} {p['num_threads']}" for p in numpy_blas) or "none"
    return limiter, ours, torch.get_num_threads()


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=21, help="pairs of timed steps per layer")
    parser.add_argument("--threads", type=int, default=len(os.sched_getaffinity(0)))
    parser.add_argument("--pause", type=float, default=0.2,
                        help="seconds of rest before each timed step")
    parser.add_argument("--device", choices=("cpu", "cuda"), default="cpu",
                        help="cuda: rnnlib on CuPy, torch on CUDA")
    parser.add_argument("--cells", nargs="+", choices=CELLS, default=list(CELLS))
    parser.add_argument("--no-memory", action="store_true", help="skip the memory columns")
    parser.add_argument("--memory-child", nargs=2, metavar=("LIBRARY", "CELL"),
                        help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.memory_child:
        memory_child(*args.memory_child)
        return
    import torch

    _limiter, ours_threads, torch_threads = set_threads(args.threads)
    if args.device == "cpu":
        where = f"CPU; numpy {np.__version__}"
    else:
        import cupy

        where = f"{torch.cuda.get_device_name()}; cupy {cupy.__version__}"
    print(f"N={N} T={T} D={D} H={H} float32, {where}, torch {torch.__version__}; "
          f"{args.repeats} pairs, pause {args.pause} s")
    print(f"threads: rnnlib (NumPy's BLAS) {ours_threads}; torch {torch_threads}; "
          f"load average {os.getloadavg()[0]:.2f} at the start")
    memory_how = "RSS" if args.device == "cpu" else "device"
    header = f"{'layer':6} {'rnnlib ms':>10} {'torch ms':>9} {'ratio':>6} {'spread':>25}"
    if not args.no_memory:
        header += f" {'rnnlib MiB':>11} {'torch MiB':>10} {'mem':>5}"
        header += "  rnnlib MiB (tracemalloc)" if args.device == "cpu" else ""
    print(header)
    for cell in args.cells:
        pairs = paired(cell, args.device, args.repeats, args.pause)
        ratios = [a / b for a, b in pairs]
        ours = statistics.median(a for a, _ in pairs)
        theirs = statistics.median(b for _, b in pairs)
        q1, _, q3 = statistics.quantiles(ratios, n=4)
        line = (f"{cell:6} {1e3 * ours:10.1f} {1e3 * theirs:9.1f} {statistics.median(ratios):6.2f}"
                f" {q1:5.2f}-{q3:<5.2f} [{min(ratios):.2f}-{max(ratios):.2f}]")
        if not args.no_memory:
            if args.device == "cpu":
                m_ours = memory_cpu("rnnlib", cell, args.threads)
                m_theirs = memory_cpu("torch", cell, args.threads)
            else:
                m_ours, m_theirs = memory_cuda("rnnlib", cell), memory_cuda("torch", cell)
            a, b = m_ours["rss" if args.device == "cpu" else "device"], \
                m_theirs["rss" if args.device == "cpu" else "device"]
            line += f" {a / MiB:11.1f} {b / MiB:10.1f} {a / b:5.2f}"
            if args.device == "cpu":
                line += f"  {m_ours['tracemalloc'] / MiB:10.1f}"
        print(line, flush=True)
    print(f"load average {os.getloadavg()[0]:.2f} at the end. "
          f"ms: median step; ratio: median over pairs of rnnlib / torch; spread: its quartiles "
          f"[lowest-highest pair]; memory: peak of one step above its inputs ({memory_how}), "
          f"mem = rnnlib / torch")


if __name__ == "__main__":
    main()
