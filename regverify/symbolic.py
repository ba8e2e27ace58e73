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
    """A form written with MatrixSymbols of symbolic size, at explicit matrices: ``values`` maps
    each MatrixSymbol to an explicit matrix, and its symbolic dimensions take that matrix's sizes
    (in the form's scalars too, as d in (d/2) log 2π). A matrix comes back explicit."""
    sizes = {}
    for symbol, value in values.items():
        for dim, actual in zip(symbol.shape, value.shape):
            if isinstance(dim, sp.Symbol) and sizes.setdefault(dim, actual) != actual:
                raise ValueError(f"Expected {dim} = {sizes[dim]} for {symbol} but got shape {value.shape}")
    explicit = {symbol.subs(sizes): sp.ImmutableMatrix(value) for symbol, value in values.items()}
    result = sp.S(form).subs(sizes).xreplace(explicit).doit()
    return sp.Matrix(result) if isinstance(result, sp.MatrixExpr) else result


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
