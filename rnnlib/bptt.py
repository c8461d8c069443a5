"""Teaching references: the t=3 calculation, gradient norms through time, the carousel.

These functions compute what chapters 3-5 explain, one quantity at a time, and are
the references the graded exercises are checked against. They favour the shape of
the mathematics over speed.
"""

from __future__ import annotations

from .activations import sigmoid, sigmoid_grad_from_output, tanh_grad_from_output
from .validate import check_inputs

_ACTIVATIONS = ("tanh", "sigmoid", "identity")


def _derivative_from_output(xp, y, activation):
    """phi'(a) expressed through y = phi(a)."""
    if activation == "tanh":
        return tanh_grad_from_output(y)
    if activation == "sigmoid":
        return sigmoid_grad_from_output(y)
    if activation == "identity":
        return xp.ones_like(y)
    raise ValueError(f"activation: expected one of {_ACTIVATIONS}, got {activation!r}")


def _outer(u, v):
    return u[:, None] * v[None, :]


def bptt_t3(x, s0, d3, Wx, Ws, Wy):
    """The sample calculation of BPTT at t = 3, term by term.

    A single sequence (no batch) in 003's notation: x (3, D) holds x1, x2, x3;
    s0 (H,); d3 (K,) is the target at t = 3 (K outputs, the book's V); Wx (D, H),
    Ws (H, H), Wy (H, K).
    The network is s_t = tanh(x_t Wx + s_{t-1} Ws), y3 = s3 Wy and the error is
    E3 = 0.5 * ||y3 - d3||**2.

    Returns a dict with ``dWy`` (H, K), ``dWs`` (H, H), ``dWx`` (D, H), and
    ``dWs_terms``, ``dWx_terms``: lists of the three contributions that reach the
    weights through s3, s2 and s1, in that order (they sum to dWs and dWx). Also
    ``E3`` (a float), ``y3`` (K,) and ``s`` (4, H) holding s0..s3.
    """
    xp, _ = check_inputs(x=(x, "3 D"), s0=(s0, "H"), d3=(d3, "K"), Wx=(Wx, "D H"),
                         Ws=(Ws, "H H"), Wy=(Wy, "H K"))
    s = [s0]
    for t in range(3):
        s.append(xp.tanh(x[t, :] @ Wx + s[-1] @ Ws))
    y3 = s[3] @ Wy
    err = y3 - d3  # dE3/dy3, (K,)
    dWy = _outer(s[3], err)
    ds = err @ Wy.T  # dE3/ds3, (H,)
    dWs_terms, dWx_terms = [], []
    for t in (3, 2, 1):  # walk back along the chain s3 -> s2 -> s1
        da = ds * tanh_grad_from_output(s[t])  # through tanh: 1 - s_t**2
        dWs_terms.append(_outer(s[t - 1], da))  # the path that ends at s_t
        dWx_terms.append(_outer(x[t - 1, :], da))
        ds = da @ Ws.T  # ds_t/ds_{t-1}: on to the previous state
    return {
        "dWy": dWy,
        "dWs": dWs_terms[0] + dWs_terms[1] + dWs_terms[2],
        "dWx": dWx_terms[0] + dWx_terms[1] + dWx_terms[2],
        "dWs_terms": dWs_terms,
        "dWx_terms": dWx_terms,
        "E3": float(0.5 * xp.sum(err * err)),
        "y3": y3,
        "s": xp.stack(s, axis=0),
    }


def hidden_gradient_norms(Wh, h, activation="tanh"):
    """How strongly the last state depends on each earlier one: ``||dh_T/dh_t||``.

    Inputs: Wh (H, H), the recurrent weights; h (T, H), the states h_1..h_T of one run
    of ``h_t = phi(x_t Wx + h_{t-1} Wh + b)``; activation, the phi of that run
    (``"tanh"``, ``"sigmoid"`` or ``"identity"``).
    Each step back multiplies by the Jacobian ``J_t = Wh diag(phi'_t)``, laid out with
    entry (i, j) = d h_t[j] / d h_{t-1}[i] (rows index the earlier state, as in the row
    convention ``h_{t-1} Wh``), so ``dh_T/dh_t = J_{t+1} ... J_T``, a product of T - t
    such matrices; the other layout is its transpose and has the same norm.
    Returns (T,): entry t is the spectral norm (largest singular value) of
    ``dh_T/dh_t``; the last entry is 1 (the identity).
    """
    xp, dims = check_inputs(Wh=(Wh, "H H"), h=(h, "T H"))
    T, H = dims["T"], dims["H"]
    dphi = _derivative_from_output(xp, h, activation)  # (T, H)
    product = xp.eye(H, dtype=h.dtype)
    norms = [1.0] * T
    for t in reversed(range(T - 1)):
        product = (Wh * dphi[t + 1, :][None, :]) @ product  # dh_{t+1}/dh_t, then on to T
        norms[t] = float(xp.linalg.matrix_norm(product, ord=2))
    return xp.asarray(norms, dtype=h.dtype)


def self_loop_forward(x, w, activation="identity"):
    """A single unit that feeds itself: ``y_t = phi(w * y_{t-1} + x_t)``, y_0 = 0.

    Inputs: x (T,), the input at each step; w, the self-loop weight (a float);
    activation, phi. Returns y (T,). With w = 1 and phi the identity this is the
    Constant Error Carousel of chapter 5: y_t is the running sum of the inputs.
    """
    xp, dims = check_inputs(x=(x, "T"))
    if activation not in _ACTIVATIONS:
        raise ValueError(f"activation: expected one of {_ACTIVATIONS}, got {activation!r}")
    phi = {"tanh": xp.tanh, "sigmoid": sigmoid, "identity": lambda a: a}[activation]
    ys = []
    y = 0.0
    for t in range(dims["T"]):
        y = phi(w * y + x[t])
        ys.append(y)
    return xp.stack(ys) if ys else xp.zeros((0,), dtype=x.dtype)


def self_loop_error_flow(y, w, activation="identity"):
    """How much of an error at the last step reaches each earlier step of a self-loop.

    Inputs: y (T,), the outputs of :func:`self_loop_forward`; w and activation as
    there. Each step back multiplies the error by ``w * phi'(a_t)``.
    Returns (T,): entry t is ``|dy_T/dy_t|``; the last entry is 1. It stays 1 all the
    way back exactly when ``w * phi' = 1`` at every step, as in the carousel.
    """
    xp, dims = check_inputs(y=(y, "T"))
    factors = w * _derivative_from_output(xp, y, activation)  # dy_t/dy_{t-1}, (T,)
    flow = [1.0] * dims["T"]
    running = 1.0
    for t in reversed(range(dims["T"] - 1)):
        running = running * float(factors[t + 1])
        flow[t] = abs(running)
    return xp.asarray(flow, dtype=y.dtype)
