"""The cache a forward pass returns, entry by entry, in the layout the assignment gives.

Each assignment with a backward pass fixes the cache of its forward step: ``(x, h_prev,
Wx, Wh, h)`` for the RNN, ``(x, h_prev, c_prev, Wx, Wh, gates, tanh_c)`` for the LSTM,
``(x, h_prev, Wx, Wh, zr, n)`` for the GRU, and for a sequence the list of the T step
caches. The backward pass unpacks it by place, and the checks hand backward passes
caches in that layout, so a forward whose outputs are right but whose cache holds
something else (the pre-activation where the activation belongs, say) is wrong.

:func:`cache_fault` compares a student's cache with the reference's, entry by entry,
and says which entry is wrong and, where it can, what that entry holds instead: another
entry of the cache, a known stand-in such as the pre-activation, or, for a packed entry,
which of its gate blocks is wrong. It never shows the values.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

from ..backend import is_array, to_numpy
from .compare import close
from .localise import _names


@dataclass
class Entry:
    name: str  # as the backward pass unpacks it: "h", "gates"
    holds: str  # what it is, in the book's words: "h = tanh(a), after the activation"
    blocks: tuple = ()  # the H-column blocks of a packed entry, in order: ("input (i)", ...)


@dataclass
class Layout:
    """The documented layout of a forward pass's cache.

    ``reference`` and ``stand_ins`` take the function's arguments and return one item per
    step (a single step for a step function): the reference's step cache, and ``{entry
    index: [(label, what it is, value), ...]}``, known wrong contents of that entry."""

    entries: tuple
    reference: Callable  # (*args) -> [step cache, ...]
    take: Callable  # the student's return value -> their cache (their list of caches)
    stand_ins: Callable = lambda *args: []  # (*args) -> [{index: [(label, what, value)]}, ...]
    sequence: bool = False  # a list of step caches, one per step (rnn_forward)


@dataclass
class Fault:
    sentence: str
    where: str  # "cache[4]", "caches[2][4]", "cache"
    label: str | None = None  # set when the sentence names what the entry holds instead


def _ok(got, expected):
    return is_array(got) and close(to_numpy(got) * 1.0, to_numpy(expected) * 1.0)


def _shape(value):
    return tuple(value.shape)


def _layout_text(layout):
    return "(" + ", ".join(e.name for e in layout.entries) + ")"


def _kind(value):
    return "None" if value is None else f"a {type(value).__name__}"


def _structure(layout, cache, label):
    """A sentence if ``cache`` is not a tuple of the layout's length, else ""."""
    tuple_text = _layout_text(layout)
    if not isinstance(cache, (tuple, list)):
        return (f"{label} is {_kind(cache)}: return it as the tuple {tuple_text}, which the "
                f"backward pass unpacks in this order.")
    if len(cache) != len(layout.entries):
        return (f"{label} has {len(cache)} entries: it should be the tuple {tuple_text} of "
                f"{len(layout.entries)}, which the backward pass unpacks in this order.")
    return ""


def _moved_blocks(entry, got, expected, wrong):
    """``"its output (o) block holds the candidate (g)"``-style phrases for wrong blocks
    that hold another block's values (gates packed in another order)."""
    H = _shape(expected)[-1] // len(entry.blocks)
    block = lambda a, k: a[..., k * H:(k + 1) * H]  # noqa: E731
    found = []
    for k in wrong:
        other = next((j for j in range(len(entry.blocks)) if j != k
                      and _ok(block(got, k), block(expected, j))), None)
        if other is None:
            return []
        found.append(f"its {entry.blocks[k]} block holds the {entry.blocks[other]}")
    return found


def _blocks(entry, got, expected, stand_ins):
    """What is wrong inside a packed entry of the right shape ("" if it has no blocks)."""
    if not entry.blocks or _shape(expected)[-1] % len(entry.blocks):
        return ""
    H = _shape(expected)[-1] // len(entry.blocks)
    block = lambda a, k: a[..., k * H:(k + 1) * H]  # noqa: E731
    got, expected = to_numpy(got), to_numpy(expected)
    wrong = [k for k in range(len(entry.blocks)) if not _ok(block(got, k), block(expected, k))]
    moved = _moved_blocks(entry, got, expected, wrong) if wrong else []
    if moved:
        order = ", ".join(b.split()[-1].strip("()") for b in entry.blocks)
        return f"; {_names(moved)}: pack the blocks in the order {order}"
    if not wrong or len(wrong) == len(entry.blocks):
        return ""
    names = [entry.blocks[k] for k in wrong]
    sentence = f"; only its {_names(names)} block{'s are' if len(names) > 1 else ' is'} wrong"
    for label, what, value in stand_ins:
        if is_array(value) and _shape(value) == _shape(expected) \
                and all(_ok(block(got, k), block(to_numpy(value), k)) for k in wrong):
            return sentence + f", and {'they hold' if len(names) > 1 else 'it holds'} the matching block of {what}"
    return sentence


def _entry(layout, k, got, expected, stand_ins, step_cache, label):
    """``(sentence, stand-in label)`` for entry ``k`` of one step cache, or ``("", None)``."""
    entry = layout.entries[k]
    should = f"{label}[{k}] should be {entry.holds}"
    if not is_array(got):
        return f"{should}, an array of shape {_shape(expected)}; yours is {_kind(got)}.", None
    if _ok(got, expected):
        return "", None
    for j, (other, value) in enumerate(zip(layout.entries, step_cache)):
        if j != k and not _ok(value, expected) and _ok(got, value):
            return (f"{should}; yours holds {other.name}, which belongs in {label}[{j}]: keep the "
                    f"order {_layout_text(layout)}.", f"{other.name} in place of {entry.name}")
    if _shape(got) != _shape(expected):
        return f"{should}, of shape {_shape(expected)}; yours has shape {_shape(got)}.", None
    for name, what, value in stand_ins:
        if _ok(got, value) and not _ok(value, expected):
            return f"{should}; yours holds a value that matches {what}.", name
    inside = _blocks(entry, got, expected, stand_ins)
    return f"{should}{inside or '; yours holds other values'}.", None


def _step(layout, cache, reference, stand_ins, label):
    """The first wrong entry of one step cache: ``(sentence, where, stand-in label)`` or None."""
    problem = _structure(layout, cache, label)
    if problem:
        return problem, label, None
    for k, (got, expected) in enumerate(zip(cache, reference)):
        sentence, name = _entry(layout, k, got, expected, stand_ins.get(k, []), reference, label)
        if sentence:
            return sentence, f"{label}[{k}]", name
    return None


def cache_fault(layout, args, result):
    """A :class:`Fault` if the cache in ``result`` is not the reference's, else None."""
    try:
        cache = layout.take(result)
    except (TypeError, IndexError):
        return None  # the outputs were read from it, so this does not happen
    references = layout.reference(*args)
    stand_ins = list(layout.stand_ins(*args)) or [{} for _ in references]
    if not layout.sequence:
        found = _step(layout, cache, references[0], stand_ins[0], "cache")
        return Fault(*found) if found else None
    T = len(references)
    if not isinstance(cache, (list, tuple)):
        return Fault(f"caches is {_kind(cache)}: return the list of the T = {T} step caches, "
                     f"one per step in order, each the tuple {_layout_text(layout)}.", "caches")
    if len(cache) != T:
        return Fault(f"caches has {len(cache)} entries for T = {T} step{'s' if T != 1 else ''}: return one step cache "
                     f"per step, in order, each the tuple {_layout_text(layout)}.", "caches")
    found = [_step(layout, c, r, s, f"caches[{t}]") for t, (c, r, s) in enumerate(zip(cache, references, stand_ins))]
    wrong = [t for t, f in enumerate(found) if f]
    if not wrong:
        return None
    sentence, where, name = found[wrong[0]]
    return Fault(sentence + _which_steps(found, wrong, T), where, name)


def _which_steps(found, wrong, T):
    """Which steps' caches are wrong, when there are several steps ("" for one step)."""
    if T < 2:
        return ""
    entry = lambda t: found[t][1].split("]", 1)[1]  # noqa: E731  "[4]" of "caches[2][4]"
    if len(wrong) == T:
        same = all(entry(t) == entry(wrong[0]) for t in wrong)
        return " The same entry is wrong at every step." if same else " Every step's cache is wrong."
    right = [t for t in range(T) if t not in wrong]
    return (f" The caches of steps t = {_names(map(str, wrong))} are wrong; those of t = "
            f"{_names(map(str, right))} are right.")
