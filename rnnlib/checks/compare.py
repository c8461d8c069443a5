"""Compare a student's outputs with the reference, and say in one sentence what is wrong.

Everything here works on NumPy copies (``to_numpy``) of plain arrays, so the same
comparison runs in a notebook and in the grader's own process.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..backend import array_namespace, is_array, to_numpy

RTOL = 1e-6  # relative error (max|a - b| / (max|a| + max|b|)) that counts as equal


@dataclass
class Verdict:
    """The outcome for one output of one case: ``ok`` and, if not, the sentence."""

    ok: bool
    message: str = ""


def relative_error(a, b) -> float:
    xp = array_namespace(a, b)
    if 0 in tuple(a.shape):
        return 0.0
    scale = float(xp.max(xp.abs(a))) + float(xp.max(xp.abs(b)))
    diff = float(xp.max(xp.abs(a - b)))
    return diff / scale if scale > 0 else 0.0


def close(a, b, rtol=RTOL) -> bool:
    """Same shape and equal within ``rtol`` (and finite)."""
    if not (is_array(a) and is_array(b)) or tuple(a.shape) != tuple(b.shape):
        return False
    xp = array_namespace(a, b)
    if not (bool(xp.all(xp.isfinite(a))) and bool(xp.all(xp.isfinite(b)))):
        return False
    return relative_error(xp.astype(a, xp.float64), xp.astype(b, xp.float64)) < rtol


def narrower(got, widest):
    """Whether ``got`` is a floating-point array with fewer bits than dtype ``widest``
    (float32 where the inputs were float64); never for ``widest`` None."""
    if widest is None or not is_array(got):
        return False
    dtype = to_numpy(got).dtype
    return dtype.kind == "f" and dtype.itemsize < widest.itemsize


def _as_float_array(value):
    """A NumPy float64 copy of an array, or None if value is not a numeric array."""
    if not is_array(value):
        return None
    arr = to_numpy(value)
    xp = array_namespace(arr)
    if not (xp.isdtype(arr.dtype, "real floating") or xp.isdtype(arr.dtype, "integral")):
        return None
    return xp.astype(arr, xp.float64)


def _scale_factor(got, expected):
    """The k with got == k * expected, if there is one (else None)."""
    xp = array_namespace(got, expected)
    norm = float(xp.sum(expected * expected))
    if norm == 0:
        return None
    k = float(xp.sum(got * expected)) / norm
    return k if k != 0 and close(got, k * expected) else None


def _factor_sentence(k, sizes):
    for letter, size in sizes.items():
        if size > 1 and abs(k - size) < 1e-6 * size:
            return (f"is {size} times too large: exactly {letter} = {size} times the right "
                    f"value, as if summed where a mean (or one term) was wanted")
        if size > 1 and abs(k - 1 / size) < 1e-6 / size:
            return (f"is {size} times too small: exactly 1/{letter} of the right value, as if "
                    f"divided by {letter} = {size} (averaged) where a sum was wanted")
    return f"is off by a constant factor of {k:.4g}: check for a stray scale such as 0.5 or 2"


def diagnose(name, got, expected, sizes, context=""):
    """Compare one output; return a :class:`Verdict` whose message names the problem.

    ``sizes`` maps letters to sizes of this case ({"N": 2, "T": 5, ...}) so a factor
    of T or N can be recognised.
    """
    where = f"{name}{context}"
    exp_shape = tuple(expected.shape)
    if isinstance(got, (list, tuple)):
        return Verdict(False, f"{where} is a Python {type(got).__name__}, not an array: return "
                              f"an array of shape {exp_shape} (for example with np.array(...) or "
                              f"by computing it with array operations).")
    if got is None:
        return Verdict(False, f"{where} is None: the function does not return it yet "
                              f"(is there a `return` at the end?).")
    if not is_array(got):
        return Verdict(False, f"{where} is a {type(got).__name__}, expected an array of shape "
                              f"{exp_shape}.")
    got_shape = tuple(got.shape)
    if got_shape != exp_shape:
        if len(got_shape) == 2 and got_shape == exp_shape[::-1]:
            hint = (" That is the transpose of the expected shape: check the order of a "
                    "matrix product (the book writes row vectors, x @ W).")
        elif sorted(got_shape) == sorted(exp_shape):
            hint = " The same sizes in another order: check which axis is batch (N) and which is time (T)."
        elif len(got_shape) == len(exp_shape) + 1:
            hint = " It has one axis too many: a gradient of a bias or weight is summed over the batch."
        else:
            hint = ""
        return Verdict(False, f"{where} has shape {got_shape}, expected {exp_shape}.{hint}")
    arr = _as_float_array(got)
    if arr is None:
        return Verdict(False, f"{where} has dtype {got.dtype}, expected a floating-point array.")
    xp = array_namespace(arr)
    if not xp.isdtype(to_numpy(got).dtype, "real floating"):
        return Verdict(False, f"{where} has dtype {got.dtype}, expected {expected.dtype}: an "
                              f"integer array cannot hold these values.")
    if not bool(xp.all(xp.isfinite(arr))):
        bad = "NaN" if bool(xp.any(xp.isnan(arr))) else "inf"
        return Verdict(False, f"{where} contains {bad}: something overflows or divides by zero "
                              f"(an exp of a large number? a division by a norm of 0?).")
    exp = xp.astype(to_numpy(expected), xp.float64)
    if close(arr, exp):
        return Verdict(True)
    if bool(xp.all(arr == 0)):
        return Verdict(False, f"{where} is all zeros: has it been computed yet?")
    if close(arr, -exp):
        return Verdict(False, f"{where} has the wrong sign everywhere: a minus sign is flipped "
                              f"(for a gradient, d(a - b)/db = -1).")
    if len(exp_shape) == 2 and exp_shape[0] == exp_shape[1] and close(arr, exp.T):
        return Verdict(False, f"{where} is the transpose of the right answer: for y = a @ W "
                              f"the gradient of W is a.T @ dy, not dy.T @ a.")
    k = _scale_factor(arr, exp) if arr.size > 1 else None  # one number is always "a factor"
    if k is not None:
        return Verdict(False, f"{where} {_factor_sentence(k, sizes)}.")
    return Verdict(False, f"{where} has the right shape but wrong values (relative error "
                          f"{relative_error(arr, exp):.2g}).")
