"""Combines the two memories with a product instead of a sum."""
FUNCTION, KIND, WORDS = "remember_gate", "wrong", ["sum", "add"]
import numpy as np


def remember_gate(forgotten, learned):
    return forgotten * learned
