"""Real data for training runs: scikit-learn's bundled 8×8 digits (read from disk, offline)."""
from __future__ import annotations

import importlib.util
from functools import lru_cache
from pathlib import Path

import numpy as np


@lru_cache(maxsize=1)
def _digits():
    """The file scikit-learn ships and ``load_digits`` reads (64 pixels, then the label a row), read
    without importing scikit-learn: that import costs most of a second in every worker process.
    tests/test_oracles.py holds it equal to ``load_digits()``."""
    package = importlib.util.find_spec("sklearn")
    if package is None:
        raise ImportError("the digits are scikit-learn's bundled data: pip install scikit-learn")
    table = np.loadtxt(Path(package.submodule_search_locations[0], "datasets", "data", "digits.csv.gz"),
                       delimiter=",")
    return table[:, :-1] / 16.0, table[:, -1].astype(np.int64)


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
