"""Training: mini-batches, truncated BPTT with (k1, k2), clipping, any optimiser.

Truncated BPTT after Williams & Peng (1990): every k1 steps the network takes an
update, backpropagating through the last k2 steps (k2 >= k1); the hidden state is
carried forward from chunk to chunk but no gradient flows across the cut. With
k1 = k2 = T it is ordinary BPTT over whole sequences.
"""

from __future__ import annotations

from tqdm.auto import tqdm

from .backend import array_namespace, default_rng
from .model import backprop, run_cell
from .optim import Adam, clip_grad_norm, clip_grad_value, global_norm


def fit(params, cell, x, y, *, loss="ce", mask=None, optimizer=None, epochs=1,
        batch_size=None, k1=None, k2=None, clip=None, clip_mode="norm", seed=0,
        progress=True, desc=None):
    """Train a model of :mod:`rnnlib.model` and return ``(params, history)``.

    Inputs: params from :func:`rnnlib.model.init_model`; cell "rnn", "lstm" or "gru";
    x (B, T, D) or ids (B, T) for B sequences; y and mask as in
    :func:`rnnlib.model.model_loss`. Each epoch shuffles the B sequences into
    mini-batches of ``batch_size`` (all B if None) and walks each mini-batch through
    time with truncated BPTT(k1, k2) (both default to T). ``clip`` is a max norm
    (``clip_mode="norm"``) or a value limit (``"value"``); None does not clip.
    ``optimizer`` defaults to ``Adam(lr=1e-2)``.
    ``history`` is a dict of lists, one entry per update: ``"loss"`` and
    ``"grad_norm"`` (before clipping).
    """
    xp = array_namespace(x)
    B, T = x.shape[0], x.shape[1]
    k1 = T if k1 is None else k1
    k2 = k1 if k2 is None else k2
    if not (isinstance(k1, int) and 0 < k1 <= T):
        raise ValueError(f"k1: expected an integer in [1, {T}], got {k1!r}")
    if not (isinstance(k2, int) and k1 <= k2):
        raise ValueError(f"k2: expected an integer >= k1 = {k1}, got {k2!r}")
    if clip_mode not in ("norm", "value"):
        raise ValueError(f"clip_mode: expected 'norm' or 'value', got {clip_mode!r}")
    batch_size = B if batch_size is None else batch_size
    optimizer = Adam(lr=1e-2) if optimizer is None else optimizer
    many_to_one = loss == "mse" and len(y.shape) == 2
    rng = default_rng(seed)
    history = {"loss": [], "grad_norm": []}
    n_chunks = -(-T // k1)
    total = epochs * (-(-B // batch_size)) * n_chunks
    bar = tqdm(total=total, desc=desc or f"{cell} training", disable=not progress, leave=False)
    for _ in range(epochs):
        order = xp.asarray(rng.permutation(B))
        for lo in range(0, B, batch_size):
            rows = order[lo : lo + batch_size]
            xb, yb = xp.take(x, rows, axis=0), xp.take(y, rows, axis=0)
            mb = None if mask is None else xp.take(mask, rows, axis=0)
            state = None  # the state where the current window starts
            # -- window: k1 new steps new:end, backpropagated through the k2 steps start:end
            for j in range(n_chunks):
                new, end = j * k1, min((j + 1) * k1, T)
                start = max(0, end - k2)
                chunk = xb[:, start:end, ...]
                h, _, caches = run_cell(params, cell, chunk, state)
                # -- loss: only the new steps count (first = new - start), then one update
                m = None if mb is None else mb[:, start:end]
                has_loss = end == T if many_to_one else (m is None or bool(xp.any(m[:, new - start:])))
                if has_loss:  # skip windows with no loss (many-to-one, or fully masked)
                    target = yb if many_to_one else yb[:, start:end, ...]
                    value, grads = backprop(params, cell, h, caches, target, loss, m,
                                            first=new - start)
                    norm = global_norm(grads)
                    if clip is not None:
                        grads = (clip_grad_value(grads, clip) if clip_mode == "value"
                                 else clip_grad_norm(grads, clip)[0])
                    params = optimizer.step(params, grads)
                    history["loss"].append(value)
                    history["grad_norm"].append(norm)
                    bar.set_postfix(loss=f"{value:.4f}")
                bar.update(1)
                # -- carry: the next window starts from the state just before it
                next_start = max(0, min((j + 2) * k1, T) - k2)
                if next_start > start:  # carry the state (no gradient crosses the cut)
                    pos = next_start - start - 1
                    state = ((h[:, pos, :], caches[1].c[pos]) if cell == "lstm"
                             else h[:, pos, :])
                # -- end of the window
    bar.close()
    return params, history
