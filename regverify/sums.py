"""Sums over symbolic ranges in one normal form, for proofs at every size.

A matrix form at a generic entry is a sum of indexed Σs (a product of matrices of symbolic size is
a Σ over the inner size). Two sides of an identity then often differ only in how their Σs are
written: a Σ that is a factor of another's summand, a Kronecker delta still to sum out, indices in
another order (Σᵢⱼ Wⱼᵢ² against Σᵢⱼ Wᵢⱼ²). ``sums_merged`` writes each side the same way; every
step is exact (a finite sum over fixed ranges may be taken in any order).
"""
from __future__ import annotations

import itertools

import sympy as sp
from sympy.matrices.expressions.matexpr import MatrixElement


def _flat(expr):
    """expr as [(summand, ranges)], expr = Σ of Sum(summand, *ranges): a Σ that multiplies a summand
    joins its ranges, (Σ)³ becomes three Σs; every index is a fresh dummy, so none is captured."""
    expr = sp.expand(expr)
    if isinstance(expr, sp.Add):
        return [part for term in expr.args for part in _flat(term)]
    if isinstance(expr, sp.Sum):
        fresh = {v: sp.Dummy(v.name, integer=True) for v, *_ in expr.limits}
        ranges = tuple((fresh[v], sp.S(low).xreplace(fresh), sp.S(high).xreplace(fresh))
                       for v, low, high in expr.limits)
        return [(body, ranges + inner) for body, inner in _flat(expr.function.xreplace(fresh))]
    if isinstance(expr, sp.Pow) and expr.exp.is_Integer and expr.exp > 0 and isinstance(expr.base, sp.Sum):
        factors = [expr.base] * int(expr.exp)
    elif isinstance(expr, sp.Mul):
        factors = expr.args
    else:
        return [(expr, ())]
    out = [(sp.Integer(1), ())]
    for factor in factors:
        out = [(b1 * b2, r1 + r2) for b1, r1 in out for b2, r2 in _flat(factor)]
    return out


def _deltas_summed(body, ranges):
    """Σ_b δ(a, b) f(b) = f(a) for indices a, b over the same range."""
    bounds = {symbol for _, low, high in ranges for symbol in sp.S(low).free_symbols | sp.S(high).free_symbols}
    ranges = dict((v, (low, high)) for v, low, high in ranges)
    for delta in [d for d in body.atoms(sp.KroneckerDelta) if set(d.args[:2]) <= set(ranges)]:
        a, b = delta.args[:2]
        stated = tuple(delta.args[2]) if len(delta.args) == 3 else ranges[a]     # δ is 0 off its range
        if ranges[a] == ranges[b] == stated and b not in bounds:      # b summed out only if no range names it
            body = body.xreplace({delta: 1}).xreplace({b: a})
            del ranges[b]
            return _deltas_summed(body, [(v, *r) for v, r in ranges.items()])
    return body, tuple((v, *r) for v, r in ranges.items())


def _canonical(body, ranges):
    """Indices over equal ranges in the order that prints first, so that Σᵢⱼ Wⱼᵢ² and Σᵢⱼ Wᵢⱼ²
    read alike (a finite sum over fixed ranges may be taken in any order); fresh dummies k0, k1, …"""
    indices, groups = {v for v, *_ in ranges}, {}
    if any(sp.S(bound).free_symbols & indices for _, *bounds in ranges for bound in bounds):
        return body, ranges                      # a range that depends on another index keeps its place
    for limit in ranges:
        groups.setdefault(str(limit[1:]), []).append(limit)
    orders = ([limit for group in choice for limit in group]
              for choice in itertools.product(*[itertools.permutations(groups[k]) for k in sorted(groups)]))
    order = min(orders, key=lambda order: str(body.xreplace(
        {v: sp.Symbol(f"k{place}") for place, (v, *_) in enumerate(order)})))
    fresh = {v: sp.Dummy(f"k{place}", integer=True) for place, (v, *_) in enumerate(order)}
    return body.xreplace(fresh), tuple((fresh[v], low, high) for v, low, high in order)


def _terms(expr, outer=()):
    for body, ranges in _flat(expr):
        body, ranges = _deltas_summed(body, outer + ranges)
        if any(isinstance(b, sp.Sum) and e.is_Integer and e > 0 for b, e in map(sp.Expr.as_base_exp, sp.Mul.make_args(body))):
            yield from _terms(body, ranges)      # a δ summed out left a Σ factor, e.g. √(Σ)√(Σ)
        elif body != 0:
            yield _canonical(body, ranges)


def sums_merged(expr):
    """expr as a sum of Σs, none a factor of another's summand, Kronecker deltas summed out, indices
    in one order: the prover's sums over the same ranges then meet Σᵢ aᵢ Σⱼ bᵢⱼ and Σᵢⱼ aᵢbᵢⱼ alike."""
    return sp.Add(*[sp.Sum(body, *ranges) if ranges else body for body, ranges in _terms(expr)])


def entrywise(form):
    """A stated scalar form in entries: a trace as Σᵢ Mᵢᵢ, a 1×1 matrix as its entry."""
    form = form.replace(lambda e: isinstance(e, sp.Trace),
                        lambda t: t.arg[0, 0] if t.arg.shape == (1, 1) else t.rewrite(sp.Sum))
    return sums_merged(form[0, 0] if isinstance(form, sp.MatrixExpr) else form)


def sum_out_deltas(expr):
    """Each Σ over i of a summand with δ(i, p) — p in the same range, as the delta states it — summed
    out to the summand at i = p; other sums are left as they are. (SymPy's own ``doit`` tries a closed
    form for every sum, which costs seconds on a network's gradient and is never needed here.)
    p is a free index (a generic entry, in its range by construction) or an index summed over the
    delta's own range: one summed over another range may fall outside it, where δ is 0."""
    expr = expr.replace(lambda e: isinstance(e, (sp.Derivative, sp.Subs)), lambda e: e.doit())
    ranges: dict = {}
    for total in expr.atoms(sp.Sum):
        for index, low, high in total.limits:
            ranges.setdefault(index, set()).add((low, high))
    return expr.replace(lambda e: isinstance(e, sp.Sum) and e.function.has(sp.KroneckerDelta),
                        lambda e: _deltas_out(e, ranges))     # bottom-up: inner sums first


def replaced_free(expr, old, new):
    """expr with its free ``old`` replaced by ``new``: a Σ that binds ``old`` keeps it, and one that
    binds ``new`` around a free ``old`` has its index renamed first, so that nothing is captured."""
    if expr == old:
        return new
    if not isinstance(expr, sp.Basic) or old not in expr.free_symbols:
        return expr
    if isinstance(expr, sp.Sum):
        if new in expr.variables:
            fresh = sp.Dummy(str(new), integer=True)
            expr = sp.Sum(expr.function.xreplace({new: fresh}),
                          *[(fresh if v == new else v, lo, hi) for v, lo, hi in expr.limits])
        if old in expr.variables:      # bound here: only the bounds of limits may name the free one
            return sp.Sum(expr.function, *[(v, replaced_free(lo, old, new), replaced_free(hi, old, new))
                                           for v, lo, hi in expr.limits])
    return expr.func(*[replaced_free(a, old, new) for a in expr.args])


def _deltas_out(total, ranges=None):
    out = sp.Integer(0)
    for term in sp.Add.make_args(sp.expand_mul(total.function)):
        limits = list(total.limits)
        while (found := _summable_delta(term, limits, ranges or {})) is not None:
            delta, limit, other = found
            term = replaced_free(term / delta, limit[0], other)
            limits.remove(limit)
        if not limits:
            out += term
            continue
        indices = {index for index, *_ in limits}
        outside = [f for f in sp.Mul.make_args(term) if not f.free_symbols & indices]
        out += sp.Mul(*outside) * sp.Sum(term / sp.Mul(*outside), *limits)     # constants taken out
    return out


def _summable_delta(term, limits, ranges):
    """(δ(i, p), i's limit, p) for an index i of the sum whose range the delta states and on which
    no other range depends, p free or summed over that range only; None if the term has none."""
    for limit in limits:
        index, low, high = limit
        if any(index in sp.S(bound).free_symbols for other in limits if other is not limit for bound in other[1:]):
            continue
        for delta in sp.Mul.make_args(term):
            if (isinstance(delta, sp.KroneckerDelta) and index in delta.args[:2] and len(delta.args) == 3
                    and tuple(delta.args[2]) == (low, high)):
                other = delta.args[1] if delta.args[0] == index else delta.args[0]
                if ranges.get(other, {(low, high)}) == {(low, high)}:
                    return delta, limit, other
    return None


def _over_entries(total) -> bool:
    """A Σ over a symbolic range whose summand reaches its index through a matrix's (or an indexed
    base's) entries: it has no closed form (over a range of fixed length, ``doit`` writes its terms)."""
    indices = set(total.variables)
    if all(sp.S(high - low).is_Integer for _, low, high in total.limits):
        return False
    return any(sp.S(i).free_symbols & indices for entry in total.function.atoms(MatrixElement, sp.Indexed)
               for i in entry.indices)


def evaluated(expr):
    """``expr.doit()`` for everything but the Σs over a matrix's entries, whose Kronecker deltas are
    summed out instead: counts, arithmetic and binomial sums get their closed forms, and the Σs over
    entries, which have none, are not searched for one (SymPy's Gosper search there takes seconds).
    A Σ is kept aside only when nothing above it binds one of its symbols (an outer Σ's index, a
    derivative's variable): kept aside it is a constant to the rest, which is then all it may be."""
    kept = {}

    def hidden(e, bound):
        if isinstance(e, sp.Sum) and _over_entries(e) and (terms := _fixed_ranges_written_out(e)) is not None:
            return hidden(terms, bound)
        if isinstance(e, sp.Sum) and _over_entries(e) and not e.free_symbols & bound:
            kept[placeholder := sp.Dummy("entry_sum")] = e
            return placeholder
        if not e.has(sp.Sum):
            return e                                  # rebuilt only where a Σ is
        inner = bound | set(getattr(e, "variables", ())) if isinstance(e, BINDERS) else bound
        return e.func(*(hidden(a, inner) for a in e.args))
    return hidden(sum_out_deltas(sp.S(expr)), frozenset()).doit().xreplace(kept)


def _fixed_ranges_written_out(total):
    """A Σ over a symbolic range and ranges of fixed length (Σ_{c=0}^{0} Σᵢ …, as a product with a
    1×1 factor makes them) as the fixed ranges' terms, each a Σ over the rest, as ``doit`` writes
    them; None when it has no fixed range or only fixed ones."""
    def bounds_of_others(limit):
        return set().union(*(sp.S(e).free_symbols for other in total.limits if other is not limit for e in other[1:]))
    fixed = [limit for limit in total.limits if sp.S(limit[1]).is_Integer and sp.S(limit[2]).is_Integer
             and limit[2] >= limit[1] and limit[0] not in bounds_of_others(limit)]
    if not fixed or len(fixed) == len(total.limits):
        return None
    index, low, high = fixed[0]
    rest = [limit for limit in total.limits if limit is not fixed[0]]
    return sp.Add(*[replaced_free(sp.Sum(total.function, *rest), index, sp.Integer(value))
                    for value in range(int(low), int(high) + 1)])


# What binds a symbol for the expression inside it: a Σ kept aside below one must not name it.
BINDERS = (sp.Sum, sp.Product, sp.Integral, sp.Derivative, sp.Subs, sp.Lambda)


def entry(form, row, column):
    """form[row, column] of a matrix expression of symbolic size, its products as Σs left unevaluated
    (``form[i, j]`` asks ``doit`` for a closed form of every Σ once an inner size is 1), then
    ``evaluated``: deltas summed out, closed forms only where they exist."""
    if not isinstance(form, sp.MatrixExpr):
        return form[row, column]
    return evaluated(form._entry(sp.S(row), sp.S(column), expand=False))
