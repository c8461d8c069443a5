"""Gradient clipping and the two optimisers of the book, over dicts of arrays.

Parameters and gradients travel as dicts ``name -> array`` (``{"Wx": ..., "Wh": ...}``).
Every function here returns new dicts and new arrays; nothing passed in is changed.
"""

from __future__ import annotations

import math

from .backend import array_namespace
from .validate import check_array


def _check_grads(grads, name="grads"):
    if not isinstance(grads, dict):
        raise TypeError(f"{name}: expected a dict of name -> array, got a {type(grads).__name__}")
    for key, g in grads.items():
        check_array(f"{name}[{key!r}]", g)


def clip_grad_value(grads, limit):
    """Clip every element of every gradient to ``[-limit, limit]``.

    Inputs: grads, a dict name -> array of any shape; limit > 0.
    Returns a new dict. The result is never longer than the input, but its direction
    changes whenever some elements are clipped and others are not.
    """
    _check_grads(grads)
    if not limit > 0:
        raise ValueError(f"limit: expected a positive number, got {limit!r}")
    clipped = {}
    for key, g in grads.items():
        xp = array_namespace(g)
        clipped[key] = xp.clip(g, -limit, limit)
    return clipped


def global_norm(grads):
    """The Euclidean norm of all gradients taken together, as one long vector (a float)."""
    _check_grads(grads)
    total = 0.0
    for g in grads.values():
        xp = array_namespace(g)
        total += float(xp.sum(g * g))
    return math.sqrt(total)


def clip_grad_norm(grads, max_norm):
    """Rescale all gradients together when their global norm exceeds ``max_norm``.

    The rule of 003: with ``norm = sqrt(sum of all squared gradient elements)``, every
    gradient is multiplied by ``max_norm / norm`` if ``norm > max_norm``, and left
    alone otherwise. The direction is kept; the length becomes at most ``max_norm``.
    Inputs: grads, a dict name -> array; max_norm > 0.
    Returns ``(clipped, norm)``: a new dict and the norm before clipping (a float).
    A gradient that already holds inf or NaN has a non-finite norm and comes back
    unchanged: check ``math.isfinite(norm)`` to notice such a step.
    """
    if not max_norm > 0:
        raise ValueError(f"max_norm: expected a positive number, got {max_norm!r}")
    norm = global_norm(grads)
    if not math.isfinite(norm):  # an overflow upstream: no rescaling can repair it
        return {key: g * 1.0 for key, g in grads.items()}, norm
    scale = max_norm / norm if norm > max_norm else 1.0
    return {key: g * scale for key, g in grads.items()}, norm


class SGD:
    """Stochastic gradient descent, with optional momentum.

    ``params = opt.step(params, grads)`` returns new parameters
    ``p - lr * v`` with ``v = momentum * v + g`` (plain SGD when momentum is 0).
    """

    def __init__(self, lr=0.1, momentum=0.0):
        if not lr > 0:
            raise ValueError(f"lr: expected a positive number, got {lr!r}")
        if not 0.0 <= momentum < 1.0:
            raise ValueError(f"momentum: expected a number in [0, 1), got {momentum!r}")
        self.lr, self.momentum = lr, momentum
        self.velocity = {}

    def step(self, params, grads):
        _check_grads(params, "params")
        _check_grads(grads)
        new = {}
        for key, p in params.items():
            g = grads[key]
            if self.momentum:
                g = self.momentum * self.velocity.get(key, 0.0 * g) + g
                self.velocity[key] = g
            new[key] = p - self.lr * g
        return new


class Adam:
    """Adam (Kingma & Ba, 2015) with bias correction.

    ``params = opt.step(params, grads)`` returns new parameters; the moment estimates
    live in the optimiser, one pair per parameter name.
    """

    def __init__(self, lr=1e-3, beta1=0.9, beta2=0.999, eps=1e-8):
        if not lr > 0:
            raise ValueError(f"lr: expected a positive number, got {lr!r}")
        for name, beta in (("beta1", beta1), ("beta2", beta2)):
            if not 0.0 <= beta < 1.0:
                raise ValueError(f"{name}: expected a number in [0, 1), got {beta!r}")
        self.lr, self.beta1, self.beta2, self.eps = lr, beta1, beta2, eps
        self.m, self.v, self.t = {}, {}, 0

    def step(self, params, grads):
        _check_grads(params, "params")
        _check_grads(grads)
        self.t += 1
        correct1 = 1.0 - self.beta1**self.t
        correct2 = 1.0 - self.beta2**self.t
        new = {}
        for key, p in params.items():
            xp = array_namespace(p)
            g = grads[key]
            m = self.beta1 * self.m.get(key, 0.0 * g) + (1.0 - self.beta1) * g
            v = self.beta2 * self.v.get(key, 0.0 * g) + (1.0 - self.beta2) * (g * g)
            self.m[key], self.v[key] = m, v
            new[key] = p - self.lr * (m / correct1) / (xp.sqrt(v / correct2) + self.eps)
        return new
