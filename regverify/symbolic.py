"""Explicit symbolic matrices for proofs that need entries (abstract σ, orthogonal Q)."""
import re

import sympy as sp


class Entry(sp.Symbol):
    """An entry of an explicit symbol matrix that knows the matrix it belongs to (its name and
    shape), so that the engine reads the sizes a proof was built at off the obligation itself."""

    def __new__(cls, name, matrix: str, shape: tuple, **assumptions):
        entry = sp.Symbol.__xnew__(cls, name, **assumptions)    # uncached: W_11 of 2×3 is not W_11 of 3×4
        entry.matrix, entry.matrix_shape = matrix, tuple(shape)
        return entry

    def __getnewargs_ex__(self):
        return (self.name, self.matrix, self.matrix_shape), self.assumptions0

    def _hashable_content(self):
        return (*super()._hashable_content(), self.matrix, self.matrix_shape)


def symbol_matrix(name: str, rows: int, cols: int, **assumptions) -> sp.Matrix:
    """A rows×cols matrix of independent symbols name_ij, counted from 0 as in NumPy (W_01 is row 0,
    column 1), so that a residual's symbols and an array's entries are numbered alike."""
    return sp.Matrix(rows, cols, lambda i, j: Entry(f"{name}_{i}{j}", name, (rows, cols), **assumptions))


def symbol_vector(name: str, size: int, **assumptions) -> sp.Matrix:
    return sp.Matrix(size, 1, lambda i, _: Entry(f"{name}_{i}", name, (size, 1), **assumptions))


def at_explicit(form, values: dict):
    """``form`` (a matrix expression of symbolic size) at explicit matrices: ``values`` maps each
    MatrixSymbol to a Matrix (and may map a size symbol to an integer); every symbolic size takes
    the size read off the matrices, in the form's scalars too (d in (d/2) log 2π). Evaluated node
    by node, so a product is formed once (``.doit()`` recomputes shared subexpressions entry by
    entry); a matrix comes back as a Matrix (1×1 included), a scalar as a scalar."""
    values = dict(values)
    for symbol, value in list(values.items()):
        for dim, actual in zip(getattr(symbol, "shape", ()), getattr(value, "shape", ())):
            if isinstance(dim, sp.Symbol) and values.setdefault(dim, actual) != actual:
                raise ValueError(f"Expected {symbol} to have {dim} = {values[dim]} but got shape {value.shape}")
    return _evaluated(sp.S(form), values)


def _evaluated(e, values: dict):
    from functools import reduce
    from sympy.matrices.expressions.applyfunc import ElementwiseApplyFunction
    from sympy.matrices.expressions.matexpr import MatrixElement
    from sympy.matrices.expressions.slice import MatrixSlice

    def at(e):
        if e in values:
            value = values[e]
            return sp.Matrix(value) if isinstance(value, sp.MatrixBase) else sp.S(value)
        if isinstance(e, sp.MatrixBase):
            return sp.Matrix(e)
        if isinstance(e, sp.MatrixSymbol):
            raise KeyError(f"Expected a value for {e} in values but got keys {sorted(map(str, values))}")
        if isinstance(e, (sp.OneMatrix, sp.ZeroMatrix)):
            return (sp.ones if isinstance(e, sp.OneMatrix) else sp.zeros)(int(at(e.rows)), int(at(e.cols)))
        if isinstance(e, sp.Identity):
            return sp.eye(int(at(e.rows)))
        if isinstance(e, MatrixElement) and e.i.is_Integer and e.j.is_Integer:
            return at(e.parent)[int(e.i), int(e.j)]
        if isinstance(e, sp.Sum):      # an entry of a product of symbolic size, as SymPy writes it
            sizes = {k: v for k, v in values.items() if not isinstance(v, sp.MatrixBase)}
            matrices = {k.subs(sizes): sp.ImmutableMatrix(v) for k, v in values.items() if isinstance(v, sp.MatrixBase)}
            return e.subs(sizes).xreplace(matrices).doit()
        if isinstance(e, MatrixSlice):
            rows, cols = (slice(*(int(at(b)) for b in part)) for part in (e.rowslice, e.colslice))
            return at(e.parent)[rows, cols]
        parts = [at(a) for a in e.args]
        rules = {sp.MatMul: lambda: reduce(lambda a, b: a * b, parts),
                 sp.MatAdd: lambda: reduce(lambda a, b: a + b, parts),
                 sp.Transpose: lambda: parts[0].T, sp.Inverse: lambda: parts[0].inv(),
                 sp.MatPow: lambda: parts[0] ** parts[1], sp.Trace: lambda: parts[0].trace(),
                 sp.Determinant: lambda: parts[0].det(),
                 sp.HadamardProduct: lambda: reduce(lambda a, b: a.multiply_elementwise(b), parts),
                 sp.HadamardPower: lambda: parts[0].applyfunc(lambda entry: entry ** parts[1]),
                 ElementwiseApplyFunction: lambda: at(e.expr).applyfunc(e.function)}
        for kind, rule in rules.items():
            if isinstance(e, kind):
                return rule()
        if isinstance(e, sp.MatrixExpr):
            raise NotImplementedError(f"at_explicit has no rule for {type(e).__name__}; add one")
        return e.func(*parts) if e.args else e
    return at(e)


def cayley_orthogonal(size: int) -> sp.Matrix:
    """Q = (I − S)(I + S)⁻¹ for skew S: orthogonal, with entries rational in S's symbols,
    so identities in Q reduce with ``cancel`` (trig rotations with ``simplify`` do not finish)."""
    s = iter(sp.symbols(f"s1:{size * (size - 1) // 2 + 1}", real=True))
    skew = sp.zeros(size)
    for i in range(size):
        for j in range(i + 1, size):
            skew[j, i] = next(s)
            skew[i, j] = -skew[j, i]
    eye = sp.eye(size)
    return ((eye - skew) * (eye + skew).inv()).applyfunc(sp.cancel)


def gradient_matrix(scalar, wrt: sp.Matrix) -> sp.Matrix:
    """∂scalar/∂wrt, entry by entry, in wrt's shape."""
    return wrt.applyfunc(lambda entry: sp.diff(scalar, entry))


PRINTED_FIGURE = re.compile(r"-?\d+(\.\d+)?([eE][-+]?\d+)?")


def printed_decimals(text: str) -> int:
    """Decimal places a figure is printed to: 0.950 → 3, 2.7e-4 → 5 (plain ASCII figures only)."""
    if not PRINTED_FIGURE.fullmatch(text):
        raise ValueError(f"not a plain printed figure: {text!r}")
    mantissa, _, exponent = text.lower().partition("e")
    return len(mantissa.partition(".")[2]) - int(exponent or 0)


def agrees_with_printed(value, text: str) -> sp.Expr:
    """Positive exactly when ``value`` rounds to the figure printed as ``text``: half a unit in its
    last printed digit minus the distance to it (a condition for ``Obligation.positive``)."""
    half_unit = sp.Rational(1, 2) * sp.Rational(10) ** -printed_decimals(text)
    return half_unit - sp.Abs(value - sp.Rational(text.lower()))


