"""Synthetic sequence tasks, seeded, with the dependency length as a parameter."""

from __future__ import annotations

import math

from ..backend import asarray, default_rng


def _positive(name, value):
    if not (isinstance(value, int) and value > 0):
        raise ValueError(f"{name}: expected a positive integer, got {value!r}")


def adding_problem(N, T, seed=0, dtype="float64"):
    """The adding problem (Hochreiter & Schmidhuber, 1997).

    Each of the N sequences has T steps of two channels: a random value in [0, 1) and a
    marker that is 1 at exactly two steps (one in each half of the sequence) and 0
    elsewhere. The target is the sum of the two marked values, so the network must
    carry the first one across up to T steps.
    Returns ``(x, d)``: inputs x (N, T, 2) and targets d (N, 1). Always guessing 1 gives
    a mean squared error of about 0.167; solving the task means doing much better.
    """
    _positive("N", N)
    if not (isinstance(T, int) and T >= 2):
        raise ValueError(f"T: expected an integer >= 2, got {T!r}")
    rng = default_rng(seed)
    values = rng.random((N, T))
    half = T // 2
    first = rng.integers(0, half, size=N)
    second = rng.integers(half, T, size=N)
    markers = [[0.0] * T for _ in range(N)]
    target = []
    for n in range(N):
        markers[n][first[n]] = markers[n][second[n]] = 1.0
        target.append([values[n, first[n]] + values[n, second[n]]])
    x = [[[values[n, t], markers[n][t]] for t in range(T)] for n in range(N)]
    return asarray(x, dtype=dtype), asarray(target, dtype=dtype)


def recall_task(N, delay, n_symbols=4, seed=0, dtype="float64"):
    """Remember a symbol across ``delay`` blank steps, then say it when asked.

    The first step shows one of ``n_symbols`` symbols (one-hot), the next ``delay`` steps
    are blank, and the last step shows a "recall" cue. The only target is at the last
    step: the symbol of the first step. Chance accuracy is 1 / n_symbols.
    Returns ``(x, d, mask)``: inputs x (N, T, V + 1) with T = delay + 2 and V = n_symbols
    (the extra channel is the cue), targets d (N, T) as integer labels, and mask (N, T),
    True only at the last step. Use with ``softmax_cross_entropy(scores, d, mask)``.
    """
    _positive("N", N)
    if not (isinstance(delay, int) and delay >= 0):
        raise ValueError(f"delay: expected an integer >= 0, got {delay!r}")
    if not (isinstance(n_symbols, int) and n_symbols >= 2):
        raise ValueError(f"n_symbols: expected an integer >= 2, got {n_symbols!r}")
    rng = default_rng(seed)
    T, V = delay + 2, n_symbols
    symbols = rng.integers(0, V, size=N)
    x = [[[0.0] * (V + 1) for _ in range(T)] for _ in range(N)]
    d = [[0] * T for _ in range(N)]
    mask = [[False] * (T - 1) + [True] for _ in range(N)]
    for n in range(N):
        x[n][0][symbols[n]] = 1.0
        x[n][T - 1][V] = 1.0
        d[n][T - 1] = int(symbols[n])
    return asarray(x, dtype=dtype), asarray(d, dtype="int64"), asarray(mask, dtype="bool")


def noisy_sine(N, T, noise=0.05, seed=0, dtype="float64"):
    """Sine waves with random frequency and phase, plus Gaussian noise.

    Predict the next value from the ones so far: returns ``(x, d)``, inputs and targets,
    both (N, T, 1), with ``d[:, t] = x[:, t + 1]`` (the series is T + 1 long). Periods lie between 8
    and 32 steps; ``noise`` is the standard deviation of the added noise.
    """
    _positive("N", N)
    _positive("T", T)
    if not noise >= 0:
        raise ValueError(f"noise: expected a number >= 0, got {noise!r}")
    rng = default_rng(seed)
    period = rng.uniform(8.0, 32.0, size=N)
    phase = rng.uniform(0.0, 2 * math.pi, size=N)
    steps = range(T + 1)
    series = [[math.sin(2 * math.pi * t / period[n] + phase[n]) for t in steps] for n in range(N)]
    series = asarray(series, dtype=dtype) + asarray(noise * rng.standard_normal((N, T + 1)), dtype=dtype)
    return series[:, :-1, None], series[:, 1:, None]
