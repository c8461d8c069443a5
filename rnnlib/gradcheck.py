"""Finite differences: the independent check of every backward pass in the book.

A centred difference ``(f(x + h) - f(x - h)) / 2h`` has an error of order h**2, so in
float64 with h = 1e-5 a correct analytic gradient agrees to about 1e-8 or better.
"""

from __future__ import annotations

from .backend import array_namespace, default_rng, is_array


def rel_error(a, b):
    """Relative error of two arrays: ``max|a - b| / (max|a| + max|b|)``, a float.

    The largest difference is measured against the size of the arrays, not of each
    element: a near-zero element computed by finite differences carries an absolute
    rounding error of about 1e-11, which is tiny for the gradient but would look
    huge next to the element itself. Two zero arrays have error 0.
    """
    xp = array_namespace(a, b)
    if tuple(a.shape) != tuple(b.shape):
        raise ValueError(f"b: expected the shape of a {tuple(a.shape)}, got {tuple(b.shape)}")
    if 0 in tuple(a.shape):
        return 0.0
    scale = float(xp.max(xp.abs(a))) + float(xp.max(xp.abs(b)))
    diff = float(xp.max(xp.abs(a - b)))
    return diff / scale if scale > 0 else 0.0


def numerical_gradient(f, x, df, h=1e-5):
    """Centred-difference gradient of ``sum(f(x) * df)`` with respect to x.

    Inputs: f, a function of one array returning an array; x, the point (any shape);
    df, the upstream gradient, shaped like ``f(x)``; h, the step.
    Returns an array shaped like x. x itself is never changed: each probe perturbs a copy.
    """
    xp = array_namespace(x, df)
    flat = xp.reshape(xp.asarray(x, copy=True), (-1,))
    grad = xp.zeros_like(flat)
    for i in range(flat.shape[0]):
        old = float(flat[i])
        flat[i] = old + h
        plus = f(xp.reshape(flat, x.shape))
        flat[i] = old - h
        minus = f(xp.reshape(flat, x.shape))
        flat[i] = old
        grad[i] = xp.sum((plus - minus) * df) / (2 * h)
    return xp.reshape(grad, x.shape)


class GradcheckError(AssertionError):
    """An analytic gradient disagrees with finite differences."""


def gradcheck(forward, backward, inputs, tol=1e-7, seed=0, h=1e-5):
    """Check every gradient that ``backward`` returns against finite differences.

    Inputs: ``forward(**inputs)`` returns ``(out1, ..., cache)``; ``backward(dout1, ...,
    cache)`` returns one gradient per input, in the order of ``inputs`` (a dict
    name -> float64 array; inputs past the number of gradients are not checked).
    Random upstream gradients are drawn with ``seed``.
    Returns a dict ``"d" + name -> relative error`` and raises :class:`GradcheckError`
    naming the worst gradient when any error exceeds ``tol``.
    """
    xp = array_namespace(*inputs.values())
    rng = default_rng(seed)
    outs = forward(**inputs)[:-1]
    douts = [xp.asarray(rng.standard_normal(tuple(o.shape)), dtype=o.dtype) for o in outs]
    grads = backward(*douts, forward(**inputs)[-1])
    if is_array(grads):
        grads = (grads,)
    errors = {}
    for (name, value), grad in zip(inputs.items(), grads):

        def probe(v, name=name):
            outs = forward(**{**inputs, name: v})[:-1]
            return xp.concat([xp.reshape(o, (-1,)) for o in outs])

        df = xp.concat([xp.reshape(d, (-1,)) for d in douts])
        errors["d" + name] = rel_error(grad, numerical_gradient(probe, value, df, h))
    worst = max(errors, key=errors.get)
    if errors[worst] > tol:
        raise GradcheckError(
            f"{worst} is wrong: relative error {errors[worst]:.2e} against finite "
            f"differences (tolerance {tol:.0e}); all errors: "
            + ", ".join(f"{k}={v:.1e}" for k, v in errors.items())
        )
    return errors
