"""The `xp` fixture: every library test runs on every available array namespace.

NumPy always; array-api-strict always (a stray NumPy-only call in the math fails
there); CuPy only where it is installed and a GPU answers.
"""

import os
import pathlib
import shutil
import subprocess
import sys

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


ROOT = pathlib.Path(__file__).resolve().parents[1]


@pytest.fixture(scope="session")
def built_book(tmp_path_factory):
    """The book built once, cold, in a temporary copy, as `make book` builds it.

    Returns ``(html folder, completed process)``. The vendored JavaScript
    (tools/vendor_js.sh) is reused from the working tree when it is there.
    """
    work = tmp_path_factory.mktemp("book")
    for name in ("book", "_config.yml", "_toc.yml", "rnnlib", "tools", "_vendor", "exercises"):
        src = ROOT / name
        if src.exists():
            (shutil.copytree if src.is_dir() else shutil.copy)(src, work / name)
    env = {**os.environ, "PATH": f"{pathlib.Path(sys.executable).parent}:{os.environ['PATH']}",
           "OPENBLAS_NUM_THREADS": "1", "RNNLIB_BOOK_BUILD": "1"}  # one BLAS thread: small matrices, 2 cores
    vendor = subprocess.run(["bash", "tools/vendor_js.sh"], cwd=work, env=env, capture_output=True,
                            text=True, timeout=600)
    jb = pathlib.Path(sys.executable).parent / "jupyter-book"
    proc = subprocess.run([str(jb), "build", ".", "-W", "-n", "--keep-going"], cwd=work,
                          env=env, capture_output=True, text=True, timeout=900)
    proc.stdout = vendor.stdout + proc.stdout
    return work / "_build" / "html", proc
