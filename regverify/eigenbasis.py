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
    return list(_by_tail(residual, q, diagonal, eigenvalue).values())


def eigenvalue_function(matrix, q: sp.MatrixSymbol, diagonal: sp.MatrixSymbol, eigenvalue: sp.Symbol):
    """f(λ) for a matrix that is Q·diag(f(λᵢ))·Qᵀ, every term closed by Qᵀ with no tail: its
    eigenvalues are the f(λᵢ), so it is positive (semi)definite exactly when f is (≥) 0 on the
    eigenvalues. Raises NotInEigenbasis for another shape."""
    tails = _by_tail(matrix, q, diagonal, eigenvalue)
    if set(tails) != {None}:
        raise NotInEigenbasis(f"{matrix} is not Q·f(Λ)·Qᵀ: it has the tails {[t for t in tails if t is not None]}")
    return tails[None]


def conjugated(expr, q: sp.MatrixSymbol):
    """expr with every sum of Q·Mᵢ·Qᵀ terms and multiples of I written Q·(Σ Mᵢ + cI)·Qᵀ and every
    inverse or power of Q·M·Qᵀ written Q·M⁻¹·Qᵀ (Q·Mᵏ·Qᵀ): both hold because QᵀQ = QQᵀ = I. So
    (H + αI)⁻¹ with H = QΛQᵀ becomes Q(Λ + αI)⁻¹Qᵀ, whose middle is built from Λ alone."""
    if not isinstance(expr, sp.Basic) or not expr.args:
        return expr
    if isinstance(expr, sp.Inverse) and expr.arg in (q, q.T):       # Q⁻¹ = Qᵀ
        return expr.arg.T
    expr = expr.func(*[conjugated(a, q) for a in expr.args])

    def middle(term):
        """M for a term c·Q·M·Qᵀ (c·M), I for c·I, else None."""
        scalar, factors = (sp.Mul(*[a for a in term.args if not a.is_Matrix]),
                           [a for a in term.args if a.is_Matrix]) if isinstance(term, sp.MatMul) else (1, [term])
        if len(factors) == 1 and isinstance(factors[0], sp.Identity):
            return scalar * factors[0]
        if len(factors) >= 3 and factors[0] == q and factors[-1] == q.T:
            return scalar * sp.MatMul(*factors[1:-1])
        return None

    if isinstance(expr, sp.MatAdd):
        middles = [middle(t) for t in expr.args]
        if all(m is not None for m in middles) and any(middle(t) != t for t in expr.args if middle(t) is not None):
            return sp.MatMul(q, sp.MatAdd(*middles), q.T)
    if isinstance(expr, (sp.Inverse, sp.MatPow)):
        base = expr.arg if isinstance(expr, sp.Inverse) else expr.base
        inner = middle(base)
        if inner is not None and inner != base:
            power = -1 if isinstance(expr, sp.Inverse) else expr.exp
            return sp.MatMul(q, sp.MatPow(inner, power), q.T)
    return expr


def _by_tail(residual, q, diagonal, eigenvalue) -> dict:
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
    return by_tail


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
