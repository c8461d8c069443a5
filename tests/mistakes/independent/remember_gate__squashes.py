"""Puts the new memory through a tanh, although the remember gate has no squashing function."""
FUNCTION, KIND, WORDS = "remember_gate", "wrong", ["tanh"]
import numpy as np


def remember_gate(forgotten, learned):
    return np.tanh(forgotten + learned)
