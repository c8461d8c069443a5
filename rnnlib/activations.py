"""The two squashing functions of the book and their derivatives.

Derivatives are written in terms of the function's *output*, which is what a
backward pass has saved: ``tanh'(a) = 1 - tanh(a)**2`` and
``sigmoid'(a) = s * (1 - s)`` with ``s = sigmoid(a)``.
"""

from .backend import array_namespace, into


def sigmoid(a, out=None):
    """Logistic sigmoid ``1 / (1 + exp(-a))``, any shape: a new array, or ``out`` if
    given (an array of a's shape, which may be ``a`` itself).

    Computed as ``(1 + tanh(a / 2)) / 2``, which is the same function but never
    overflows, so large ``|a|`` gives 0 or 1 without a warning.
    """
    xp = array_namespace(a)
    if out is None:
        s = xp.tanh(0.5 * a)
    else:
        s = into(out, xp.tanh, into(out, xp.multiply, a, 0.5))
    s += 1.0  # in place: two passes fewer than 0.5 * (1 + tanh(a / 2))
    s *= 0.5
    return s


def tanh(a):
    """Hyperbolic tangent, any shape."""
    xp = array_namespace(a)
    return xp.tanh(a)


def sigmoid_grad_from_output(s):
    """``sigmoid'(a)`` given ``s = sigmoid(a)``: ``s * (1 - s)``, at most 1/4 (at a = 0)."""
    return s * (1.0 - s)


def tanh_grad_from_output(h):
    """``tanh'(a)`` given ``h = tanh(a)``: ``1 - h**2``, at most 1 (at a = 0)."""
    return 1.0 - h * h
