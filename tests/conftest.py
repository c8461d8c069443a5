"""The `xp` fixture: every library test runs on every available array namespace.

NumPy always; array-api-strict always (a stray NumPy-only call in the math fails
there); CuPy only where it is installed and a GPU answers.
"""

import os

import array_api_strict
import numpy as np
import pytest

# Tests that need a system tool skip where it is missing; under RNNLIB_REQUIRE_ALL=1
# (set by .ci/run) such a skip becomes a failure.
REQUIRE_ALL = os.environ.get("RNNLIB_REQUIRE_ALL") == "1"


def _cupy_or_reason():
    try:
        import cupy
    except ImportError:
        return None, "CuPy is not installed"
    try:
        if cupy.cuda.runtime.getDeviceCount() < 1:
            return None, "no GPU is present"
    except Exception as exc:  # no driver
        return None, f"no GPU is usable ({exc})"
    return cupy, None


_CUPY, _CUPY_REASON = _cupy_or_reason()


@pytest.fixture(params=["numpy", "array_api_strict", "cupy"])
def xp(request):
    """An array namespace; arrays made with `xp.asarray(numpy_array)`."""
    if request.param == "numpy":
        return np
    if request.param == "array_api_strict":
        return array_api_strict
    if _CUPY is None:
        pytest.skip(f"cupy backend: {_CUPY_REASON}")
    return _CUPY


@pytest.fixture
def rng():
    return np.random.default_rng(1234)


def to_np(a):
    """Any backend's array as NumPy, for comparisons."""
    import rnnlib

    return rnnlib.to_numpy(a)


def pytest_collection_modifyitems(config, items):
    # The cupy leg of `xp` is a backend that may be absent by design: never "required".
    pass


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    report = outcome.get_result()
    if REQUIRE_ALL and report.skipped and "requires_tool" in item.keywords:
        report.outcome = "failed"
        report.longrepr = f"skipped under RNNLIB_REQUIRE_ALL=1: {report.longrepr}"
