#!/usr/bin/env bash
# The GPU check, for a machine with an NVIDIA GPU, its driver and Python 3.11+:
#
#   bash benchmarks/gpu.sh
#
# 1. makes a virtual environment (.venv-gpu, or $VENV) with rnnlib's `gpu` extra (CuPy),
#    PyTorch and the test tools;
# 2. runs the CuPy leg of the test suite (every test of the `xp` fixture, on CuPy);
# 3. times one training step of rnnlib on CuPy against torch.nn.LSTM/GRU/RNN on CUDA
#    (benchmarks/bench_layers.py --device cuda) and prints its table.
#
# PYTHON picks the interpreter (default python3); pip's own settings (PIP_INDEX_URL,
# PIP_EXTRA_INDEX_URL, PIP_FIND_LINKS) pass through, e.g. to take PyTorch for another CUDA
# version from https://download.pytorch.org/whl/. Extra arguments go to the benchmark
# (e.g. --repeats 41).
set -euo pipefail
cd "$(dirname "$0")/.."
PYTHON="${PYTHON:-python3}"
VENV="${VENV:-.venv-gpu}"

if ! command -v nvidia-smi >/dev/null; then
  echo "gpu.sh: nvidia-smi not found: this check needs an NVIDIA GPU and its driver" >&2
  exit 1
fi
nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv,noheader

[ -x "$VENV/bin/python" ] || "$PYTHON" -m venv "$VENV"
py="$VENV/bin/python"
"$py" -m pip install --quiet --upgrade pip
"$py" -m pip install --quiet -e '.[gpu,book]' 'array-api-strict>=2.2,<3' 'pytest>=8,<10' \
  -r benchmarks/requirements.txt

# Both libraries must see the GPU; say which part is missing rather than skip.
"$py" - <<'EOF'
import sys

import cupy
import torch

try:
    count = cupy.cuda.runtime.getDeviceCount()
except Exception as exc:
    sys.exit(f"gpu.sh: CuPy {cupy.__version__} sees no usable GPU: {exc}")
if not torch.cuda.is_available():
    sys.exit(f"gpu.sh: torch {torch.__version__} has no CUDA here; install a CUDA build "
             "(PIP_INDEX_URL=https://download.pytorch.org/whl/cu126, for example)")
print(f"CuPy {cupy.__version__} ({count} GPU), CUDA runtime "
      f"{cupy.cuda.runtime.runtimeGetVersion()}; torch {torch.__version__} (CUDA {torch.version.cuda})")
EOF

# The CuPy leg: the tests that take the `xp` fixture, on CuPy only (the NumPy and
# array-api-strict legs run everywhere, in `make test`).
mapfile -t files < <(grep -l 'def test_.*(xp' tests/test_*.py)
"$py" -m pytest -q -p no:cacheprovider -k cupy "${files[@]}"

RNNLIB_BACKEND=cupy "$py" benchmarks/bench_layers.py --device cuda "$@"
