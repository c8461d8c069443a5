"""Plots for chapter 4: how ``||dh_T/dh_t||`` shrinks or grows with the steps back.

A simple RNN ``h_t = phi(x_t Wx + h_{t-1} Wh + b)`` passes a gradient back one step
through the Jacobian ``dh_t/dh_{t-1} = Wh diag(phi'_t)`` (row convention), so the
gradient that reaches k steps back has gone through k such matrices. The functions
here build a recurrent matrix Wh (H, H) with a chosen spectral radius, run the network
on seeded random inputs, measure ``||dh_T/dh_t||`` with
:func:`rnnlib.hidden_gradient_norms`, and draw it against ``T - t`` on a log scale, so a
geometric decay or growth is a straight line. Every function is pure: it returns new
arrays or a new Figure and keeps no state.
"""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np

from .. import (hidden_gradient_norms, init_recurrent, random_array, rnn_forward, sigmoid,
                to_numpy)
from ..backend import array_namespace, asarray

#: The activations the plots know, in the order of the chapter.
ACTIVATIONS = ("tanh", "sigmoid", "identity")

#: The kinds of recurrent matrix :func:`recurrent_matrix` can build.
KINDS = ("gaussian", "orthogonal", "identity")

#: The spectral radii of the chapter's comparison figure.
RADII = (0.5, 0.9, 1.0, 1.1, 1.5)

#: Norms below this are drawn at this height, so a log axis can show a gradient that
#: has underflowed to 0.
FLOOR = 1e-300


def _check_activation(activation):
    if activation not in ACTIVATIONS:
        raise ValueError(f"activation: expected one of {ACTIVATIONS}, got {activation!r}")


def _check_positive_int(name, value, least=1):
    if isinstance(value, bool) or not (isinstance(value, (int, np.integer)) and value >= least):
        raise ValueError(f"{name}: expected an integer >= {least}, got {value!r}")


def spectral_radius_of(W):
    """The largest modulus of the eigenvalues of a square matrix W (H, H), a float.

    The eigenvalues are computed with NumPy (the array is moved with
    :func:`rnnlib.to_numpy` first), so W may live on any backend.
    """
    W = np.asarray(to_numpy(W), dtype=float)
    if W.ndim != 2 or W.shape[0] != W.shape[1]:
        raise ValueError(f"W: expected a square matrix (H, H), got shape {W.shape}")
    return float(np.max(np.abs(np.linalg.eigvals(W))))


def recurrent_matrix(H, radius, seed=0, kind="gaussian", dtype="float64"):
    """A recurrent weight matrix Wh (H, H) whose spectral radius is exactly ``radius``.

    kind ``"gaussian"``: a seeded standard-normal matrix, multiplied by
    ``radius / max|eig|`` (its singular values spread on both sides of the radius);
    ``"orthogonal"``: ``radius`` times the orthogonal factor Q of a seeded normal matrix
    (every singular value equals the radius); ``"identity"``: ``radius`` times I.
    Returns an array on the selected backend (see :mod:`rnnlib.backend`).
    """
    _check_positive_int("H", H)
    if not radius >= 0:
        raise ValueError(f"radius: expected a number >= 0, got {radius!r}")
    if kind not in KINDS:
        raise ValueError(f"kind: expected one of {KINDS}, got {kind!r}")
    if kind == "identity":
        W = np.eye(H)
    else:
        A = to_numpy(random_array((H, H), seed=seed))  # (H, H) ~ N(0, 1)
        if kind == "orthogonal":
            Q, R = np.linalg.qr(A)
            W = Q * np.sign(np.diag(R))[None, :]  # the sign fix makes Q unique
        else:
            W = A / spectral_radius_of(A)
    return asarray(float(radius) * W, dtype=dtype)


def run_states(Wh, T, activation="tanh", D=4, seed=0, input_scale=1.0):
    """The states h (T, H) of one run of ``h_t = phi(x_t Wx + h_{t-1} Wh + b)``.

    Inputs: Wh (H, H); T steps; activation phi (``"tanh"``, ``"sigmoid"`` or
    ``"identity"``); the inputs x (T, D) ~ N(0, input_scale**2) and the weights Wx (D, H)
    ~ N(0, 1/D), b = 0 are drawn from ``seed`` (Wx and b by :func:`rnnlib.init_recurrent`);
    h_0 = 0. The tanh run is :func:`rnnlib.rnn_forward` itself; the other two use the
    same recurrence with another phi.
    """
    _check_activation(activation)
    _check_positive_int("T", T)
    _check_positive_int("D", D)
    xp = array_namespace(Wh)
    H = Wh.shape[0]
    params = init_recurrent("rnn", int(D), H, seed=seed)
    Wx, b = params["Wx"], params["b"]  # (D, H), (H,)
    x = random_array((1, int(T), int(D)), seed=seed + 1, scale=input_scale)  # (N=1, T, D)
    h0 = xp.zeros((1, H), dtype=Wh.dtype)
    if activation == "tanh":
        h, _ = rnn_forward(x, h0, Wx, Wh, b)  # (1, T, H)
        return h[0]
    phi = sigmoid if activation == "sigmoid" else (lambda a: a)
    states, h = [], h0
    for t in range(int(T)):
        h = phi(x[:, t, :] @ Wx + h @ Wh + b)  # (1, H)
        states.append(h[0])
    return xp.stack(states, axis=0)  # (T, H)


def gradient_norms(radius, activation="tanh", T=50, H=32, seed=0, kind="gaussian",
                   input_scale=1.0):
    """``||dh_T/dh_t||`` for one seeded run: a NumPy array (T,), the last entry 1.

    Wh (H, H) is :func:`recurrent_matrix` (``H, radius, seed, kind``); the run is
    :func:`run_states`; the norms (largest singular values) come from
    :func:`rnnlib.hidden_gradient_norms`. Entry t lies ``T - 1 - t`` steps back.
    """
    Wh = recurrent_matrix(H, radius, seed=seed, kind=kind)
    h = run_states(Wh, T, activation, seed=seed, input_scale=input_scale)  # (T, H)
    return np.asarray(to_numpy(hidden_gradient_norms(Wh, h, activation)), dtype=float)


def gradient_horizon(norms, threshold=1e-2):
    """How many steps back the gradient reaches: the first k with ``norms[T-1-k] < threshold``.

    Inputs: norms (T,), entry t = ``||dh_T/dh_t||`` (the last entry, k = 0, is 1).
    Returns the smallest number of steps back k at which the norm has fallen below
    ``threshold`` times its value at t = T, or None when it never does within T steps.
    """
    norms = np.asarray(to_numpy(norms), dtype=float)
    if norms.ndim != 1 or norms.shape[0] < 1:
        raise ValueError(f"norms: expected a non-empty 1-D array (T,), got shape {norms.shape}")
    if not 0 < threshold:
        raise ValueError(f"threshold: expected a positive number, got {threshold!r}")
    by_steps_back = norms[::-1] / norms[-1]  # entry k is k steps back
    below = np.flatnonzero(by_steps_back < threshold)
    return int(below[0]) if below.size else None


def plot_gradient_norms(spectral_radius=RADII, activation="tanh", T=50, H=32, seed=0, ax=None,
                        kind="gaussian", threshold=1e-2, input_scale=1.0):
    """Measured ``||dh_T/dh_t||`` against the steps back ``T - t``, on a log y axis.

    Inputs: spectral_radius, one radius or a sequence of them (one curve each); the
    activation of the run; T steps, H hidden units; seed for Wh (H, H), Wx (D, H) and the
    inputs x (T, D); kind of Wh (see :func:`recurrent_matrix`); threshold, drawn as a
    dotted horizontal line (None: no line). With a single radius, the line
    ``radius ** (T - t)`` is drawn dashed for reference: what a product of k copies of a
    normal matrix with that radius and no activation would give. ax: an Axes to draw
    into (a new figure when None). Returns the Figure.
    """
    _check_activation(activation)
    _check_positive_int("T", T, least=2)
    radii = [float(r) for r in np.atleast_1d(spectral_radius)]
    new_figure = ax is None
    if new_figure:
        fig, ax = plt.subplots(figsize=(7, 3.5))
    else:
        fig = ax.figure
    steps_back = np.arange(int(T))[::-1]  # entry t is T - 1 - t steps back
    colours = plt.get_cmap("viridis")(np.linspace(0.0, 0.9, len(radii)))
    lowest = 1.0
    for r, colour in zip(radii, colours):
        norms = np.maximum(gradient_norms(r, activation, T, H, seed, kind, input_scale), FLOOR)
        lowest = min(lowest, float(norms.min()))
        ax.plot(steps_back, norms, color=colour, linewidth=1.8, label=f"radius {r:g}")
    if len(radii) == 1:
        reference = np.maximum(radii[0] ** steps_back.astype(float), FLOOR)
        lowest = min(lowest, float(reference.min()))
        ax.plot(steps_back, reference, color="grey", linestyle="--", linewidth=1.2,
                label=f"{radii[0]:g}$^{{T-t}}$")
    if threshold is not None:
        ax.axhline(threshold, color="black", linestyle=":", linewidth=1.0,
                   label=f"threshold {threshold:g}")
    ax.set_yscale("log")
    ax.set_ylim(bottom=max(FLOOR, lowest / 10.0))
    ax.set_xlabel("steps back, T - t")
    ax.set_ylabel(r"$\|\partial h_T / \partial h_t\|$")
    ax.set_title(f"{activation} RNN, {kind} $W_h$, H = {H}", fontsize=10)
    ax.grid(True, which="major", alpha=0.3)
    ax.legend(loc="best", fontsize=8)
    if new_figure:
        fig.tight_layout()
    return fig


def sigmoid_iterates(a, k):
    """The sigmoid applied k times, ``sigma(sigma(...sigma(a)))``: a NumPy array (k, len(a)).

    Row j is ``sigma`` applied j + 1 times to the grid a (A,). This is a one-unit network
    ``h_t = sigma(h_{t-1})`` with weight 1 and no input, started from h_0 = a: row j is
    h_{j+1} as a function of h_0, and its slope is ``dh_{j+1}/dh_0``.
    """
    _check_positive_int("k", k)
    h = np.asarray(to_numpy(a), dtype=float)
    if h.ndim != 1 or h.shape[0] < 1:
        raise ValueError(f"a: expected a non-empty 1-D grid (A,), got shape {h.shape}")
    rows = []
    for _ in range(int(k)):
        h = np.asarray(to_numpy(sigmoid(asarray(h))), dtype=float)  # one more application
        rows.append(h)
    return np.stack(rows, axis=0)


def sigmoid_fixed_point(tol=1e-15, max_steps=1000):
    """The number s* with ``sigma(s*) = s*`` (about 0.659), found by applying sigma from 0.

    The iteration converges because sigma' <= 1/4 everywhere: each application shrinks
    the distance to s* at least fourfold. Returns a float.
    """
    s = 0.0
    for _ in range(max_steps):
        s, previous = float(to_numpy(sigmoid(asarray(s)))), s
        if abs(s - previous) < tol:
            return s
    raise RuntimeError(f"no fixed point within {max_steps} steps (tol {tol:g})")


def plot_sigmoid_iterates(ks=(1, 2, 3, 4, 6), a_max=8.0, ax=None):
    """The sigmoid applied k times, one curve per k in ks, over inputs a in [-a_max, a_max].

    A dashed line marks the fixed point ``s* = sigma(s*)`` (:func:`sigmoid_fixed_point`)
    that every curve collapses onto as k grows. ax: an Axes to draw into (a new figure
    when None). Returns the Figure.
    """
    ks = [int(k) for k in ks]
    if not ks:
        raise ValueError("ks: expected at least one number of applications")
    for k in ks:
        _check_positive_int("k", k)
    if not a_max > 0:
        raise ValueError(f"a_max: expected a positive number, got {a_max!r}")
    new_figure = ax is None
    if new_figure:
        fig, ax = plt.subplots(figsize=(7, 3.5))
    else:
        fig = ax.figure
    a = np.linspace(-a_max, a_max, 801)
    rows = sigmoid_iterates(a, max(ks))  # (max k, A)
    colours = plt.get_cmap("viridis")(np.linspace(0.0, 0.9, len(ks)))
    for k, colour in zip(ks, colours):
        ax.plot(a, rows[k - 1], color=colour, linewidth=1.8,
                label=f"k = {k}" if k > 1 else r"k = 1: $\sigma(a)$")
    fixed = sigmoid_fixed_point()
    ax.axhline(fixed, color="grey", linestyle="--", linewidth=1.2, zorder=3,
               label=rf"fixed point $s^* = \sigma(s^*) \approx {fixed:.3f}$")
    ax.set_xlabel("input a")
    ax.set_ylabel(r"$\sigma$ applied k times")
    ax.set_ylim(0.0, 1.0)
    ax.grid(True, alpha=0.3)
    ax.legend(loc="lower right", fontsize=8)
    if new_figure:
        fig.tight_layout()
    return fig
