"""Expectations derived from the noise's moments, for obligations that start from a definition.

A corrupted input is a polynomial in independent noise variables; its expectation is taken
monomial by monomial from the moments of each variable, never from a closed form:

* Bernoulli keep masks d (d = 1 with probability p): E[d^k] = p for k ≥ 1;
* centred Gaussians ε ~ N(0, σ²): E[ε^k] = 0 for odd k, σ^k (k − 1)!! for even k.
"""
from __future__ import annotations

import sympy as sp
from sympy.matrices.expressions.matexpr import MatrixElement

from .sums import _flat, sums_merged


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


def expect_gaussian_vector(expr, noise: sp.MatrixSymbol, sigma):
    """E[expr] over ε ~ N(0, σ²I), ε the m×1 MatrixSymbol ``noise``, for a matrix expression of
    degree at most 2 in ε (every size): a term without ε stays, a term linear in ε has mean 0,
    P·ε·εᵀ·R has mean σ²·P·R, and P·(εᵀMε)·R has mean σ²·tr(M)·P·R."""
    if not sp.S(expr).has(noise):
        raise ValueError(f"the expectation of {expr} does not involve the noise {noise}: it derives nothing")
    total = []
    for term in sp.Add.make_args(sp.expand(expr)):
        factors = list(term.args) if isinstance(term, sp.MatMul) else [term]
        scale = sp.Mul(*(f for f in factors if not getattr(f, "is_Matrix", False)))
        factors = [f for f in factors if getattr(f, "is_Matrix", False)]
        at = [i for i, f in enumerate(factors) if f in (noise, noise.T)]
        if scale.has(noise) or any(f.has(noise) for i, f in enumerate(factors) if i not in at):
            raise NotImplementedError(f"{term}: the noise stands inside a factor; only bare ε and εᵀ are taken")
        if not at:
            total.append(term)
        elif len(at) == 2 and factors[at[0]] == noise and factors[at[1]] == noise.T and at[1] == at[0] + 1:
            total.append(scale * sigma ** 2 * sp.MatMul(*factors[:at[0]], *factors[at[1] + 1:]))
        elif len(at) == 2 and factors[at[0]] == noise.T and factors[at[1]] == noise:
            inner = sp.MatMul(*factors[at[0] + 1:at[1]]) if at[1] > at[0] + 1 else sp.Identity(noise.shape[0])
            outer = factors[:at[0]] + factors[at[1] + 1:]
            total.append(scale * sigma ** 2 * sp.Trace(inner) * (sp.MatMul(*outer) if outer else sp.Identity(1)))
        elif len(at) != 1:
            raise NotImplementedError(f"{term}: only moments up to the second of ε are taken")
    if not total:
        return sp.ZeroMatrix(*expr.shape)
    return total[0] if len(total) == 1 else sp.MatAdd(*total)


def expect_iid_entries(expr, noise, mean, second):
    """E[expr] over the entries of the noise matrix, independent, each with E[N] = mean and
    E[N²] = second: linear through every Σ, E[N_a N_b] = mean² + (second − mean²)δ_ab."""
    if not expr.has(noise):
        raise ValueError(f"the expectation of {expr} does not involve the noise {noise}: it derives nothing")
    total = sp.Integer(0)
    for body, ranges in _flat(expr):
        entries, rest = [], sp.Integer(1)
        for factor in sp.Mul.make_args(body):
            base, power = factor.as_base_exp()
            if isinstance(base, MatrixElement) and base.parent == noise:
                if not (power.is_Integer and power > 0):
                    raise NotImplementedError(f"E[{factor}]: only positive integer powers of the noise are taken")
                entries += [base] * int(power)
            else:
                rest *= factor
        if len(entries) > 2 or rest.has(noise):
            raise NotImplementedError(f"E[{body}] needs a moment beyond the second, or of a function of the noise")
        moment = [sp.Integer(1), mean, None][len(entries)]
        if len(entries) == 2:
            a, b = entries
            moment = mean ** 2 + (second - mean ** 2) * sp.KroneckerDelta(a.i, b.i) * sp.KroneckerDelta(a.j, b.j)
        total += sp.Sum(rest * moment, *ranges) if ranges else rest * moment
    return sums_merged(total)
