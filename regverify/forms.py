"""A claim's stated form, compiled once to NumPy: the numeric side evaluates the same expression
the proof is built from.

``compile_form(expr, bind)`` lambdifies a SymPy expression (scalars, MatrixSymbols of symbolic
size, explicit matrices) into a function of a sample dict. ``bind`` maps sample keys to the SymPy
objects they stand for; a key with the same name as a symbol binds to it without being listed.
Symbolic sizes (the n of an n×1 MatrixSymbol) are read off the sampled arrays' shapes, so one
compiled form serves every size the sampler draws. A 1-D array bound to an n×1 (1×n)
MatrixSymbol is taken as a column (row).
"""
from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from typing import Callable

import numpy as np
import sympy as sp
from sympy.printing.numpy import NumPyPrinter


class FormPrinter(NumPyPrinter):
    """NumPy's printer plus the matrix-expression nodes the key uses (symbolic-size identities,
    traces, Hadamard powers, elementwise functions)."""

    def _print_Identity(self, expr):
        return f"numpy.eye({self._print(expr.rows)})"

    def _print_ZeroMatrix(self, expr):
        return f"numpy.zeros(({self._print(expr.rows)}, {self._print(expr.cols)}))"

    def _print_OneMatrix(self, expr):
        return f"numpy.ones(({self._print(expr.rows)}, {self._print(expr.cols)}))"

    def _print_Trace(self, expr):
        return f"numpy.trace({self._print(expr.arg)})"

    def _print_HadamardPower(self, expr):
        return f"numpy.power({self._print(expr.base)}, {self._print(expr.exp)})"

    def _print_ElementwiseApplyFunction(self, expr):
        function = expr.function
        if isinstance(function, sp.Lambda):     # X.applyfunc(σ) wraps σ as Lambda(d, σ(d))
            variables = ", ".join(self._print(v) for v in function.variables)
            function = f"lambda {variables}: {self._print(function.expr)}"
        else:
            function = self._print(function)
        return f"({function})({self._print(expr.expr)})"

    def _print_Max(self, expr):     # elementwise, as max(0, z) means over an array of z
        return "functools.reduce(numpy.maximum, (" + ", ".join(self._print(a) for a in expr.args) + ",))"

    def _print_Min(self, expr):
        return "functools.reduce(numpy.minimum, (" + ", ".join(self._print(a) for a in expr.args) + ",))"

    def _print_MatrixElement(self, expr):
        return f"{self._print(expr.parent)}[{self._print(expr.i)}, {self._print(expr.j)}]"


def _size_symbols(objects) -> list:
    return sorted({d for o in objects if isinstance(o, sp.MatrixSymbol) for d in o.shape
                   if isinstance(d, sp.Symbol)}, key=lambda s: s.name)


def free_objects(expr) -> set:
    """The symbols and MatrixSymbols an expression (or a tuple/list of them) depends on."""
    if isinstance(expr, (tuple, list)):
        return set().union(*(free_objects(e) for e in expr)) if expr else set()
    if not isinstance(expr, (sp.Basic, sp.MatrixBase)):
        return set()
    return set(expr.free_symbols) | set(expr.atoms(sp.MatrixSymbol))


class FormError(ValueError):
    pass


@dataclass
class CompiledForm:
    """A stated form as a NumPy function of a sample dict."""

    expr: sp.Basic
    keys: list          # sample key for each argument, or None for a size read off a shape
    arguments: list     # the SymPy objects, in the compiled function's order
    function: Callable

    def __call__(self, params: dict) -> np.ndarray:
        values, sizes = {}, {}
        for key, obj in zip(self.keys, self.arguments):
            if key is None:
                continue
            value = params[key]
            if isinstance(obj, sp.MatrixSymbol):
                value = np.asarray(value)
                rows, cols = obj.shape
                if value.ndim == 1:
                    value = value.reshape(-1, 1) if cols == 1 else value.reshape(1, -1)
                elif value.ndim == 0:
                    value = value.reshape(1, 1)
                for dim, actual in zip((rows, cols), value.shape):
                    if isinstance(dim, sp.Symbol):
                        if sizes.setdefault(dim, actual) != actual:
                            raise FormError(f"Expected {key} to have {dim} = {sizes[dim]} "
                                            f"but got {key}.shape={value.shape}")
                    elif int(dim) != actual:
                        raise FormError(f"Expected {key} to be {rows}×{cols} but got "
                                        f"{key}.shape={value.shape}")
            values[obj] = value
        args = []
        for key, obj in zip(self.keys, self.arguments):
            if key is None:
                if obj not in sizes:
                    raise FormError(f"the size {obj} is not read off any sampled array")
                args.append(sizes[obj])
            else:
                args.append(values[obj])
        with np.errstate(all="ignore"):
            return np.asarray(self.function(*args))


def _key_for(obj, bind: dict) -> str | None:
    for key, bound in bind.items():
        if bound == obj:
            return key
    return None


def compile_form(expr, bind: dict | None = None, functions: dict | None = None) -> CompiledForm:
    """Lambdify ``expr`` once; the result evaluates it on a sample dict (see the module doc)."""
    bind, functions = dict(bind or {}), dict(functions or {})
    objects = free_objects(expr)
    matrices = [o for o in objects if isinstance(o, sp.MatrixSymbol)]
    sizes = _size_symbols(matrices)
    scalars = [o for o in objects if isinstance(o, sp.Symbol) and o not in sizes]
    arguments, keys = [], []
    for obj in sorted(matrices, key=lambda o: o.name) + sorted(scalars, key=lambda o: o.name):
        key = _key_for(obj, bind) or (obj.name if obj.name not in bind else None)
        if key is None:
            raise FormError(f"the form's {obj} has no sample key; bind it (bind={{'key': {obj}}})")
        arguments.append(obj)
        keys.append(key)
    for size in sizes:
        key = _key_for(size, bind)
        arguments.append(size)
        keys.append(key)     # None: read off a shape
    printer = FormPrinter({"fully_qualified_modules": True, "inline": True,
                           "allow_unknown_functions": True,
                           "user_functions": {name: name for name in functions}})
    # Plain Python names for every argument (w^*, Sigma_k, ...), sizes renamed inside shapes too
    sizes_as = {s: sp.Symbol(f"size{i}", integer=True, positive=True) for i, s in enumerate(sizes)}
    renamed = {}
    for i, obj in enumerate(arguments):
        if isinstance(obj, sp.MatrixSymbol):
            renamed[obj] = sp.MatrixSymbol(f"matrix{i}", *(sp.S(d).xreplace(sizes_as) for d in obj.shape))
        elif obj in sizes_as:
            renamed[obj] = sizes_as[obj]
        else:
            renamed[obj] = sp.Symbol(f"scalar{i}")
    plain = _replace(expr, renamed)
    function = sp.lambdify([renamed[a] for a in arguments], plain,
                           modules=[{"functools": functools, **functions}, "numpy"],
                           printer=printer, dummify=False)
    return CompiledForm(expr, keys, arguments, function)


def _replace(expr, mapping):
    if isinstance(expr, (tuple, list)):
        return type(expr)(_replace(e, mapping) for e in expr)
    return expr.xreplace(mapping)


def as_array(value, like=None) -> np.ndarray:
    """A form's value in the shape of ``like`` (the twin's output) when they hold as many entries
    and one of them is a vector; a column or row vector as 1-D otherwise."""
    value = np.asarray(value)
    if like is not None:
        like = np.asarray(like)
        # a vector takes the other side's layout; a matrix of another shape is never reshaped
        # (its shape is the finding: W for Wᵀ)
        if value.size == like.size and (min(value.shape, default=1) == 1 or min(like.shape, default=1) == 1):
            return value.reshape(like.shape)
        return value
    if value.ndim == 2 and 1 in value.shape:
        return value.reshape(-1)
    return value


def latex(form) -> str:
    """The form in LaTeX; a symbol named like rho_hat shows as \\hat{\\rho}."""
    if isinstance(form, (tuple, list)):
        return ",\\; ".join(latex(f) for f in form)
    return re.sub(r"(\\?[A-Za-z]+)_\{hat\}", r"\\hat{\1}", sp.latex(form))


def is_form(value) -> bool:
    return isinstance(value, (sp.Basic, sp.MatrixBase)) or (
        isinstance(value, tuple) and value and all(isinstance(v, (sp.Basic, sp.MatrixBase)) for v in value))
