"""Matrix identities in an eigenbasis, for every size: H = QΛQᵀ with Q orthogonal and Λ diagonal.

A residual built from H = QΛQᵀ, expanded, is a sum of products. With QᵀQ = QQᵀ = I, each product
is Q·M·Qᵀ·R where M is built from Λ and I alone (sums, products, inverses): such an M commutes
with Λ and acts on each eigenvalue by itself, M = diag(f(λᵢ)) for the scalar function f that M
spells. So the residual is Q·diag(Σ f(λᵢ))·Qᵀ·R summed over its distinct tails R, and it is 0
for every n when each tail's scalar Σ f(λ) is 0: an obligation in one scalar λ.
"""
from __future__ import annotations

import sympy as sp


class NotInEigenbasis(ValueError):
    """The residual has a product that is not Q·(a function of Λ)·Qᵀ·(a tail)."""


def scalar_residuals(residual, q: sp.MatrixSymbol, diagonal: sp.MatrixSymbol, eigenvalue: sp.Symbol) -> list:
    """The scalar function of ``eigenvalue`` for each distinct tail of ``residual`` (see the
    module's account); raises NotInEigenbasis when a product has another shape."""
    total = sp.expand(residual)
    terms = total.args if isinstance(total, sp.MatAdd) else (total,)
    by_tail: dict = {}
    for term in terms:
        scalar, factors = _split(term)
        factors = _without_q_transpose_q(factors, q)
        if not factors or factors[0] != q:            # R alone is Q·I·Qᵀ·R
            middle, tail = [], factors
        else:
            closing = next((i for i, f in enumerate(factors) if f == q.T), None)
            if closing is None:
                raise NotInEigenbasis(f"{term} has Q without a Qᵀ after it")
            middle, tail = factors[1:closing], factors[closing + 1:]
        value = sp.Mul(scalar, *(_as_scalar(f, diagonal, eigenvalue) for f in middle))
        key = sp.MatMul(*tail) if tail else None
        if key is not None and key.has(diagonal):
            raise NotInEigenbasis(f"{term} has Λ outside Q … Qᵀ")
        by_tail[key] = by_tail.get(key, 0) + value
    return list(by_tail.values())


def _split(term):
    """(scalar coefficient, [matrix factors]) of one product."""
    if isinstance(term, sp.MatMul):
        scalars = [a for a in term.args if not getattr(a, "is_Matrix", False)]
        return sp.Mul(*scalars), [a for a in term.args if getattr(a, "is_Matrix", False)]
    if getattr(term, "is_Matrix", False):
        return sp.S.One, [term]
    raise NotInEigenbasis(f"{term} is not a matrix product")


def _without_q_transpose_q(factors: list, q) -> list:
    """QᵀQ = I and QQᵀ = I removed wherever they stand side by side (Q orthogonal)."""
    out: list = []
    for f in factors:
        if out and {out[-1], f} == {q, q.T}:
            out.pop()
        else:
            out.append(f)
    return out


def _as_scalar(factor, diagonal, eigenvalue):
    """The scalar function a factor built from Λ and I alone applies to each eigenvalue."""
    if factor == diagonal:
        return eigenvalue
    if isinstance(factor, sp.Identity):
        return sp.S.One
    if isinstance(factor, sp.Inverse):
        return 1 / _as_scalar(factor.arg, diagonal, eigenvalue)
    if isinstance(factor, sp.MatPow) and factor.exp.is_integer:
        return _as_scalar(factor.base, diagonal, eigenvalue) ** factor.exp
    if isinstance(factor, sp.MatAdd):
        return sp.Add(*(_as_scalar(a, diagonal, eigenvalue) for a in factor.args))
    if isinstance(factor, sp.MatMul):
        return sp.Mul(*(a if not getattr(a, "is_Matrix", False) else _as_scalar(a, diagonal, eigenvalue)
                        for a in factor.args))
    raise NotInEigenbasis(f"{factor} between Q and Qᵀ is not built from Λ and I alone")
