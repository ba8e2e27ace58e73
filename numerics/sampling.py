"""Draw numbers that honour a claim's assumptions.

Every sampler takes a seeded ``numpy.random.Generator`` first, so a run with the same seed
sees the same numbers. Sizes are drawn per trial (``size``) so that a formula that is right
for one shape only is caught.
"""
from __future__ import annotations

import numpy as np


def size(rng: np.random.Generator, low: int = 2, high: int = 5) -> int:
    """A dimension in [low, high], drawn anew for each trial."""
    return int(rng.integers(low, high + 1))


def positive(rng: np.random.Generator, low: float = 0.1, high: float = 10.0, shape=()):
    """Log-uniform on [low, high]: spans orders of magnitude, never zero."""
    return np.exp(rng.uniform(np.log(low), np.log(high), size=shape))


def unit_interval(rng: np.random.Generator, shape=(), margin: float = 0.02):
    """Uniform on (margin, 1 - margin): the open interval (0, 1) away from its ends."""
    return rng.uniform(margin, 1.0 - margin, size=shape)


def signed(rng: np.random.Generator, shape=(), low: float = 0.1, high: float = 3.0):
    """Magnitudes in [low, high] with random signs: never zero, both signs present."""
    magnitude = rng.uniform(low, high, size=shape)
    return magnitude * rng.choice([-1.0, 1.0], size=shape)


def binary(rng: np.random.Generator, shape=()):
    """Values in {0, 1}."""
    return rng.integers(0, 2, size=shape).astype(float)


def integer(rng: np.random.Generator, low: int = 1, high: int = 50) -> int:
    return int(rng.integers(low, high + 1))


def normal(rng: np.random.Generator, shape=()):
    return rng.standard_normal(shape)


def orthogonal(rng: np.random.Generator, n: int) -> np.ndarray:
    """Haar-distributed orthogonal matrix (QR of a Gaussian with the sign of R fixed)."""
    q, r = np.linalg.qr(rng.standard_normal((n, n)))
    return q * np.sign(np.diag(r))


def spectrum(rng: np.random.Generator, n: int, low: float = 0.1, high: float = 10.0):
    return np.sort(positive(rng, low, high, shape=n))[::-1]


def spd(rng: np.random.Generator, n: int, low: float = 0.1, high: float = 10.0) -> np.ndarray:
    """Symmetric positive definite with eigenvalues log-uniform in [low, high]."""
    q = orthogonal(rng, n)
    h = q @ np.diag(spectrum(rng, n, low, high)) @ q.T
    return (h + h.T) / 2


def psd(rng: np.random.Generator, n: int, rank: int | None = None) -> np.ndarray:
    """Symmetric positive semi-definite, singular when rank < n."""
    rank = n - 1 if rank is None else rank
    a = rng.standard_normal((n, rank))
    return a @ a.T


def symmetric(rng: np.random.Generator, n: int) -> np.ndarray:
    a = rng.standard_normal((n, n))
    return (a + a.T) / 2


def diagonal(rng: np.random.Generator, n: int, low: float = 0.1, high: float = 10.0):
    return np.diag(positive(rng, low, high, shape=n))
