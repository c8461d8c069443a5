"""rnnlib: recurrent networks (RNN, LSTM, GRU) in a few readable files.

The library of the textbook: the chapters show it, the exercises ask students to
rewrite it, and the grader checks their work against it. Every layer is a pair of
pure functions, ``*_forward(...) -> (out, cache)`` and ``*_backward(dout, cache) ->
grads``, in the book's row-vector, batch-first notation: x (N, D) for one step or
(N, T, D) for a sequence, hidden state (N, H), outputs (N, T, V).

Arrays may come from NumPy, CuPy or any array-API library: each function works in
the namespace of its inputs (see :mod:`rnnlib.backend`).
"""

from . import data
from .activations import sigmoid, tanh
from .backend import get_backend, set_backend, to_numpy
from .bptt import bptt_t3, hidden_gradient_norms, self_loop_error_flow, self_loop_forward
from .gradcheck import GradcheckError, gradcheck, numerical_gradient, rel_error
from .gru import gru_backward, gru_forward, gru_step_backward, gru_step_forward
from .init import init_affine, init_embedding, init_recurrent, random_array
from .layers import (affine_backward, affine_forward, embedding_backward, embedding_forward,
                     temporal_affine_backward, temporal_affine_forward)
from .losses import mse_loss, softmax_cross_entropy
from .lstm import lstm_backward, lstm_forward, lstm_step_backward, lstm_step_forward
from .model import init_model, model_loss, predict
from .optim import SGD, Adam, clip_grad_norm, clip_grad_value, global_norm
from .peephole import lstm_peephole_step_backward, lstm_peephole_step_forward
from .rnn import rnn_backward, rnn_forward, rnn_step_backward, rnn_step_forward
from .train import fit

__version__ = "0.1.0"

__all__ = [
    # recurrent layers
    "rnn_step_forward", "rnn_step_backward", "rnn_forward", "rnn_backward",
    "lstm_step_forward", "lstm_step_backward", "lstm_forward", "lstm_backward",
    "lstm_peephole_step_forward", "lstm_peephole_step_backward",
    "gru_step_forward", "gru_step_backward", "gru_forward", "gru_backward",
    # output, input and loss layers
    "affine_forward", "affine_backward", "temporal_affine_forward",
    "temporal_affine_backward", "embedding_forward", "embedding_backward",
    "softmax_cross_entropy", "mse_loss", "sigmoid", "tanh",
    # optimisation
    "clip_grad_value", "clip_grad_norm", "global_norm", "SGD", "Adam", "fit",
    "init_model", "model_loss", "predict",
    # checking
    "numerical_gradient", "rel_error", "gradcheck", "GradcheckError",
    # initialisation and backends
    "init_recurrent", "init_affine", "init_embedding", "random_array",
    "set_backend", "get_backend", "to_numpy",
    # teaching references
    "bptt_t3", "hidden_gradient_norms", "self_loop_forward", "self_loop_error_flow",
    "data",
]
