"""Activations written once for NumPy, complex arrays (the complex step) and autograd alike."""
import autograd.numpy as anp


def sigmoid(z):
    """σ(z) = 1/(1 + e^(−z))."""
    return 1.0 / (1.0 + anp.exp(-z))
