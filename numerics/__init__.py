"""The numeric witness: sampling, finite differences, training runs, datasets."""

import autograd.numpy as _anp


def sigmoid(z):
    """σ(z) = 1/(1 + e^(−z)): works on NumPy arrays, complex arrays (the complex step) and
    autograd's traced values alike."""
    return 1.0 / (1.0 + _anp.exp(-z))
