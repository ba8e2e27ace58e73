"""The expression tree that both answer syntaxes are read into, and its bounded interpreter.

Nothing here executes user text: the parsers build ``Node`` trees, and ``evaluate`` walks them
with NumPy in float64 under explicit bounds (elements per intermediate, exponent size), so a
power tower overflows or is refused instead of hanging.
"""
from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

MAX_ELEMENTS = 100_000     # per intermediate result
MAX_EXPONENT = 1_000


class InvalidAnswer(ValueError):
    """The answer cannot be read or evaluated (syntax, names, shapes, bounds)."""


@dataclass(frozen=True)
class Node:
    op: str            # "num", "sym", an operator (add sub mul div pow matmul neg T inv) or a function
    args: tuple = ()
    value: object = None   # the number, the symbol's name, or the axis of sum/mean


def num(value) -> Node:
    number = float(value)
    if not math.isfinite(number):   # 1e999 is read by float() as inf: grading it would be a verdict on inf
        raise InvalidAnswer("a number in the answer is over the largest one that can be read (about 1.8e308); "
                            "write a smaller one")
    return Node("num", value=number)


def sym(name: str) -> Node:
    return Node("sym", value=name)


# Constants an answer may use by name unless the question declares a symbol of that name.
CONSTANTS = {"pi": math.pi, "e": math.e}


def const(name: str) -> Node:
    return Node("const", value=name)


# --- echo in the plain-text syntax --------------------------------------------------------------
INFIX = {"add": ("+", 1), "sub": ("-", 1), "mul": ("*", 2), "div": ("/", 2), "matmul": ("@", 2),
         "pow": ("**", 4)}


def to_text(node: Node, shapes: dict | None = None, parent: int = 0, right: bool = False) -> str:
    """The tree in the plain-text syntax, with only the parentheses it needs.

    ``shapes`` (id(node) → shape, recorded by an Evaluator in math semantics) turns the LaTeX
    readings into their NumPy spelling: a scalar product is *, a column times a row is outer()."""
    shapes = shapes or {}

    def text(n, level=0, is_right=False):
        return to_text(n, shapes, level, is_right)

    if node.op == "num":
        v = node.value
        return str(int(v)) if float(v).is_integer() and abs(v) < 1e15 else repr(v)
    if node.op in ("sym", "const"):
        return node.value
    if node.op == "neg":   # unary minus binds tighter than * / @ but looser than **
        inner = text(node.args[0], 2)
        return f"(-{inner})" if parent >= 4 or (right and parent >= 1) else f"-{inner}"
    if node.op == "T":
        return f"{text(node.args[0], 5)}.T"
    op = node.op
    if op == "matmul" and shapes:
        a, b = (shapes.get(id(x)) for x in node.args)
        if a == () or b == ():
            op = "mul"
        elif a and b and a[-1:] == (1,) and b[:1] == (1,) and node.args[1].op == "T":
            return f"outer({text(node.args[0])}, {text(node.args[1].args[0])})"
        elif a and len(a) == 2 and a[0] == 1 and node.args[0].op == "T" and b and b[-1:] == (1,):
            return text(Node("matmul", (node.args[0].args[0], node.args[1])), parent, right)
    if op == "mul" and shapes:   # math semantics: a matrix ⊙ a column spread along its rows
        a, b = (shapes.get(id(x)) for x in node.args)
        for m, c in ((0, 1), (1, 0)):
            matrix, column = (a, b) if m == 0 else (b, a)
            if (matrix and column and len(matrix) == 2 and len(column) == 2 and column[1] == 1
                    and matrix[0] != matrix[1] and column[0] == matrix[0] and matrix[1] != 1):
                body = f"diag({text(node.args[c])}) @ {text(node.args[m], 2)}"
                return f"({body})" if parent > 2 or (right and parent == 2) else body
    if op == "mpow":
        base = shapes.get(id(node.args[0]))
        op = "pow" if not (base and len(base) == 2 and base[0] == base[1] > 1) else "mpow"
    if op in INFIX:
        symbol, level = INFIX[op]
        if op == "pow":   # right-associative
            body = f"{text(node.args[0], level + 1)}{symbol}{text(node.args[1], level)}"
        else:
            body = f"{text(node.args[0], level)} {symbol} {text(node.args[1], level, True)}"
        needs = level < parent or (right and level == parent)
        return f"({body})" if needs else body
    args = ", ".join(text(a) for a in node.args)
    if node.value is not None:
        args += f", axis={node.value}"
    return f"{op}({args})"


def walk(node: Node):
    yield node
    for a in node.args:
        yield from walk(a)


def symbols_in(node: Node) -> set[str]:
    return {n.value for n in walk(node) if n.op == "sym"}


# --- evaluation ----------------------------------------------------------------------------------
def shape_text(shape: tuple, size_names: dict | None = None) -> str:
    if shape == ():
        return "a scalar"
    names = size_names or {}
    dims = "×".join(names.get(d, str(d)) for d in shape)
    return f"a vector of length {dims}" if len(shape) == 1 else dims


def _check_size(shape, node):
    count = math.prod(shape)
    if count > MAX_ELEMENTS:
        raise InvalidAnswer(f"{to_text(node)} would have {count} elements; the bound is {MAX_ELEMENTS}")


def _broadcast_shape(a: tuple, b: tuple):
    """NumPy's broadcasting rule for two shapes, or None if they do not broadcast."""
    if a == b:
        return a
    n = max(len(a), len(b))
    a, b = (1,) * (n - len(a)) + a, (1,) * (n - len(b)) + b
    out = []
    for x, y in zip(a, b):
        if x != y and 1 not in (x, y):
            return None
        out.append(max(x, y))
    return tuple(out)


def _shape_of(value) -> tuple:
    """np.shape, without its dispatch: every value here is a NumPy array or scalar."""
    try:
        return value.shape
    except AttributeError:
        return np.shape(value)


class Evaluator:
    """Evaluate trees against one environment of sampled values.

    ``columns=True`` is math semantics (LaTeX): vectors are n×1 columns (pass the environment
    through ``as_columns``), so x hᵀ is an outer product and a 1×1 product is a scalar.
    Otherwise NumPy semantics (plain text)."""

    def __init__(self, env: dict, size_names: dict | None = None, columns: bool = False):
        self.size_names = size_names or {}
        self.columns = columns
        self.env = env
        self.shapes: dict[int, tuple] = {}

    def __call__(self, node: Node):
        with np.errstate(all="ignore"):
            return self.value_of(node)

    def value_of(self, node: Node):
        if node.op == "num":
            self.shapes[id(node)] = ()
            return np.float64(node.value)
        if node.op == "const":
            self.shapes[id(node)] = ()
            return np.float64(CONSTANTS[node.value])
        if node.op == "sym":
            if node.value not in self.env:
                raise InvalidAnswer(f"unknown name {node.value!r}; allowed: {', '.join(sorted(self.env))}")
            self.shapes[id(node)] = _shape_of(self.env[node.value])
            return self.env[node.value]
        values = [self.value_of(a) for a in node.args]
        handler = OPERATIONS.get(node.op)
        if handler is None:
            raise InvalidAnswer(f"unknown operation {node.op!r}")
        result = handler(self, node, *values)
        self.shapes[id(node)] = _shape_of(result)
        return result

    def describe(self, node: Node, value) -> str:
        # in LaTeX a product of a scalar is written back as *, as the reading shows it
        return f"{to_text(node, self.shapes if self.columns else None)} is {shape_text(np.shape(value), self.size_names)}"


def as_columns(env: dict) -> dict:
    """Math semantics: every vector becomes an n×1 column."""
    return {k: np.reshape(v, (-1, 1)) if np.ndim(v) == 1 else v for k, v in env.items()}


def _matching_axis(a, b):
    """Math semantics: an m×k matrix ⊙ a column of length k (or m) is spread along the axis whose
    size it matches (sizes differ within a trial, so at most one does). The column, reshaped to
    broadcast in NumPy, or None."""
    sa, sb = np.shape(a), np.shape(b)
    if len(sa) == 2 and len(sb) == 2 and sb[1] == 1 and sa[1] != 1 and sa[0] != sa[1]:
        if sb[0] == sa[1]:
            return np.reshape(b, (1, -1))
        if sb[0] == sa[0]:
            return b
    return None


def _broadcast(ev, node, a, b, what):
    sa, sb = _shape_of(a), _shape_of(b)
    shape = _broadcast_shape(sa, sb)
    if ev.columns and sa and sb and sa != sb:
        shape = None   # math semantics: elementwise operands have one shape (or one is a scalar)
    if shape is None:
        raise InvalidAnswer(f"cannot {what} them elementwise: {ev.describe(node.args[0], a)} but "
                            f"{ev.describe(node.args[1], b)}" + diag_note(ev, node))
    _check_size(shape, node)
    return shape


def _elementwise(function, what):
    def apply(ev, node, a, b):
        if ev.columns and what == "multiply" and np.ndim(a) == 2 and np.ndim(b) == 2 and np.shape(a) != np.shape(b):
            spread = _matching_axis(a, b)
            if spread is not None:
                return function(a, spread)
            spread = _matching_axis(b, a)
            if spread is not None:
                return function(spread, b)
        _broadcast(ev, node, a, b, what)
        return function(a, b)
    return apply


def _matmul(ev, node, a, b):
    sa, sb = _shape_of(a), _shape_of(b)
    if not sa or not sb:
        return a * b
    if sa[-1] != sb[0]:
        names = ev.size_names
        left, right = to_text(node.args[0]), to_text(node.args[1])
        cols = names.get(np.shape(a)[-1], str(np.shape(a)[-1]))
        rows = names.get(np.shape(b)[0], str(np.shape(b)[0]))
        raise InvalidAnswer(
            f"cannot multiply with @: the left factor {left} is {shape_text(np.shape(a), names)} "
            f"({'length' if np.ndim(a) == 1 else 'columns'} {cols}) but the right factor {right} is "
            f"{shape_text(np.shape(b), names)} ({'length' if np.ndim(b) == 1 else 'rows'} {rows}); "
            "the inner sizes must match" + diag_note(ev, node))
    _check_size(np.shape(a)[:-1] + np.shape(b)[1:], node)
    out = a @ b
    return out.reshape(()) if ev.columns and np.shape(out) == (1, 1) else out


def diag_note(ev, node) -> str:
    """A factor diag(M) of a square matrix M is the vector of M's diagonal entries, which people
    often mean as the diagonal matrix: say so, and how to write that."""
    for factor in walk(node):
        if factor.op == "diag" and len(ev.shapes.get(id(factor.args[0]), ())) == 2 \
                and 1 not in ev.shapes[id(factor.args[0])]:
            inner = to_text(factor.args[0])
            return (f". Here diag({inner}) of the matrix {inner} is the vector of its diagonal entries; "
                    f"for the diagonal matrix with those entries write diag(diag({inner})) "
                    r"(in LaTeX \operatorname{diag}(\operatorname{diag}(...)))")
    return ""


def _power(ev, node, a, b):
    if np.ndim(b) == 0 and abs(float(b)) > MAX_EXPONENT:
        raise InvalidAnswer(f"the exponent {to_text(node.args[1])} = {float(b):.6g} exceeds the bound "
                            f"{MAX_EXPONENT}")
    if np.ndim(b) > 0 and np.any(np.abs(b) > MAX_EXPONENT):
        raise InvalidAnswer(f"an exponent in {to_text(node)} exceeds the bound {MAX_EXPONENT}")
    if np.ndim(a) == 2 and a.shape[0] == a.shape[1] > 1 and np.any(np.asarray(b) < 0):
        raise InvalidAnswer(f"{to_text(node)}: a negative power of the square matrix "
                            f"{to_text(node.args[0])} is ambiguous; use inv({to_text(node.args[0])}) "
                            f"for the inverse or 1/{to_text(node.args[0])} for the elementwise reciprocal")
    _broadcast(ev, node, a, b, "raise")
    return np.power(a, b)


def _math_power(ev, node, a, b):
    """LaTeX ^: a matrix power for a square matrix and a whole exponent, else elementwise."""
    if np.ndim(a) == 2 and a.shape[0] == a.shape[1] > 1 and np.ndim(b) == 0:
        k = float(b)
        if not k.is_integer():
            raise InvalidAnswer(f"{to_text(node)}: only whole powers of a square matrix are defined")
        if abs(k) > MAX_EXPONENT:
            raise InvalidAnswer(f"{to_text(node)}: the exponent {k:g} exceeds the bound {MAX_EXPONENT}")
        return np.linalg.matrix_power(a if k >= 0 else _inverse(ev, node, a), int(abs(k)))
    return _power(ev, node, a, b)


def _transpose(ev, node, a):
    return np.transpose(a)


def _inverse(ev, node, a):
    if np.ndim(a) == 0:
        return np.divide(1.0, np.float64(a))   # 1/0 is inf (undefined here), not an exception
    if np.ndim(a) != 2 or a.shape[0] != a.shape[1]:
        raise InvalidAnswer(f"inv needs a square matrix, but {ev.describe(node.args[0], a)}")
    try:
        return np.linalg.inv(a)
    except np.linalg.LinAlgError:
        return np.full(a.shape, np.nan)   # singular here: undefined at this point, not unreadable


def _unary(function):
    return lambda ev, node, a: function(a)


def _vector(ev, node, a, what):
    if ev.columns and np.ndim(a) == 2 and 1 in a.shape:
        return a.reshape(-1)
    if np.ndim(a) != 1:
        raise InvalidAnswer(f"{what} needs a vector, but {ev.describe(node.args[0], a)}")
    return a


def _outer(ev, node, a, b):
    a, b = _vector(ev, node, a, "outer"), _vector(ev, node, b, "outer")
    _check_size((a.size, b.size), node)
    return np.outer(a, b)


def _diag(ev, node, a):
    if np.ndim(a) == 2 and not (ev.columns and 1 in a.shape):
        if a.shape[0] != a.shape[1]:
            raise InvalidAnswer(f"diag of a matrix needs a square one, but {ev.describe(node.args[0], a)}")
        return np.diag(a)
    v = _vector(ev, node, np.atleast_1d(a), "diag")
    _check_size((v.size, v.size), node)
    return np.diag(v)


def _reduce(function):
    def apply(ev, node, a):
        axis = node.value
        if axis is not None and (type(axis) is not int or axis not in (0, 1)):
            raise InvalidAnswer(f"axis must be 0 or 1, not {axis!r}")
        if axis is not None and axis >= np.ndim(a):
            raise InvalidAnswer(f"axis={axis} does not exist: {ev.describe(node.args[0], a)}")
        return function(a, axis=axis)
    return apply


def _trace(ev, node, a):
    if np.ndim(a) == 0:
        return a
    if np.ndim(a) != 2 or a.shape[0] != a.shape[1]:
        raise InvalidAnswer(f"trace needs a square matrix, but {ev.describe(node.args[0], a)}")
    return np.trace(a)


def _softplus(a):
    return np.logaddexp(0.0, a)


def _sigmoid(a):
    return 0.5 * (1.0 + np.tanh(0.5 * a))


OPERATIONS = {
    "add": _elementwise(np.add, "add"), "sub": _elementwise(np.subtract, "subtract"),
    "mul": _elementwise(np.multiply, "multiply"), "div": _elementwise(np.divide, "divide"),
    "pow": _power, "mpow": _math_power, "matmul": _matmul,
    "neg": _unary(np.negative), "T": _transpose, "inv": _inverse,
    "exp": _unary(np.exp), "log": _unary(np.log), "sqrt": _unary(np.sqrt), "abs": _unary(np.abs),
    "sign": _unary(np.sign), "tanh": _unary(np.tanh), "sigmoid": _unary(_sigmoid),
    "softplus": _unary(_softplus), "relu": _unary(lambda a: np.maximum(a, 0.0)),
    "sin": _unary(np.sin), "cos": _unary(np.cos),
    "max": _elementwise(np.maximum, "compare"), "min": _elementwise(np.minimum, "compare"),
    "sum": _reduce(np.sum), "mean": _reduce(np.mean), "outer": _outer, "diag": _diag,
    "trace": _trace, "norm": lambda ev, node, a: np.sqrt(np.sum(a * a)),
}

# The functions an answer may call, with how many arguments each takes.
FUNCTIONS = {"exp": 1, "log": 1, "sqrt": 1, "abs": 1, "sign": 1, "tanh": 1, "sigmoid": 1,
             "softplus": 1, "max": 2, "min": 2, "sum": 1, "mean": 1, "outer": 2, "diag": 1,
             "inv": 1, "trace": 1, "norm": 1, "relu": 1, "sin": 1, "cos": 1}
# Piecewise functions: where each switches branch (the expression whose sign picks the branch).
PIECEWISE = {"max", "min", "abs", "sign", "relu"}
REDUCTIONS = {"sum", "mean"}
