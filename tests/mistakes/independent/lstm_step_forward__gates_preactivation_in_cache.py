"""h and c are right, but the cache stores the packed pre-activation a instead of the gates after their activations."""
FUNCTION, KIND, WORDS = "lstm_step_forward", "wrong", ["cache", "gates"]
import numpy as np


def sigmoid(a):
    return 0.5 * (1.0 + np.tanh(0.5 * a))


def lstm_step_forward(x, h_prev, c_prev, Wx, Wh, b):
    a = x @ Wx + h_prev @ Wh + b
    ai, af, ao, ag = np.split(a, 4, axis=1)
    c = sigmoid(af) * c_prev + sigmoid(ai) * np.tanh(ag)
    tanh_c = np.tanh(c)
    h = sigmoid(ao) * tanh_c
    return h, c, (x, h_prev, c_prev, Wx, Wh, a, tanh_c)
