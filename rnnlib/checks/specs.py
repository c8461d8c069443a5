"""What each graded function is checked on: inputs, reference, and common mistakes.

A :class:`Spec` makes seeded inputs for a shape, computes the reference outputs with
rnnlib, and lists named mistakes: wrong variants of the function, each with the one
sentence a student needs when their output equals that variant's.

Student functions get the same arguments as rnnlib's. Backward functions get a cache
in the layout the exercises use: a step cache is rnnlib's own NamedTuple (unpack it
as ``x, h_prev, Wx, Wh, h = cache``); a sequence cache is the list of the T step
caches that ``rnn_forward`` collects while it loops ``rnn_step_forward``.

In hidden cases those caches are not the forward pass of their own inputs: the
stored activations are redrawn (:attr:`Spec.decouple`, applied by :func:`case_args`),
so only a backward pass that uses what the cache holds gives the reference's answer;
one that re-runs the forward and differentiates it numerically does not.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable

from .. import bptt, gates, gru, lstm, optim, rnn
from ..activations import sigmoid
from ..backend import array_namespace, asarray, default_rng
from .caches import Entry, Layout


@dataclass
class Mistake:
    label: str
    sentence: str
    variant: Callable  # same arguments as the function, returns outputs like the reference


@dataclass
class Spec:
    name: str
    outputs: tuple  # names of the compared outputs
    make_args: Callable  # (rng, sizes) -> tuple of positional arguments
    reference: Callable  # (*args) -> tuple of outputs
    pick: Callable  # student's return value -> tuple of outputs (may raise TypeError)
    public: list  # sizes of the public case(s)
    hidden: list  # sizes of the hidden cases
    mistakes: list = field(default_factory=list)
    numerical: Callable | None = None  # (seed, sizes) -> finite-difference outputs
    decouple: Callable | None = None  # (rng, args) -> args, cached activations redrawn (hidden)
    # the upstream gradients (argument indices) a backward pass may overwrite in place: its
    # caller never reads them again. Every other input must be left as it was given.
    consumed: tuple = ()
    # the layout of the cache a forward pass returns, which its backward pass reads by place
    # (None where the function returns no cache): compared entry by entry, see caches.py
    cache: Layout | None = None


def _randn(rng, *shape, scale=1.0):
    return asarray(scale * rng.standard_normal(shape), dtype="float64")


def _first(result):
    """The first element of a ``(out, cache)`` pair."""
    if not isinstance(result, tuple) or len(result) < 2:
        raise TypeError("expected a tuple (output, cache)")
    return (result[0],)


def _all(n):
    def pick(result):
        if not isinstance(result, tuple) or len(result) != n:
            got = f"a tuple of {len(result)}" if isinstance(result, tuple) else f"a {type(result).__name__}"
            raise TypeError(f"expected a tuple of {n} arrays, got {got}")
        return tuple(result)

    return pick


def _xp(*arrays):
    return array_namespace(*arrays)


def _fresh(rng, like):
    """Standard-normal draws shaped like ``like``, in its namespace and dtype: the new
    pre-activations of a decoupled cache."""
    xp = _xp(like)
    return xp.asarray(rng.standard_normal(tuple(like.shape)), dtype=like.dtype)


# ---------------------------------------------------------------- simple RNN -------

def _rnn_args(rng, s):
    N, D, H = s["N"], s["D"], s["H"]
    return (_randn(rng, N, D), _randn(rng, N, H), _randn(rng, D, H, scale=0.5),
            _randn(rng, H, H, scale=0.5), _randn(rng, H, scale=0.5))


def _rnn_step(x, h_prev, Wx, Wh, b):
    return (rnn.rnn_step_forward(x, h_prev, Wx, Wh, b)[0],)


_RNN_ENTRIES = (Entry("x", "x, the step's input"), Entry("h_prev", "h_prev, the state the step starts from"),
                Entry("Wx", "Wx"), Entry("Wh", "Wh"), Entry("h", "h = tanh(a), after the activation"))


def _rnn_stand_ins(x, h_prev, Wx, Wh, b):
    """What a step cache's h is sometimes replaced by."""
    return {4: [("pre-activation", "the pre-activation a = x @ Wx + h_prev @ Wh + b, before the tanh",
                 x @ Wx + h_prev @ Wh + b)]}


RNN_STEP_CACHE = Layout(
    _RNN_ENTRIES, lambda *args: [rnn.rnn_step_forward(*args)[1]], lambda result: result[1],
    lambda *args: [_rnn_stand_ins(*args)])


RNN_STEP_FORWARD = Spec(
    "rnn_step_forward", ("h",), _rnn_args, _rnn_step, _first,
    public=[dict(N=3, D=4, H=5)],
    hidden=[dict(N=1, D=1, H=1), dict(N=4, D=6, H=6), dict(N=16, D=10, H=32)],
    mistakes=[
        Mistake("transposed Wh", "multiplies by Wh transposed: with row vectors the "
                "state comes first, h_prev @ Wh.",
                lambda x, h, Wx, Wh, b: (_xp(x).tanh(x @ Wx + h @ Wh.T + b),)),
        Mistake("no bias", "leaves out the bias b.",
                lambda x, h, Wx, Wh, b: (_xp(x).tanh(x @ Wx + h @ Wh),)),
        Mistake("no tanh", "is missing the tanh: the new state is tanh of the sum.",
                lambda x, h, Wx, Wh, b: (x @ Wx + h @ Wh + b,)),
        Mistake("sigmoid", "uses a sigmoid where the RNN uses tanh.",
                lambda x, h, Wx, Wh, b: (sigmoid(x @ Wx + h @ Wh + b),)),
        Mistake("no recurrence", "ignores the previous state h_prev: add h_prev @ Wh.",
                lambda x, h, Wx, Wh, b: (_xp(x).tanh(x @ Wx + b),)),
    ],
    cache=RNN_STEP_CACHE,
)


def _rnn_seq_args(rng, s):
    N, T, D, H = s["N"], s["T"], s["D"], s["H"]
    return (_randn(rng, N, T, D), _randn(rng, N, H), _randn(rng, D, H, scale=0.5),
            _randn(rng, H, H, scale=0.5), _randn(rng, H, scale=0.5))


def _rnn_seq(x, h0, Wx, Wh, b):
    return (rnn.rnn_forward(x, h0, Wx, Wh, b)[0],)


def _rnn_seq_no_carry(x, h0, Wx, Wh, b):
    xp = _xp(x)
    return (xp.stack([xp.tanh(x[:, t, :] @ Wx + h0 @ Wh + b) for t in range(x.shape[1])], axis=1),)


def _rnn_seq_shifted(x, h0, Wx, Wh, b):
    xp = _xp(x)
    h = rnn.rnn_forward(x, h0, Wx, Wh, b)[0]
    return (xp.concat([h0[:, None, :], h[:, :-1, :]], axis=1),)


def _rnn_step_caches(x, h0, Wx, Wh, b):
    """``(step caches, their arguments)``: what a forward loop of rnn_step_forward collects."""
    caches, steps, h = [], [], h0
    for t in range(x.shape[1]):
        steps.append((x[:, t, :], h, Wx, Wh, b))
        h, cache = rnn.rnn_step_forward(*steps[-1])
        caches.append(cache)
    return caches, steps


RNN_CACHES = Layout(
    (Entry("x", "x[:, t], the step's input"),
     Entry("h_prev", "h_prev, the state the step starts from (h0 at t = 0, then the state after step t-1)"),
     *_RNN_ENTRIES[2:]),
    lambda *args: _rnn_step_caches(*args)[0], lambda result: result[1],
    lambda *args: [_rnn_stand_ins(*step) for step in _rnn_step_caches(*args)[1]], sequence=True)


RNN_FORWARD = Spec(
    "rnn_forward", ("h",), _rnn_seq_args, _rnn_seq, _first,
    public=[dict(N=2, T=4, D=3, H=5)],
    hidden=[dict(N=1, T=1, D=1, H=1), dict(N=3, T=1, D=2, H=4), dict(N=1, T=7, D=3, H=2),
            dict(N=8, T=20, D=5, H=16)],
    mistakes=[
        Mistake("no carry", "starts every step from h0: each step must start from the "
                "state the previous step produced.", _rnn_seq_no_carry),
        Mistake("shifted", "is shifted by one step: h[:, t] must be the state after "
                "reading x[:, t], so h0 itself is not part of the output.", _rnn_seq_shifted),
        Mistake("zeros start", "starts the sequence from zeros: the first step reads the "
                "initial state h0 that was passed in.",
                lambda x, h0, Wx, Wh, b: _rnn_seq(x, 0 * h0, Wx, Wh, b)),
    ],
    cache=RNN_CACHES,
)


def _step_cache_args(rng, s):
    x, h_prev, Wx, Wh, b = _rnn_args(rng, s)
    h, cache = rnn.rnn_step_forward(x, h_prev, Wx, Wh, b)
    return (_randn(rng, *h.shape), cache)


def _rnn_redrawn(rng, cache, h_prev):
    """A step cache with the given h_prev (N, H) and h = tanh(a) for a fresh random a
    (N, H): h is not tanh(x Wx + h_prev Wh + b) for the case's b (nor, when N > 1, for
    any one b), so it cannot be recomputed from the cached inputs."""
    return cache._replace(h_prev=h_prev, h=_xp(cache.h).tanh(_fresh(rng, cache.h)))


def _rnn_step_decouple(rng, args):
    """(dh, cache) with the cache's output h redrawn."""
    dh, cache = args
    return (dh, _rnn_redrawn(rng, cache, cache.h_prev))


def _rnn_step_back(dh, cache):
    return rnn.rnn_step_backward(dh, cache)


def _rnn_step_back_variant(how):
    def variant(dh, cache):
        x, h_prev, Wx, Wh, h = cache
        xp = _xp(dh)
        if how == "Wh not transposed":
            da = dh * (1 - h * h)
            return (da @ Wx.T, da @ Wh, x.T @ da, h_prev.T @ da, xp.sum(da, axis=0))
        da = {"no tanh'": dh, "h not 1-h^2": dh * h, "tanh' of h": dh * (1 - xp.tanh(h) ** 2)}[how]
        return (da @ Wx.T, da @ Wh.T, x.T @ da, h_prev.T @ da, xp.sum(da, axis=0))

    return variant


def _finite_differences(forward, args, upstream, count):
    """Centred differences of sum(forward(*args)[k] * upstream[k]) for the first
    ``count`` arguments."""
    from ..gradcheck import numerical_gradient

    xp = _xp(*upstream)
    df = xp.concat([xp.reshape(u, (-1,)) for u in upstream])
    grads = []
    for i in range(count):
        def f(v, i=i):
            outs = forward(*args[:i], v, *args[i + 1:])
            return xp.concat([xp.reshape(o, (-1,)) for o in outs])

        grads.append(numerical_gradient(f, args[i], df))
    return tuple(grads)


def _rnn_step_numerical(seed, s):
    rng = default_rng(seed)
    args = _rnn_args(rng, s)
    dh = _randn(rng, s["N"], s["H"])
    return _finite_differences(lambda *a: rnn.rnn_step_forward(*a)[:1], args, (dh,), 5)


RNN_STEP_BACKWARD = Spec(
    "rnn_step_backward", ("dx", "dh_prev", "dWx", "dWh", "db"), _step_cache_args,
    _rnn_step_back, _all(5),
    public=[dict(N=3, D=4, H=5)],
    hidden=[dict(N=1, D=1, H=1), dict(N=4, D=6, H=6), dict(N=10, D=8, H=12)],
    mistakes=[
        Mistake("no tanh'", "forgets the derivative of tanh: multiply the upstream gradient "
                "by 1 - h**2 first (h is the step's output, saved in the cache).",
                _rnn_step_back_variant("no tanh'")),
        Mistake("h not 1-h^2", "multiplies by h where the derivative of tanh is 1 - h**2.",
                _rnn_step_back_variant("h not 1-h^2")),
        Mistake("tanh' of h", "takes tanh of h again: h is already tanh(a), so tanh'(a) = 1 - h**2.",
                _rnn_step_back_variant("tanh' of h")),
        Mistake("Wh not transposed", "multiplies by Wh where the way back needs Wh.T: for "
                "a = h_prev @ Wh, the gradient of h_prev is da @ Wh.T.",
                _rnn_step_back_variant("Wh not transposed")),
    ],
    numerical=_rnn_step_numerical,
    decouple=_rnn_step_decouple,
    consumed=(0,),
)


def _seq_cache_args(rng, s):
    """dh (N, T, H) and the list of step caches of a looped forward."""
    x, h0, Wx, Wh, b = _rnn_seq_args(rng, s)
    caches, h = [], h0
    for t in range(s["T"]):
        h, cache = rnn.rnn_step_forward(x[:, t, :], h, Wx, Wh, b)
        caches.append(cache)
    return (_randn(rng, s["N"], s["T"], s["H"]), caches)


def _seq_decouple(rng, args):
    """(dh, caches) with every step's h redrawn and the chain kept: step t's h_prev is
    step t-1's new h (step 0 keeps h0), as in a cache that a forward loop collects."""
    dh, caches = args
    redrawn, h_prev = [], caches[0].h_prev
    for cache in caches:
        redrawn.append(_rnn_redrawn(rng, cache, h_prev))
        h_prev = redrawn[-1].h
    return (dh, redrawn)


def _rnn_back(dh, caches):
    """The reference, from the list of step caches: rnn_backward's loop, written out."""
    xp = _xp(dh)
    T = len(caches)
    dxs, dh_next, total = [None] * T, xp.zeros_like(caches[0].h_prev), None
    for t in reversed(range(T)):
        dxs[t], dh_next, *grads = rnn.rnn_step_backward(dh[:, t, :] + dh_next, caches[t])
        total = grads if total is None else [a + g for a, g in zip(total, grads)]
    return (xp.stack(dxs, axis=1), dh_next, *total)


def _rnn_numerical(seed, s):
    rng = default_rng(seed)
    args = _rnn_seq_args(rng, s)
    dh = _randn(rng, s["N"], s["T"], s["H"])
    return _finite_differences(lambda *a: rnn.rnn_forward(*a)[:1], args, (dh,), 5)


def _rnn_back_variant(how):
    def variant(dh, caches):
        xp = _xp(dh)
        T = len(caches)
        dxs, dh_next, total = [None] * T, xp.zeros_like(caches[0].h_prev), None
        for t in reversed(range(T)):
            own = dh[:, t, :] if how != "only last dh" or t == T - 1 else 0 * dh[:, t, :]
            upstream = {"no through-time": own, "no own dh": dh_next}.get(how, own + dh_next)
            dxs[t], dh_next, *grads = rnn.rnn_step_backward(upstream, caches[t])
            if how in ("no tanh' through time", "no Wh.T through time"):  # the chain between steps
                x_t, h_prev, Wx, Wh, h = caches[t]
                da = upstream * (1 - h * h)
                dh_next = upstream @ Wh.T if how == "no tanh' through time" else da
            if how == "overwrite":
                total = grads  # assigned, not added: step 0's contribution is what is left
            else:
                total = grads if total is None else [a + g for a, g in zip(total, grads)]
        return (xp.stack(dxs, axis=1), dh_next, *total)

    return variant


RNN_BACKWARD = Spec(
    "rnn_backward", ("dx", "dh0", "dWx", "dWh", "db"), _seq_cache_args, _rnn_back, _all(5),
    public=[dict(N=2, T=4, D=3, H=5)],
    hidden=[dict(N=1, T=1, D=1, H=1), dict(N=3, T=1, D=2, H=4), dict(N=1, T=6, D=2, H=3),
            dict(N=4, T=12, D=5, H=7)],
    mistakes=[
        Mistake("no through-time", "drops the gradient that flows back through time: at "
                "step t add dh_next (from step t+1) to dh[:, t] before the step's backward.",
                _rnn_back_variant("no through-time")),
        Mistake("overwrite", "keeps one step's contribution only: the weights are shared by "
                "all steps, so dWx, dWh and db must be summed over every step (+=).",
                _rnn_back_variant("overwrite")),
        Mistake("no own dh", "never adds the step's own upstream gradient: at step t the "
                "gradient reaching h_t is dh[:, t] plus what flows back from step t+1.",
                _rnn_back_variant("no own dh")),
        Mistake("only last dh", "adds only the last step's dh: every step's state feeds the "
                "loss, so dh[:, t] joins the gradient at every step t.", _rnn_back_variant("only last dh")),
        Mistake("no tanh' through time", "sends the gradient back through time without tanh': "
                "what reaches step t-1 is da @ Wh.T with da = dh_t * (1 - h_t**2).",
                _rnn_back_variant("no tanh' through time")),
        Mistake("no Wh.T through time", "sends da back through time without Wh.T: the state "
                "entered the step through h_prev @ Wh, so what reaches step t-1 is da @ Wh.T.",
                _rnn_back_variant("no Wh.T through time")),
    ],
    numerical=_rnn_numerical,
    decouple=_seq_decouple,
    consumed=(0,),
)


# ---------------------------------------------------------------- BPTT at t=3 ------

def _t3_args(rng, s):
    D, H, K = s["D"], s["H"], s["K"]
    return (_randn(rng, 3, D), _randn(rng, H), _randn(rng, K), _randn(rng, D, H, scale=0.8),
            _randn(rng, H, H, scale=0.8), _randn(rng, H, K))


_T3_KEYS = ("dWy", "dWs", "dWx", "dWs_terms[0]", "dWs_terms[1]", "dWs_terms[2]",
            "dWx_terms[0]", "dWx_terms[1]", "dWx_terms[2]")


def _t3_outputs(d):
    return (d["dWy"], d["dWs"], d["dWx"], *d["dWs_terms"], *d["dWx_terms"])


def _pick_t3(result):
    if not isinstance(result, dict):
        raise TypeError(f"expected a dict with keys dWy, dWs, dWx, dWs_terms, dWx_terms, got a "
                        f"{type(result).__name__}")
    missing = [k for k in ("dWy", "dWs", "dWx", "dWs_terms", "dWx_terms") if k not in result]
    if missing:
        raise TypeError(f"the dict lacks the key(s) {', '.join(missing)}")
    for k in ("dWs_terms", "dWx_terms"):
        if not isinstance(result[k], (list, tuple)) or len(result[k]) != 3:
            raise TypeError(f"{k} must be a list of the 3 terms through s3, s2, s1")
    return _t3_outputs(result)


def _t3_variant(how):
    def variant(x, s0, d3, Wx, Ws, Wy):
        ref = bptt.bptt_t3(x, s0, d3, Wx, Ws, Wy)
        xp = _xp(x)
        if how == "sign":
            return tuple(-o for o in _t3_outputs(ref))
        if how == "one term":
            zero = 0 * ref["dWs"]
            return (ref["dWy"], ref["dWs_terms"][0], ref["dWx_terms"][0], ref["dWs_terms"][0],
                    zero, zero, ref["dWx_terms"][0], 0 * ref["dWx"], 0 * ref["dWx"])
        if how == "two terms":
            ws, wx = ref["dWs_terms"], ref["dWx_terms"]
            return (ref["dWy"], ws[0] + ws[1], wx[0] + wx[1], ws[0], ws[1], 0 * ws[2], wx[0], wx[1], 0 * wx[2])
        if how == "no tanh'":
            s = [s0]
            for t in range(3):
                s.append(xp.tanh(x[t, :] @ Wx + s[-1] @ Ws))
            err = s[3] @ Wy - d3
            ds, ws, wx = err @ Wy.T, [], []
            for t in (3, 2, 1):
                ws.append(s[t - 1][:, None] * ds[None, :])
                wx.append(x[t - 1, :][:, None] * ds[None, :])
                ds = ds @ Ws.T
            return (ref["dWy"], ws[0] + ws[1] + ws[2], wx[0] + wx[1] + wx[2], *ws, *wx)
        if how == "Ws not transposed":
            s = [s0]
            for t in range(3):
                s.append(xp.tanh(x[t, :] @ Wx + s[-1] @ Ws))
            ds, ws, wx = (s[3] @ Wy - d3) @ Wy.T, [], []
            for t in (3, 2, 1):
                da = ds * (1 - s[t] * s[t])
                ws.append(s[t - 1][:, None] * da[None, :])
                wx.append(x[t - 1, :][:, None] * da[None, :])
                ds = da @ Ws
            return (ref["dWy"], ws[0] + ws[1] + ws[2], wx[0] + wx[1] + wx[2], *ws, *wx)
        if how == "reversed":
            ws, wx = ref["dWs_terms"], ref["dWx_terms"]
            return (ref["dWy"], ref["dWs"], ref["dWx"], ws[2], ws[1], ws[0], wx[2], wx[1], wx[0])
        raise ValueError(how)

    return variant


def _t3_numerical(seed, s):
    from ..gradcheck import numerical_gradient

    args = _t3_args(default_rng(seed), s)
    one = asarray(1.0, dtype="float64")
    grads = {}
    for i, key in ((5, "dWy"), (4, "dWs"), (3, "dWx")):
        def energy(v, i=i):
            return asarray(bptt.bptt_t3(*args[:i], v, *args[i + 1:])["E3"], dtype="float64")

        grads[key] = numerical_gradient(energy, args[i], one)
    return grads["dWy"], grads["dWs"], grads["dWx"]


BPTT_T3 = Spec(
    "bptt_t3", _T3_KEYS, _t3_args, lambda *a: _t3_outputs(bptt.bptt_t3(*a)), _pick_t3,
    public=[dict(D=2, H=3, K=2)],
    hidden=[dict(D=1, H=1, K=1), dict(D=4, H=4, K=4), dict(D=5, H=8, K=3)],
    mistakes=[
        Mistake("sign", "has the wrong sign: dE3/dy3 = y3 - d3 for E3 = 0.5 * ||y3 - d3||**2.",
                _t3_variant("sign")),
        Mistake("one term", "keeps only the path through s3: BPTT adds the paths through s2 "
                "and s1 as well, because Ws and Wx were used at every step.", _t3_variant("one term")),
        Mistake("two terms", "is missing the term through s1: there are three paths, through "
                "s3, s2 and s1.", _t3_variant("two terms")),
        Mistake("no tanh'", "forgets the derivative of tanh at each state: every step back "
                "multiplies by 1 - s_t**2.", _t3_variant("no tanh'")),
        Mistake("reversed", "lists the terms in reverse: the order is the paths through s3, "
                "s2, s1.", _t3_variant("reversed")),
        Mistake("Ws not transposed", "steps back with Ws where it needs Ws.T: for "
                "a_t = s_{t-1} @ Ws, the gradient reaching s_{t-1} is da_t @ Ws.T.",
                _t3_variant("Ws not transposed")),
    ],
    numerical=_t3_numerical,
)


# ---------------------------------------------------------------- gradients --------

def _hgn_args(rng, s):
    """Wh (H, H), the states h (T, H) of one run with the case's activation, its name."""
    T, H, activation = s["T"], s["H"], s.get("activation", "tanh")
    Wh = _randn(rng, H, H, scale=1.0 / H**0.5)
    xw = _randn(rng, T, H, scale=0.7)
    xp = _xp(Wh)
    phi = {"tanh": xp.tanh, "sigmoid": sigmoid, "identity": lambda a: 0.3 * a}[activation]
    if activation == "identity":
        Wh = Wh * 0.5
    states, h = [], xp.zeros((H,), dtype=Wh.dtype)
    for t in range(T):
        h = phi(xw[t, :] + h @ Wh) if activation != "identity" else xw[t, :] + h @ Wh
        states.append(h)
    return (Wh, xp.stack(states, axis=0), activation)


def _hgn_variant(how):
    def variant(Wh, h, activation="tanh"):
        xp = _xp(Wh)
        T, H = h.shape
        d = {"tanh": 1 - h * h, "sigmoid": h * (1 - h), "identity": xp.ones_like(h)}[activation]
        if how == "tanh of h":
            d = 1 - xp.tanh(h) ** 2
        product, norms = xp.eye(H, dtype=h.dtype), [1.0] * T
        for t in reversed(range(T - 1)):
            slope = d[t, :] if how == "off by one" else d[t + 1, :]
            J = Wh if how == "no tanh'" else Wh * slope[None, :]
            product = product @ J if how == "right multiply" else J @ product
            norms[t] = float(xp.linalg.matrix_norm(product, ord="fro" if how == "frobenius" else 2))
        out = xp.asarray(norms, dtype=h.dtype)
        if how == "reversed":
            out = xp.flip(out)
        return (out,)

    return variant


HIDDEN_GRADIENT_NORMS = Spec(
    "hidden_gradient_norms", ("norms",), _hgn_args,
    lambda Wh, h, activation: (bptt.hidden_gradient_norms(Wh, h, activation),), lambda r: (r,),
    public=[dict(T=8, H=4, activation="tanh"), dict(T=6, H=3, activation="sigmoid")],
    hidden=[dict(T=1, H=1, activation="tanh"), dict(T=2, H=3, activation="identity"),
            dict(T=30, H=6, activation="tanh"), dict(T=12, H=5, activation="sigmoid")],
    mistakes=[
        Mistake("no tanh'", "leaves out the activation's slope: each step back multiplies by Wh "
                "and by diag(phi'(a_t)), e.g. 1 - h_t**2 for tanh.", _hgn_variant("no tanh'")),
        Mistake("frobenius", "uses the Frobenius norm: use the spectral norm (the largest "
                "singular value) of the product, np.linalg.norm(product, 2).", _hgn_variant("frobenius")),
        Mistake("reversed", "is in reverse order: entry t is ||dh_T/dh_t||, so the last "
                "entry is 1.", _hgn_variant("reversed")),
        Mistake("right multiply", "adds each new factor on the wrong side: stepping further "
                "back puts the new Jacobian on the left, product = J @ product.",
                _hgn_variant("right multiply")),
        Mistake("off by one", "takes the slope of the wrong step: going from h_{t+1} back to "
                "h_t multiplies by Wh diag(phi'(a_{t+1})), the slope at the LATER state.",
                _hgn_variant("off by one")),
        Mistake("tanh of h", "takes tanh of h again: h is already tanh(a), so tanh'(a) = 1 - h**2.",
                _hgn_variant("tanh of h")),
    ],
)


def _grads_args(rng, s):
    grads = {"Wx": _randn(rng, s["D"], s["H"], scale=4.0), "Wh": _randn(rng, s["H"], s["H"], scale=4.0),
             "b": _randn(rng, s["H"], scale=4.0)}
    return (grads, s["limit"])


def _dict_outputs(d):
    return tuple(d[k] for k in ("Wx", "Wh", "b"))


def _pick_dict(result):
    if not isinstance(result, dict):
        raise TypeError(f"expected a dict name -> array, got a {type(result).__name__}")
    missing = [k for k in ("Wx", "Wh", "b") if k not in result]
    if missing:
        raise TypeError(f"the dict lacks the key(s) {', '.join(missing)}")
    return _dict_outputs(result)


CLIP_GRAD_VALUE = Spec(
    "clip_grad_value", ("clipped['Wx']", "clipped['Wh']", "clipped['b']"), _grads_args,
    lambda g, limit: _dict_outputs(optim.clip_grad_value(g, limit)), _pick_dict,
    public=[dict(D=3, H=4, limit=2.0), dict(D=2, H=2, limit=50.0)],
    hidden=[dict(D=1, H=1, limit=0.5), dict(D=5, H=6, limit=100.0), dict(D=4, H=8, limit=1.0)],
    mistakes=[
        Mistake("one side", "only clips from above: values below -limit must become -limit too.",
                lambda g, limit: tuple(_xp(v).minimum(v, limit) for v in _dict_outputs(g))),
    ],
)


def _clip_norm_outputs(result):
    if not isinstance(result, tuple) or len(result) != 2:
        raise TypeError("expected a tuple (clipped, norm)")
    clipped, norm = result
    try:
        norm = float(norm)
    except (TypeError, ValueError):
        raise TypeError(f"norm must be a number, got a {type(norm).__name__}") from None
    return (*_pick_dict(clipped), asarray([norm], dtype="float64"))


def _clip_norm_ref(g, max_norm):
    clipped, norm = optim.clip_grad_norm(g, max_norm)
    return (*_dict_outputs(clipped), asarray([norm], dtype="float64"))


def _clip_norm_variant(how):
    def variant(g, max_norm):
        norm = optim.global_norm(g)
        if how == "per array":
            out = []
            for v in _dict_outputs(g):
                n = float(_xp(v).sqrt(_xp(v).sum(v * v)))
                out.append(v * (max_norm / n) if n > max_norm else v)
            return (*out, asarray([norm], dtype="float64"))
        if how == "always":
            return (*(v * (max_norm / norm) for v in _dict_outputs(g)), asarray([norm], dtype="float64"))
        if how == "inverted":
            scale = norm / max_norm if norm > max_norm else 1.0
            return (*(v * scale for v in _dict_outputs(g)), asarray([norm], dtype="float64"))
        if how == "norm after":
            clipped, _ = optim.clip_grad_norm(g, max_norm)
            return (*_dict_outputs(clipped), asarray([optim.global_norm(clipped)], dtype="float64"))
        raise ValueError(how)

    return variant


CLIP_GRAD_NORM = Spec(
    "clip_grad_norm", ("clipped['Wx']", "clipped['Wh']", "clipped['b']", "norm"), _grads_args,
    _clip_norm_ref, _clip_norm_outputs,
    public=[dict(D=3, H=4, limit=5.0), dict(D=2, H=3, limit=1e3)],
    hidden=[dict(D=2, H=2, limit=1e6), dict(D=5, H=6, limit=1.0), dict(D=1, H=1, limit=0.1)],
    mistakes=[
        Mistake("per array", "clips each array by its own norm: the rule scales all gradients "
                "together, by the global norm of all of them.", _clip_norm_variant("per array")),
        Mistake("always", "rescales even when the norm is already below max_norm: leave short "
                "gradients alone.", _clip_norm_variant("always")),
        Mistake("inverted", "scales by norm / max_norm, which lengthens the gradient: the factor "
                "is max_norm / norm.", _clip_norm_variant("inverted")),
        Mistake("norm after", "returns the norm after clipping: return the global norm measured "
                "BEFORE clipping, so the caller can see how large the gradient was.",
                _clip_norm_variant("norm after")),
    ],
)


# ---------------------------------------------------------------- the carousel -----

def _loop_args(rng, s):
    return (_randn(rng, s["T"], scale=0.5), s["w"], s["activation"])


def _loop_forward_variant(how):
    def variant(x, w, activation):
        xp = _xp(x)
        phi = {"tanh": xp.tanh, "sigmoid": sigmoid, "identity": lambda a: a}[activation]
        ys, y = [], 0.0
        for t in range(x.shape[0]):
            y = w * y + x[t] if how == "no phi" else phi(y + w * x[t])
            ys.append(y)
        if how == "shifted":
            ref = bptt.self_loop_forward(x, w, activation)
            return (xp.concat([xp.zeros((1,), dtype=x.dtype), ref[:-1]]),)
        return (xp.stack(ys),)

    return variant


SELF_LOOP_FORWARD = Spec(
    "self_loop_forward", ("y",), _loop_args, lambda x, w, a: (bptt.self_loop_forward(x, w, a),),
    lambda r: (r,),
    public=[dict(T=10, w=0.9, activation="tanh")],
    hidden=[dict(T=1, w=1.0, activation="identity"), dict(T=40, w=1.0, activation="identity"),
            dict(T=25, w=1.3, activation="sigmoid"), dict(T=60, w=0.5, activation="tanh")],
    mistakes=[
        Mistake("no phi", "skips the activation: y_t = phi(w * y_{t-1} + x_t).", _loop_forward_variant("no phi")),
        Mistake("w on input", "multiplies the input by w: the self-loop weight w multiplies "
                "the previous output y_{t-1}.", _loop_forward_variant("w on input")),
        Mistake("shifted", "is shifted by one step: y[t] is the output after reading x[t], so "
                "y_0 = 0 itself is not part of the result.", _loop_forward_variant("shifted")),
    ],
)


def _flow_args(rng, s):
    x, w, activation = _loop_args(rng, s)
    return (bptt.self_loop_forward(x, w, activation), w, activation)


def _flow_variant(how):
    def variant(y, w, activation):
        xp = _xp(y)
        T = y.shape[0]
        d = {"tanh": 1 - y * y, "sigmoid": y * (1 - y), "identity": xp.ones_like(y)}[activation]
        if how == "tanh of y":
            d = 1 - xp.tanh(y) ** 2
        flow, running = [1.0] * T, 1.0
        for t in reversed(range(T - 1)):
            factor = float(d[t]) if how == "off by one" else float(d[t + 1])
            running *= factor if how == "no w" else w * factor
            flow[t] = running if how == "no abs" else abs(running)
        out = xp.asarray(flow, dtype=y.dtype)
        return (xp.flip(out) if how == "reversed" else out,)

    return variant


SELF_LOOP_ERROR_FLOW = Spec(
    "self_loop_error_flow", ("flow",), _flow_args, lambda y, w, a: (bptt.self_loop_error_flow(y, w, a),),
    lambda r: (r,),
    # a negative w in both: the flow is a magnitude, and only a negative factor tells
    public=[dict(T=10, w=0.9, activation="tanh"), dict(T=8, w=-0.9, activation="tanh")],
    hidden=[dict(T=1, w=1.0, activation="identity"), dict(T=50, w=1.0, activation="identity"),
            dict(T=25, w=1.3, activation="sigmoid"), dict(T=60, w=1.5, activation="tanh"),
            dict(T=9, w=-0.8, activation="tanh"), dict(T=15, w=-2.0, activation="sigmoid")],
    mistakes=[
        Mistake("no w", "forgets the self-loop weight: each step back multiplies by w * phi'.",
                _flow_variant("no w")),
        Mistake("off by one", "takes phi' of the wrong step: going from y_t back to y_{t-1} "
                "multiplies by w * phi'(a_t), the derivative at step t.", _flow_variant("off by one")),
        Mistake("no abs", "returns signed values: the flow is a magnitude, entry t is |dy_T/dy_t|, "
                "so take the absolute value (with a negative w the sign flips at every step back).",
                _flow_variant("no abs")),
        Mistake("reversed", "is in reverse order: entry t is |dy_T/dy_t|, so the last entry is 1.",
                _flow_variant("reversed")),
        Mistake("tanh of y", "takes tanh of y again: y is already tanh(a), so tanh'(a) = 1 - y**2.",
                _flow_variant("tanh of y")),
    ],
)


# ---------------------------------------------------------------- LSTM -------------

def _lstm_args(rng, s):
    N, D, H = s["N"], s["D"], s["H"]
    return (_randn(rng, N, D), _randn(rng, N, H), _randn(rng, N, H), _randn(rng, D, 4 * H, scale=0.5),
            _randn(rng, H, 4 * H, scale=0.5), _randn(rng, 4 * H, scale=0.5))


def _shuffle(W, order):
    """Packed weights (..., kH) with their k blocks of H rearranged: block j of the result
    is block order[j] of W."""
    xp = _xp(W)
    H = W.shape[-1] // len(order)
    return xp.concat([W[..., j * H:(j + 1) * H] for j in order], axis=-1)


def _with_order(fn, order):
    """Run fn as if the weights were packed in another order."""
    def variant(*args):
        *front, Wx, Wh, b = args
        return fn(*front, _shuffle(Wx, order), _shuffle(Wh, order), _shuffle(b, order))

    return variant


def _order_mistakes(fn, letters, packing):
    """One mistake for every other order the packed blocks could be read in, each naming it."""
    import itertools

    found = []
    for order in itertools.permutations(range(len(letters))):
        if order == tuple(range(len(letters))):
            continue
        assumed = [""] * len(letters)
        for gate, block in enumerate(order):  # the student's gate `gate` is read from `block`
            assumed[block] = letters[gate]
        read = "".join(assumed)
        found.append(Mistake(f"order {read}", f"reads the gates as if they were packed "
                             f"{', '.join(read)}: rnnlib packs them as {packing}.", _with_order(fn, order)))
    return found


LEARN_GATE = Spec(
    "learn_gate", ("learned",), lambda rng, s: (lambda a: a[:2] + a[3:])(_lstm_args(rng, s)),
    lambda x, h, Wx, Wh, b: (gates.learn_gate(x, h, Wx, Wh, b),), lambda r: (r,),
    public=[dict(N=3, D=4, H=5)],
    hidden=[dict(N=1, D=1, H=1), dict(N=6, D=3, H=8)],
    mistakes=[
        Mistake("forget columns", "reads the ignore factor from the forget gate's columns: in "
                "rnnlib's packing the blocks are i, f, o, g, and the ignore factor is i.",
                _with_order(lambda *a: (gates.learn_gate(*a),), (1, 0, 2, 3))),
        Mistake("i g swapped", "swaps the two halves: the information vector N_t is tanh of the "
                "g block, the ignore factor sigmoid of the i block.",
                _with_order(lambda *a: (gates.learn_gate(*a),), (3, 1, 2, 0))),
        Mistake("no ignore", "leaves out the ignore factor i_t: the learn gate outputs N_t * i_t.",
                lambda x, h, Wx, Wh, b: (_xp(x).tanh(x @ Wx[:, 3 * h.shape[1]:] + h @ Wh[:, 3 * h.shape[1]:]
                                                     + b[3 * h.shape[1]:]),)),
    ],
)

FORGET_GATE = Spec(
    "forget_gate", ("forgotten",), _lstm_args,
    lambda x, h, c, Wx, Wh, b: (gates.forget_gate(x, h, c, Wx, Wh, b),), lambda r: (r,),
    public=[dict(N=3, D=4, H=5)],
    hidden=[dict(N=1, D=1, H=1), dict(N=6, D=3, H=8)],
    mistakes=[
        Mistake("wrong memory", "applies the forget gate to the short-term memory h_prev: it "
                "scales the long-term memory c_prev.",
                lambda x, h, c, Wx, Wh, b: (gates.forget_gate(x, h, h, Wx, Wh, b),)),
        Mistake("input columns", "uses the input gate's columns: the forget gate is the second "
                "block (i, f, o, g).", _with_order(lambda *a: (gates.forget_gate(*a),), (1, 0, 2, 3))),
        Mistake("gate only", "returns f_t alone: the gate's output is c_prev * f_t.",
                lambda x, h, c, Wx, Wh, b: (gates.forget_gate(x, h, c * 0 + 1, Wx, Wh, b),)),
    ],
)


def _remember_args(rng, s):
    return (_randn(rng, s["N"], s["H"]), _randn(rng, s["N"], s["H"]))


REMEMBER_GATE = Spec(
    "remember_gate", ("c",), _remember_args, lambda f, l: (gates.remember_gate(f, l),), lambda r: (r,),
    public=[dict(N=3, H=5)],
    hidden=[dict(N=1, H=1), dict(N=7, H=9)],
    mistakes=[
        Mistake("product", "multiplies the two memories: the new long-term memory is the SUM of "
                "what was kept and what was learned (the LSTM's central plus sign).",
                lambda f, l: (f * l,)),
    ],
)


def _use_args(rng, s):
    x, h, c, Wx, Wh, b = _lstm_args(rng, s)
    return (x, h, c, Wx, Wh, b)


USE_GATE = Spec(
    "use_gate", ("h",), _use_args, lambda x, h, c, Wx, Wh, b: (gates.use_gate(x, h, c, Wx, Wh, b),),
    lambda r: (r,),
    public=[dict(N=3, D=4, H=5)],
    hidden=[dict(N=1, D=1, H=1), dict(N=6, D=3, H=8)],
    mistakes=[
        Mistake("no tanh", "forgets the tanh of the cell state: the new STM is o_t * tanh(c_t).",
                lambda x, h, c, Wx, Wh, b: (gates.use_gate(x, h, c, Wx, Wh, b) / _xp(c).tanh(c) * c,)),
        Mistake("o from f columns", "reads o from the wrong columns: the output gate is the third "
                "block (i, f, o, g).", _with_order(lambda *a: (gates.use_gate(*a),), (0, 2, 1, 3))),
    ],
)


def _lstm_step(x, h, c, Wx, Wh, b):
    out = lstm.lstm_step_forward(x, h, c, Wx, Wh, b)
    return out[:2]


def _pick_lstm_step(result):
    if not isinstance(result, tuple) or len(result) != 3:
        raise TypeError("expected a tuple (h, c, cache)")
    return result[:2]


def _lstm_stand_ins(x, h_prev, c_prev, Wx, Wh, b):
    """What a step cache's gates and tanh_c are sometimes replaced by."""
    xp = _xp(x)
    a = x @ Wx + h_prev @ Wh + b
    c = lstm.lstm_step_forward(x, h_prev, c_prev, Wx, Wh, b)[1]
    return {5: [("pre-activation", "the pre-activation a = x @ Wx + h_prev @ Wh + b, before the activations", a),
                ("sigmoid g", "a sigmoid of all four blocks (g is squashed by tanh)", sigmoid(a))],
            6: [("c", "the new cell state c itself, before the tanh", c),
                ("tanh c_prev", "tanh(c_prev), of the old cell state", xp.tanh(c_prev))]}


LSTM_STEP_CACHE = Layout(
    (Entry("x", "x, the step's input"), Entry("h_prev", "h_prev"), Entry("c_prev", "c_prev"),
     Entry("Wx", "Wx"), Entry("Wh", "Wh"),
     Entry("gates", "gates = [i, f, o, g] (N, 4H), each gate after its activation (sigmoid for i, f "
           "and o, tanh for g)", ("input (i)", "forget (f)", "output (o)", "candidate (g)")),
     Entry("tanh_c", "tanh_c = tanh(c), of the new cell state c")),
    lambda *args: [lstm.lstm_step_forward(*args)[2]], lambda result: result[2],
    lambda *args: [_lstm_stand_ins(*args)])


LSTM_STEP_FORWARD = Spec(
    "lstm_step_forward", ("h", "c"), _lstm_args, _lstm_step, _pick_lstm_step,
    public=[dict(N=3, D=4, H=5)],
    hidden=[dict(N=1, D=1, H=1), dict(N=4, D=6, H=3), dict(N=10, D=8, H=16)],
    mistakes=[
        *_order_mistakes(_lstm_step, "ifog", "i, f, o, g (input, forget, output, candidate)"),
        Mistake("wrong memory", "forgets from the short-term memory: c = f * c_prev + i * g "
                "scales c_prev, not h_prev.",
                lambda x, h, c, Wx, Wh, b: _lstm_wrong_memory(x, h, c, Wx, Wh, b)),
        Mistake("no tanh c", "outputs o * c: the new hidden state is o * tanh(c).",
                lambda x, h, c, Wx, Wh, b: _lstm_no_tanh(x, h, c, Wx, Wh, b)),
    ],
    cache=LSTM_STEP_CACHE,
)


def _lstm_wrong_memory(x, h, c, Wx, Wh, b):
    xp = _xp(x)
    H = h.shape[1]
    a = x @ Wx + h @ Wh + b
    i, f, o = sigmoid(a[:, :H]), sigmoid(a[:, H:2 * H]), sigmoid(a[:, 2 * H:3 * H])
    g = xp.tanh(a[:, 3 * H:])
    c_new = f * h + i * g
    return (o * xp.tanh(c_new), c_new)


def _lstm_no_tanh(x, h, c, Wx, Wh, b):
    h_new, c_new = _lstm_step(x, h, c, Wx, Wh, b)
    return (h_new / _xp(c_new).tanh(c_new) * c_new, c_new)


def _lstm_back_args(rng, s):
    args = _lstm_args(rng, s)
    h, c, cache = lstm.lstm_step_forward(*args)
    return (_randn(rng, *h.shape), _randn(rng, *c.shape), cache)


def _lstm_back_decouple(rng, args):
    """(dh, dc, cache) with the gates (N, 4H) redrawn from fresh random pre-activations
    and tanh_c = tanh(f * c_prev + i * g) recomputed from them, so the cache agrees with
    its own c_prev but not with the forward pass of x, h_prev, Wx, Wh."""
    dh, dc, cache = args
    xp = _xp(cache.gates)
    gates = _fresh(rng, cache.gates)  # the cell turns these pre-activations into the gates
    c, tanh_c, h = (xp.empty(cache.c_prev.shape, dtype=gates.dtype) for _ in range(3))
    lstm._lstm_cell(xp, lstm._by_gate(xp, gates), cache.c_prev, c, tanh_c, h)
    return (dh, dc, cache._replace(gates=gates, tanh_c=tanh_c))


def _lstm_back_variant(how):
    def variant(dh, dc, cache):
        if how == "ignore dc":
            return lstm.lstm_step_backward(dh, 0 * dc, cache)
        if how == "no tanh' c":
            x, h_prev, c_prev, Wx, Wh, gates_, tanh_c = cache
            H = h_prev.shape[1]
            o = gates_[:, 2 * H:3 * H]
            # pretend tanh'(c) = 1 by adding back what the reference removed
            extra = dh * o * tanh_c * tanh_c
            return lstm.lstm_step_backward(dh, dc + extra, cache)
        return _lstm_back_by_hand(dh, dc, cache, how)

    return variant


def _lstm_back_by_hand(dh, dc, cache, how=None):
    """The LSTM step's backward written out gate by gate, with one slip ``how`` (or none)."""
    x, h_prev, c_prev, Wx, Wh, packed, tanh_c = cache
    xp = _xp(dh)
    H = h_prev.shape[1]
    i, f, o, g = (packed[:, k * H:(k + 1) * H] for k in range(4))
    through_h = 1 - xp.tanh(c_prev) ** 2 if how == "tanh' at c_prev" else 1 - tanh_c * tanh_c
    dc_total = dc + dh * o * through_h
    slope = (lambda s: sigmoid(s) * (1 - sigmoid(s))) if how == "sigmoid' of output" else (lambda s: s * (1 - s))
    da = xp.concat([dc_total * g * slope(i), dc_total * c_prev * slope(f), dh * tanh_c * slope(o),
                    dc_total * i * (1 - g * g)], axis=1)
    db = xp.sum(da, axis=0)
    if how == "bias copied":
        db = xp.concat([db[:H], db[:H], db[2 * H:]])
    return (da @ Wx.T, da @ Wh.T, dc_total * f, x.T @ da, h_prev.T @ da, db)


def _lstm_numerical(seed, s):
    rng = default_rng(seed)
    args = _lstm_args(rng, s)
    upstream = (_randn(rng, s["N"], s["H"]), _randn(rng, s["N"], s["H"]))
    return _finite_differences(lambda *a: lstm.lstm_step_forward(*a)[:2], args, upstream, 6)


LSTM_STEP_BACKWARD = Spec(
    "lstm_step_backward", ("dx", "dh_prev", "dc_prev", "dWx", "dWh", "db"), _lstm_back_args,
    lambda dh, dc, cache: lstm.lstm_step_backward(dh, dc, cache), _all(6),
    public=[dict(N=3, D=4, H=5)],
    hidden=[dict(N=1, D=1, H=1), dict(N=4, D=6, H=3), dict(N=8, D=5, H=10)],
    mistakes=[
        Mistake("ignore dc", "ignores the incoming dc: the cell state's gradient from the next "
                "step must be added to the one that comes through h.", _lstm_back_variant("ignore dc")),
        Mistake("sigmoid' of output", "takes the sigmoid's slope at the gate's output: the cache "
                "holds s = sigmoid(a), so sigmoid'(a) = s * (1 - s), not sigmoid(s) * (1 - sigmoid(s)).",
                _lstm_back_variant("sigmoid' of output")),
        Mistake("tanh' at c_prev", "takes tanh' at c_prev: the gradient through h = o * tanh(c) "
                "uses the new cell state, 1 - tanh(c)**2 (tanh_c is in the cache).",
                _lstm_back_variant("tanh' at c_prev")),
        Mistake("bias copied", "copies the input gate's block of db into the forget gate's: each "
                "gate's bias gradient is the sum over the batch of its own block of da.",
                _lstm_back_variant("bias copied")),
        Mistake("no tanh' c", "forgets the derivative of tanh(c) on the way from h to c: "
                "multiply by o * (1 - tanh(c)**2).", _lstm_back_variant("no tanh' c")),
    ],
    numerical=_lstm_numerical,
    decouple=_lstm_back_decouple,
    consumed=(0, 1),
)


# ---------------------------------------------------------------- GRU --------------

def _gru_args(rng, s):
    N, D, H = s["N"], s["D"], s["H"]
    return (_randn(rng, N, D), _randn(rng, N, H), _randn(rng, D, 3 * H, scale=0.5),
            _randn(rng, H, 3 * H, scale=0.5), _randn(rng, 3 * H, scale=0.5))


def _gru_variant(how):
    def variant(x, h, Wx, Wh, b):
        xp = _xp(x)
        H = h.shape[1]
        zr = sigmoid(x @ Wx[:, :2 * H] + h @ Wh[:, :2 * H] + b[:2 * H])
        z, r = zr[:, :H], zr[:, H:]
        if how == "reset after":
            n = xp.tanh(x @ Wx[:, 2 * H:] + b[2 * H:] + r * (h @ Wh[:, 2 * H:]))
        else:
            n = xp.tanh(x @ Wx[:, 2 * H:] + (r * h) @ Wh[:, 2 * H:] + b[2 * H:])
        if how == "swapped z":
            return ((1 - z) * h + z * n,)
        if how == "r z order":
            z, r = r, z
            n = xp.tanh(x @ Wx[:, 2 * H:] + (r * h) @ Wh[:, 2 * H:] + b[2 * H:])
            return (z * h + (1 - z) * n,)
        if how == "no reset":
            n = xp.tanh(x @ Wx[:, 2 * H:] + h @ Wh[:, 2 * H:] + b[2 * H:])
        return (z * h + (1 - z) * n,)

    return variant


def _gru_stand_ins(x, h_prev, Wx, Wh, b):
    """What a step cache's zr and n are sometimes replaced by."""
    H = h_prev.shape[1]
    h, cache = gru.gru_step_forward(x, h_prev, Wx, Wh, b)
    a_zr = x @ Wx[:, :2 * H] + h_prev @ Wh[:, :2 * H] + b[:2 * H]
    a_n = x @ Wx[:, 2 * H:] + (cache.zr[:, H:] * h_prev) @ Wh[:, 2 * H:] + b[2 * H:]
    return {4: [("pre-activation", "the gates' pre-activation, before the sigmoid", a_zr)],
            5: [("pre-activation", "the candidate's pre-activation, before the tanh", a_n),
                ("h", "the new state h", h)]}


GRU_STEP_CACHE = Layout(
    (Entry("x", "x, the step's input"), Entry("h_prev", "h_prev"), Entry("Wx", "Wx"), Entry("Wh", "Wh"),
     Entry("zr", "zr = [z, r] (N, 2H), the update and reset gates after their sigmoid",
           ("update (z)", "reset (r)")),
     Entry("n", "n, the candidate after its tanh")),
    lambda *args: [gru.gru_step_forward(*args)[1]], lambda result: result[1],
    lambda *args: [_gru_stand_ins(*args)])


GRU_STEP_FORWARD = Spec(
    "gru_step_forward", ("h",), _gru_args, lambda *a: (gru.gru_step_forward(*a)[0],), _first,
    public=[dict(N=3, D=4, H=5)],
    hidden=[dict(N=1, D=1, H=1), dict(N=4, D=6, H=3), dict(N=10, D=8, H=16)],
    mistakes=[
        Mistake("swapped z", "swaps z and 1 - z: in this book h = z * h_prev + (1 - z) * n, so "
                "z = 1 keeps the old state.", _gru_variant("swapped z")),
        Mistake("reset after", "applies the reset gate after the matrix product (the cuDNN / "
                "PyTorch variant): here n = tanh(x Wxn + (r * h_prev) Whn + bn).", _gru_variant("reset after")),
        Mistake("no reset", "never uses the reset gate r: it scales h_prev inside the candidate.",
                _gru_variant("no reset")),
        Mistake("r z order", "reads z and r from swapped blocks: the packing is z, r, n (update "
                "gate first), not PyTorch's r, z, n.", _gru_variant("r z order")),
        *[m for m in _order_mistakes(lambda *a: (gru.gru_step_forward(*a)[0],), "zrn",
                                     "z, r, n (update, reset, candidate)") if m.label != "order rzn"],
    ],
    cache=GRU_STEP_CACHE,
)


def _gru_back_args(rng, s):
    args = _gru_args(rng, s)
    h, cache = gru.gru_step_forward(*args)
    return (_randn(rng, *h.shape), cache)


def _gru_back_decouple(rng, args):
    """(dh, cache) with zr (N, 2H) and n (N, H) redrawn: the sigmoid and the tanh of
    fresh random pre-activations (the cache holds nothing computed from them)."""
    dh, cache = args
    zr = sigmoid(_fresh(rng, cache.zr))
    return (dh, cache._replace(zr=zr, n=_xp(cache.n).tanh(_fresh(rng, cache.n))))


def _gru_back_no_direct(dh, cache):
    dx, dh_prev, dWx, dWh, db = gru.gru_step_backward(dh, cache)
    H = cache.h_prev.shape[1]
    return (dx, dh_prev - dh * cache.zr[:, :H], dWx, dWh, db)


def _gru_numerical(seed, s):
    rng = default_rng(seed)
    args = _gru_args(rng, s)
    dh = _randn(rng, s["N"], s["H"])
    return _finite_differences(lambda *a: gru.gru_step_forward(*a)[:1], args, (dh,), 5)


def _gru_back_dwh_hprev(dh, cache):
    dx, dh_prev, dWx, dWh, db = gru.gru_step_backward(dh, cache)
    xp = _xp(dh)
    H = cache.h_prev.shape[1]
    r = cache.zr[:, H:]
    da_n = (dh * (1 - cache.zr[:, :H])) * (1 - cache.n * cache.n)
    wrong_n = cache.h_prev.T @ da_n  # h_prev where (r * h_prev) belongs
    del r
    return (dx, dh_prev, dWx, xp.concat([dWh[:, :2 * H], wrong_n], axis=1), db)


GRU_STEP_BACKWARD = Spec(
    "gru_step_backward", ("dx", "dh_prev", "dWx", "dWh", "db"), _gru_back_args,
    lambda dh, cache: gru.gru_step_backward(dh, cache), _all(5),
    public=[dict(N=3, D=4, H=5)],
    hidden=[dict(N=1, D=1, H=1), dict(N=4, D=6, H=3), dict(N=8, D=5, H=10)],
    mistakes=[
        Mistake("no direct path", "misses the direct path h = z * h_prev: dh_prev gets dh * z "
                "besides the paths through the gates and the candidate.", _gru_back_no_direct),
        Mistake("dWh n with h_prev", "uses h_prev for the candidate's block of dWh: the candidate "
                "reads (r * h_prev) @ Whn, so that block is (r * h_prev).T @ da_n.", _gru_back_dwh_hprev),
    ],
    numerical=_gru_numerical,
    decouple=_gru_back_decouple,
    consumed=(0,),
)


SPECS = {spec.name: spec for spec in (
    RNN_STEP_FORWARD, RNN_FORWARD, BPTT_T3, RNN_STEP_BACKWARD, RNN_BACKWARD,
    HIDDEN_GRADIENT_NORMS, CLIP_GRAD_VALUE, CLIP_GRAD_NORM,
    SELF_LOOP_FORWARD, SELF_LOOP_ERROR_FLOW,
    LEARN_GATE, FORGET_GATE, REMEMBER_GATE, USE_GATE, LSTM_STEP_FORWARD, LSTM_STEP_BACKWARD,
    GRU_STEP_FORWARD, GRU_STEP_BACKWARD,
)}


def case_args(spec, seed, sizes, hidden=False):
    """The positional arguments of one case: seeded, reproducible.

    A hidden case of a spec with ``decouple`` (the backward passes) draws the same
    arguments as a public one, then redraws the cache's stored activations from the
    same generator, so they are not the forward pass of the cached inputs.
    """
    rng = default_rng(seed)
    args = spec.make_args(rng, sizes)
    if hidden and spec.decouple is not None:
        args = spec.decouple(rng, args)
    return args
