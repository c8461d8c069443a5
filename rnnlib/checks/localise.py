"""Where a wrong answer goes wrong: which outputs, which gate blocks, which time steps.

:func:`where_wrong` looks inside a failed check before its sentence is written: it
says which of the function's outputs are right and which are wrong, which blocks of a
packed LSTM (i, f, o, g) or GRU (z, r, n) array are wrong, and which time steps of a
sequence output are right. It never shows the expected values.
"""

from __future__ import annotations

from ..backend import is_array, to_numpy
from .compare import close

GATES = {"lstm": ("input (i)", "forget (f)", "output (o)", "candidate (g)"),
         "gru": ("update (z)", "reset (r)", "candidate (n)")}
WEIGHT_GRADIENTS = ("dWx", "dWh", "db", "dWy", "dWs")


def _ok(got, expected):
    return is_array(got) and close(to_numpy(got) * 1.0, to_numpy(expected) * 1.0)


def _names(items):
    items = list(items)
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]


def _outputs(names, got, expected):
    wrong = [n for n, g, e in zip(names, got, expected) if not _ok(g, e)]
    right = [n for n in names if n not in wrong]
    if not right or len(names) < 2:
        return ""
    sentence = (f"{_names(wrong)} {'is' if len(wrong) == 1 else 'are'} wrong; "
                f"{_names(right)} {'is' if len(right) == 1 else 'are'} right")
    if all(n in WEIGHT_GRADIENTS for n in wrong):
        sentence += (": the gradient flowing back is right, so look at how the weight and bias "
                     "gradients are formed from it (which activation is multiplied with it, and "
                     "the sum over the batch)")
    return sentence + "."


def _wrong_blocks(function, got, expected, sizes):
    """The wrong gate blocks of one packed output (None where it has no gate blocks)."""
    gates, H = GATES.get(function.split("_")[0]), sizes.get("H")
    if gates is None or H is None or not is_array(got) or tuple(got.shape) != tuple(expected.shape) \
            or not got.shape or got.shape[-1] != len(gates) * H:
        return None
    got, expected = to_numpy(got), to_numpy(expected)
    return tuple(gate for k, gate in enumerate(gates)
                 if not _ok(got[..., k * H:(k + 1) * H], expected[..., k * H:(k + 1) * H]))


def _blocks(function, names, got, expected, sizes):
    by_blocks = {}  # the same wrong blocks in several outputs are said once
    for name, g, e in zip(names, got, expected):
        wrong = _wrong_blocks(function, g, e, sizes)
        if wrong and len(wrong) < len(GATES[function.split("_")[0]]):
            by_blocks.setdefault(wrong, []).append(name)
    sentences = []
    for wrong, outputs in by_blocks.items():
        order = ", ".join(g.split()[-1].strip("()") for g in GATES[function.split("_")[0]])
        sentences.append(f"Only the {_names(wrong)} gate block{'s are' if len(wrong) > 1 else ' is'} wrong "
                         f"in {_names(outputs)} (packed in the order {order}): look at "
                         f"{'that gate' if len(wrong) == 1 else 'those gates'} alone.")
    return " ".join(sentences)


def _steps(name, got, expected, sizes):
    T = sizes.get("T", 1)
    if T < 2 or not is_array(got) or tuple(got.shape) != tuple(expected.shape) or got.ndim < 2 \
            or got.shape[1] != T:
        return ""
    got, expected = to_numpy(got), to_numpy(expected)
    right = [t for t in range(T) if _ok(got[:, t], expected[:, t])]
    if not right:
        return ""
    if right == [T - 1]:
        return (f"In {name} the last step is right and every earlier one is wrong: look at what "
                f"flows from step t+1 back to step t.")
    if right == [0]:
        return (f"In {name} the first step is right and every later one is wrong: look at what "
                f"step t hands on to step t+1 (the state carried forward).")
    wrong = [t for t in range(T) if t not in right]
    return f"In {name} steps t = {_names(map(str, right))} are right and t = {_names(map(str, wrong))} wrong."


def where_wrong(function, names, got, expected, sizes):
    """Sentences that say where ``got`` differs from ``expected`` (output by output)."""
    parts = [_outputs(names, got, expected), _blocks(function, names, got, expected, sizes)]
    parts += [_steps(name, g, e, sizes) for name, g, e in zip(names, got, expected) if not _ok(g, e)]
    return " ".join(p for p in parts if p)
