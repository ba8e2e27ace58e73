"""Expectations derived from the noise's moments, for obligations that start from a definition.

A corrupted input is a polynomial in independent noise variables; its expectation is taken
monomial by monomial from the moments of each variable, never from a closed form:

* Bernoulli keep masks d (d = 1 with probability p): E[d^k] = p for k ≥ 1;
* centred Gaussians ε ~ N(0, σ²): E[ε^k] = 0 for odd k, σ^k (k − 1)!! for even k.
"""
from __future__ import annotations

import sympy as sp


def _expect(expr, variables, moment):
    variables = list(variables)
    if not any(sp.S(expr).has(v) for v in variables):   # E[c] = c as built: a restated obligation
        raise ValueError(f"the expectation of {expr} does not involve the noise "
                         f"{', '.join(map(str, variables))}: it derives nothing")
    poly = sp.Poly(sp.expand(expr), *variables)
    total = sp.Integer(0)
    for powers, coefficient in poly.terms():
        factor = sp.Integer(1)
        for power in powers:
            factor *= moment(power)
        total += coefficient * factor
    return total


def expect_bernoulli(expr, masks, keep):
    """E[expr] over independent masks, each 1 with probability ``keep`` and 0 otherwise."""
    return _expect(expr, masks, lambda k: keep if k > 0 else sp.Integer(1))


def expect_gaussian(expr, noise, sigma):
    """E[expr] over independent N(0, σ²) variables."""
    return _expect(expr, noise, lambda k: sp.Integer(0) if k % 2 else sigma ** k * sp.factorial2(k - 1))
