"""Where arrays come from: NumPy by default, CuPy when asked, any array-API library.

This is the only module of ``rnnlib`` that names NumPy or CuPy. Every math function
takes its namespace from its inputs (:func:`array_namespace`), so the same code runs
on whatever arrays it is given. The *selected* backend only matters where new arrays
are made from nothing: parameter initialisation, the data sets, zero initial states.

Select a backend with :func:`set_backend` or with the environment variable
``RNNLIB_BACKEND`` (``numpy`` or ``cupy``), read when ``rnnlib`` is first imported.
"""

from __future__ import annotations

import os

import array_api_compat
import numpy as np

_BACKENDS = ("numpy", "cupy")
_selected = "numpy"


def _import_cupy():
    """Import CuPy and make sure a GPU answers, or say clearly why not."""
    try:
        import cupy
    except ImportError as exc:  # not installed
        raise RuntimeError(
            "backend 'cupy' was asked for but CuPy is not installed; "
            "install it with `pip install -e .[gpu]` on a machine with an NVIDIA GPU, "
            "or use backend 'numpy'"
        ) from exc
    try:
        count = cupy.cuda.runtime.getDeviceCount()
    except Exception as exc:  # CUDA driver missing or broken
        raise RuntimeError(
            f"backend 'cupy' was asked for but no GPU is usable: {exc}; use backend 'numpy'"
        ) from exc
    if count < 1:
        raise RuntimeError("backend 'cupy' was asked for but no GPU is present; use backend 'numpy'")
    return cupy


def set_backend(name: str) -> None:
    """Select the library that new arrays are created with: ``"numpy"`` or ``"cupy"``.

    Raises ``ValueError`` for an unknown name and ``RuntimeError`` when CuPy is asked
    for where it is not installed or no GPU is present.
    """
    global _selected
    if name not in _BACKENDS:
        raise ValueError(f"backend: expected one of {_BACKENDS}, got {name!r}")
    if name == "cupy":
        _import_cupy()
    _selected = name


def get_backend() -> str:
    """The name of the selected backend, ``"numpy"`` or ``"cupy"``."""
    return _selected


def namespace():
    """The array namespace of the selected backend (array-API compatible)."""
    if _selected == "cupy":
        return array_api_compat.array_namespace(_import_cupy().empty(0))
    return array_api_compat.array_namespace(np.empty(0))


def asarray(a, dtype: str | None = None):
    """Put ``a`` (nested lists, NumPy or backend arrays) on the selected backend.

    ``dtype`` is a name such as ``"float32"``, ``"float64"`` or ``"int64"``.
    """
    if _selected == "cupy":
        cupy = _import_cupy()
        return cupy.asarray(a, dtype=dtype)
    return np.asarray(to_numpy(a), dtype=dtype)


def to_numpy(a):
    """Return ``a`` as a NumPy array (copying from the GPU if need be), e.g. for plotting."""
    if isinstance(a, np.ndarray):
        return a
    if array_api_compat.is_cupy_array(a):
        return a.get()
    if array_api_compat.is_array_api_obj(a) and not isinstance(a, (int, float, complex)):
        # array-api-strict and other libraries: go through DLPack or the buffer protocol
        try:
            return np.from_dlpack(a)
        except (TypeError, AttributeError, RuntimeError, BufferError):
            return np.asarray(a)
    return np.asarray(a)


def transposed_copy(xp, W):
    """W.T as a new row-major array: a loop that multiplies by W.T a hundred times runs
    faster on it than on the strided view ``W.T`` (one copy, portable across libraries)."""
    rows, cols = W.shape
    return xp.reshape(xp.reshape(xp.permute_dims(W, (1, 0)), (-1,)), (cols, rows))


def into(out, fn, *args):
    """Store ``fn(*args)`` in the existing array ``out`` and return ``out``.

    ``fn`` is a function of the array namespace (``xp.tanh``, ``xp.multiply``,
    ``xp.matmul``). NumPy and CuPy write the result straight into ``out`` (their
    functions of the same name take ``out=``), with no temporary array; the array API
    standard has no ``out=``, so other libraries compute a new array and copy it in.
    The values are the same either way.
    """
    if isinstance(out, np.ndarray):
        return getattr(np, fn.__name__)(*args, out=out)
    if array_api_compat.is_cupy_array(out):
        import cupy  # already imported: out is a CuPy array

        return getattr(cupy, fn.__name__)(*args, out=out)
    out[...] = fn(*args)
    return out


def default_rng(seed=None):
    """A seeded random generator; draw from it, then move the draws with :func:`asarray`.

    Drawing on the CPU and copying keeps every example identical on every backend.
    """
    return np.random.default_rng(seed)


def array_namespace(*arrays):
    """The namespace shared by ``arrays`` (``None`` entries are skipped).

    Raises ``TypeError`` when they come from different libraries. Use
    :func:`rnnlib.validate.check_inputs` in library code: it names the arguments.
    """
    return array_api_compat.array_namespace(*[a for a in arrays if a is not None])


def is_array(a) -> bool:
    """Whether ``a`` is an array of any array-API library (not a list or a number)."""
    return array_api_compat.is_array_api_obj(a) and not isinstance(a, (int, float, complex, bool))


_env = os.environ.get("RNNLIB_BACKEND")
if _env:
    set_backend(_env.strip().lower())
