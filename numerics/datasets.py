"""Real data for training runs: scikit-learn's bundled 8×8 digits (read from disk, offline)."""
from __future__ import annotations

from functools import lru_cache

import numpy as np


@lru_cache(maxsize=1)
def _digits():
    from sklearn.datasets import load_digits

    bunch = load_digits()
    return bunch.data / 16.0, bunch.target


def digits(rows: int | None = None, seed: int = 0) -> np.ndarray:
    """The 1797×64 digits scaled to [0, 1]; ``rows`` picks a seeded random subset."""
    x, _ = _digits()
    if rows is None or rows >= len(x):
        return x.copy()
    index = np.random.default_rng(seed).choice(len(x), size=rows, replace=False)
    return x[np.sort(index)]


def digits_split(train_rows: int, test_rows: int, seed: int = 0):
    """Disjoint train and held-out sets of digits, seeded."""
    x, _ = _digits()
    order = np.random.default_rng(seed).permutation(len(x))
    return x[order[:train_rows]], x[order[train_rows:train_rows + test_rows]]


def digits_regression(seed: int = 0):
    """A least-squares problem on real data: standardized pixels → the digit's label.

    Constant pixels are dropped so that XᵀX is positive definite."""
    x, y = _digits()
    keep = x.std(axis=0) > 0
    x = x[:, keep]
    x = (x - x.mean(axis=0)) / x.std(axis=0)
    return x, y - y.mean()


def digits_labelled(rows: int | None = None, seed: int = 0):
    """The digits scaled to [0, 1] with their labels 0–9; ``rows`` picks a seeded random subset."""
    x, labels = _digits()
    if rows is None or rows >= len(x):
        return x.copy(), labels.copy()
    index = np.sort(np.random.default_rng(seed).choice(len(x), size=rows, replace=False))
    return x[index], labels[index]
