"""Bad input gets a clear error before any arithmetic; the backend switch."""

import os
import subprocess
import sys

import array_api_strict
import numpy as np
import pytest

import rnnlib
from rnnlib import backend


def _rnn_args(N=2, D=3, H=4):
    rng = np.random.default_rng(0)
    return dict(x=rng.standard_normal((N, D)), h_prev=rng.standard_normal((N, H)),
                Wx=rng.standard_normal((D, H)), Wh=rng.standard_normal((H, H)), b=np.zeros(H))


@pytest.mark.parametrize("name,bad,pattern", [
    ("Wx", np.zeros((4, 4)), r"Wx: expected shape \(D, H\) = \(3, 4\) given .*got shape \(4, 4\)"),
    ("Wh", np.zeros((4, 5)), r"Wh: expected shape \(H, H\) = \(4, 4\) given .*got shape \(4, 5\)"),
    ("b", np.zeros(5), r"b: expected shape \(H\) = \(4\) given .*got shape \(5,\)"),
    ("h_prev", np.zeros((3, 4)), r"h_prev: expected shape \(N, H\) = \(2, H\) given .*got shape \(3, 4\)"),
    ("x", np.zeros((2, 3, 1)), r"x: expected a 2-D array of shape \(N, D\), got shape \(2, 3, 1\)"),
])
def test_shape_errors_name_argument_received_and_expected(name, bad, pattern):
    args = _rnn_args()
    args[name] = bad
    with pytest.raises(ValueError, match=pattern):
        rnnlib.rnn_step_forward(**args)


def test_packed_lstm_and_gru_weights_are_checked():
    rng = np.random.default_rng(0)
    x, h, c = rng.standard_normal((2, 3)), rng.standard_normal((2, 4)), rng.standard_normal((2, 4))
    with pytest.raises(ValueError, match=r"Wx: expected shape \(D, 4H\) = \(3, 16\)"):
        rnnlib.lstm_step_forward(x, h, c, np.zeros((3, 12)), np.zeros((4, 16)), np.zeros(16))
    with pytest.raises(ValueError, match=r"Wh: expected shape \(H, 3H\) = \(4, 12\)"):
        rnnlib.gru_step_forward(x, h, np.zeros((3, 12)), np.zeros((4, 16)), np.zeros(12))
    with pytest.raises(ValueError, match=r"c0: expected shape \(N, H\)"):
        rnnlib.lstm_forward(np.zeros((2, 5, 3)), h, np.zeros((3, 16)), np.zeros((4, 16)),
                            np.zeros(16), c0=np.zeros((2, 5)))


def test_backward_checks_the_upstream_gradient():
    h, cache = rnnlib.rnn_step_forward(**_rnn_args())
    with pytest.raises(ValueError, match=r"dh: expected shape \(N, H\) = \(2, 4\) given N=2, H=4, got shape \(2, 5\)"):
        rnnlib.rnn_step_backward(np.zeros((2, 5)), cache)
    hs, cache = rnnlib.rnn_forward(np.zeros((2, 3, 3)), np.zeros((2, 4)), np.zeros((3, 4)),
                                   np.zeros((4, 4)), np.zeros(4))
    with pytest.raises(ValueError, match=r"dh: expected shape \(2, 3, 4\), got shape \(2, 4, 4\)"):
        rnnlib.rnn_backward(np.zeros((2, 4, 4)), cache)


@pytest.mark.parametrize("bad,pattern", [
    (np.zeros((2, 3), dtype=np.int64), r"x: expected a floating-point array, got dtype int64"),
    (np.zeros((2, 3), dtype=object), r"x: expected a floating-point array, got dtype object"),
    (np.zeros((2, 3), dtype=bool), r"x: expected a floating-point array, got dtype bool"),
    ([[0.0] * 3] * 2, r"x: expected an array, got a list"),
    (3.0, r"x: expected an array, got a float"),
])
def test_type_errors_name_the_argument(bad, pattern):
    args = _rnn_args()
    args["x"] = bad
    with pytest.raises(TypeError, match=pattern):
        rnnlib.rnn_step_forward(**args)


def test_mixed_backends_raise_type_error():
    args = _rnn_args()
    args["Wh"] = array_api_strict.asarray(args["Wh"])
    with pytest.raises(TypeError, match="arrays from different libraries cannot be mixed: .*Wh is array_api_strict"):
        rnnlib.rnn_step_forward(**args)


def test_errors_come_before_arithmetic():
    """A call with a bad last argument does no work: nothing is computed or changed."""
    args = _rnn_args()
    before = {k: v.copy() for k, v in args.items()}
    args["b"] = np.zeros(7)
    with pytest.raises(ValueError, match="^b: "):
        rnnlib.rnn_step_forward(**args)
    for k in before:
        if k != "b":
            np.testing.assert_array_equal(args[k], before[k])


def test_set_backend_rejects_unknown_names():
    with pytest.raises(ValueError, match=r"backend: expected one of \('numpy', 'cupy'\), got 'torch'"):
        rnnlib.set_backend("torch")


def test_cupy_request_without_cupy_or_gpu_says_so():
    try:
        import cupy  # noqa: F401
        pytest.skip("CuPy is installed here; the error path is for machines without it")
    except ImportError:
        pass
    with pytest.raises(RuntimeError, match="backend 'cupy' was asked for but CuPy is not installed"):
        rnnlib.set_backend("cupy")
    assert rnnlib.get_backend() == "numpy"


def test_environment_variable_selects_the_backend():
    env = {**os.environ, "RNNLIB_BACKEND": "cupy"}
    out = subprocess.run([sys.executable, "-c", "import rnnlib"], env=env, capture_output=True, text=True)
    try:
        import cupy  # noqa: F401
        has_cupy = True
    except ImportError:
        has_cupy = False
    if not has_cupy:
        assert out.returncode != 0 and "backend 'cupy' was asked for" in out.stderr
    env["RNNLIB_BACKEND"] = "numpy"
    out = subprocess.run([sys.executable, "-c", "import rnnlib; print(rnnlib.get_backend())"],
                         env=env, capture_output=True, text=True)
    assert out.stdout.strip() == "numpy"


def test_new_arrays_follow_the_selected_backend_and_to_numpy_returns_numpy():
    W = rnnlib.random_array((2, 3), seed=5)
    assert isinstance(W, np.ndarray) and W.dtype == np.float64
    strict = array_api_strict.asarray(W)
    back = rnnlib.to_numpy(strict)
    assert isinstance(back, np.ndarray)
    np.testing.assert_array_equal(back, W)
    assert backend.namespace().__name__.endswith("numpy")


def test_only_backend_names_numpy_or_cupy():
    """The math takes its namespace from its inputs: no other module imports NumPy/CuPy."""
    import pathlib
    import re

    root = pathlib.Path(rnnlib.__file__).parent
    math_modules = ["activations", "rnn", "lstm", "gru", "layers", "losses", "optim", "bptt",
                    "gradcheck", "init", "model", "train", "validate"]
    for name in math_modules:
        text = (root / f"{name}.py").read_text()
        assert not re.search(r"^\s*(import|from)\s+(numpy|cupy)\b", text, re.M), name
        assert "np." not in text, name


@pytest.mark.parametrize("xp", [np, array_api_strict])
def test_into_writes_into_the_given_array(xp):
    """backend.into: NumPy (and CuPy) through out=, other libraries by copying in."""
    a = xp.asarray(np.arange(6.0).reshape(2, 3))
    out = xp.zeros((2, 3), dtype=xp.float64)
    assert backend.into(out, xp.multiply, a, a) is out
    np.testing.assert_array_equal(rnnlib.to_numpy(out), np.arange(6.0).reshape(2, 3) ** 2)
    backend.into(out, xp.tanh, out)  # in place
    np.testing.assert_array_equal(rnnlib.to_numpy(out), np.tanh(np.arange(6.0).reshape(2, 3) ** 2))
    w = xp.asarray(np.ones((3, 2)))
    small = xp.zeros((2, 2), dtype=xp.float64)
    backend.into(small, xp.matmul, a, w)
    np.testing.assert_array_equal(rnnlib.to_numpy(small), np.arange(6.0).reshape(2, 3) @ np.ones((3, 2)))
