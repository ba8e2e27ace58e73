"""Expectations over noise, computed two independent ways for the numeric witness.

* exactly: every one of the 2^N Bernoulli masks with its probability, or Gauss–Hermite
  quadrature (exact for polynomials of degree ≤ 2·points − 1 in each coordinate);
* by Monte Carlo, with a stated error bar: the sample mean must lie within ``z`` standard
  errors of the stated value (z = 5: a true statement fails about once in 1.7 million runs),
  and the error bar must be small enough to tell: a standard error above ``precision`` of the
  stated value's size (heavy-tailed draws, too few of them) decides nothing and is an error.
"""
from __future__ import annotations

import itertools

import numpy as np

from .evidence import Evidence, NumericVerdict


def all_masks(shape, keep: float):
    """Every 0/1 array of ``shape`` with its probability (each entry is 1 with probability keep)."""
    size = int(np.prod(shape))
    for bits in itertools.product((0.0, 1.0), repeat=size):
        mask = np.array(bits).reshape(shape)
        kept = mask.sum()
        yield mask, keep ** kept * (1 - keep) ** (size - kept)


def mask_expectation(f, shape, keep: float):
    """E[f(mask)] exactly, by enumerating the masks."""
    return sum(probability * np.asarray(f(mask)) for mask, probability in all_masks(shape, keep))


def gaussian_expectation(f, dim: int, sigma, points: int = 3):
    """E[f(ε)] for ε ~ N(0, σ²I) in ``dim`` dimensions by tensor Gauss–Hermite quadrature."""
    nodes, weights = np.polynomial.hermite_e.hermegauss(points)
    weights = weights / np.sqrt(2 * np.pi)
    total = 0.0
    for index in itertools.product(range(points), repeat=dim):
        index = list(index)
        total = total + np.prod(weights[index]) * np.asarray(f(sigma * nodes[index]))
    return total


def monte_carlo(values: np.ndarray, stated: float, z: float = 5.0, precision: float = 0.05) -> Evidence:
    """Pass if the mean of ``values`` (one per draw) is within z standard errors of ``stated``;
    an error if the standard error exceeds ``precision``·max(1, |stated|): too coarse to tell."""
    values = np.asarray(values, dtype=float)
    mean = float(values.mean())
    error = float(values.std(ddof=1) / np.sqrt(len(values)))
    gap = abs(mean - stated)
    detail = {"method": "Monte Carlo", "draws": len(values), "mean": mean, "stated": stated,
              "standard_error": error, "z": z, "gap_in_standard_errors": gap / error if error else float("inf"),
              "rule": f"|mean − stated| <= {z:g} standard errors, "
                      f"standard error <= {precision:g}·max(1, |stated|)"}
    if not error <= precision * max(1.0, abs(stated)):
        return Evidence(NumericVerdict.ERROR, {**detail, "reason": f"the standard error {error:.3g} is too "
                                               f"large to tell anything about the stated {stated:.6g}"})
    ok = bool(np.isfinite(mean) and gap <= z * error + 1e-12 * max(1.0, abs(stated)))
    return Evidence(NumericVerdict.PASSED if ok else NumericVerdict.FAILED, detail)
