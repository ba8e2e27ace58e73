"""Symbols and expressions as a report writes them: decorated names as accents, Greek names as letters."""
from __future__ import annotations

import re
import unicodedata

from ..markdown import md


def _zero_as_built(expr) -> bool:
    import sympy as sp
    if isinstance(expr, sp.MatrixBase):
        return all(e == 0 for e in expr)
    return expr == 0 or isinstance(expr, sp.ZeroMatrix)


TOO_LONG = "too long: "   # marks a summary standing for an expression too long to print
DECORATIONS = ("hat", "tilde", "bar", "check", "breve", "dot", "ddot", "vec")
_DECORATED = re.compile(r"(\\?[A-Za-z]+)_\{(" + "|".join(DECORATIONS) + r")(?: ([^{}]+))?\}")
COMBINING = {"hat": "\u0302", "tilde": "\u0303", "bar": "\u0304", "check": "\u030c", "breve": "\u0306",
             "dot": "\u0307", "ddot": "\u0308", "vec": "\u20d7"}
_PLAIN_DECORATED = re.compile(r"\b([A-Za-z]+)_(" + "|".join(DECORATIONS) + r")(?:_(\w+))?\b")
SUBSCRIPT_DIGITS = str.maketrans("0123456789", "₀₁₂₃₄₅₆₇₈₉")


def decorated(latex: str) -> str:
    r"""One rule for every decorated symbol: SymPy prints ``rho_hat`` as \rho_{hat} and
    ``rho_hat_3`` as \rho_{hat 3}; a name ending in _hat, _tilde, _bar, … is that accent over the
    name, its index below: \hat{\rho}, \hat{\rho}_{3}."""
    return _DECORATED.sub(lambda m: f"\\{m.group(2)}{{{m.group(1)}}}" + (f"_{{{m.group(3)}}}" if m.group(3) else ""),
                          latex)


def symbol_label(name: str) -> str:
    """An input by its symbol, for a table: alpha is α, rho_hat_l is ρ̂_l, w_star is w*."""
    return md(plain_symbol(str(name)).replace("_star", "*"))


def measured_label(key: str) -> str:
    """A measured figure's name in words, its symbols as letters: alpha_single is "α single"."""
    return symbol_label(key).replace("\\_", " ")


def plain_symbol(text: str) -> str:
    """The same rule in plain text: rho_hat_3 is ρ̂₃, w_tilde is w̃ (Greek names as letters)."""
    def one(m):
        base = m.group(1)
        letter = _greek(base)
        index = m.group(3) or ""
        return letter + COMBINING[m.group(2)] + (index.translate(SUBSCRIPT_DIGITS) if index.isdigit() else
                                                 f"_{index}" if index else "")
    return _PLAIN_GREEK.sub(lambda m: _greek(m.group(1)) + (m.group(2) or ""), _PLAIN_DECORATED.sub(one, text))


_PLAIN_GREEK = re.compile(r"\b([a-z]+)(_\w+)?\b")


GREEK_SHORT = {"eps": "epsilon"}     # the material's learning rate ε, named eps in code


def _greek(name: str) -> str:
    name = GREEK_SHORT.get(name, name)
    return unicodedata.lookup(f"GREEK SMALL LETTER {name.upper().replace('LAMBDA', 'LAMDA')}") if _is_greek(name) else name


def _is_greek(name: str) -> bool:
    name = GREEK_SHORT.get(name, name)
    try:
        unicodedata.lookup(f"GREEK SMALL LETTER {name.upper().replace('LAMBDA', 'LAMDA')}")
        return True
    except KeyError:
        return False


_BRACKETED_FRACTION = re.compile(r"\\left\((\\frac\{\d+\}\{\d+\})\\right\)(?!\^)")


def latex_of(expr) -> str:
    r"""SymPy's LaTeX with decorated names as accents, and a numeric coefficient of a matrix
    expression without the brackets SymPy puts round it (\frac{1}{2} w, not \left(\frac{1}{2}\right) w)."""
    import sympy as sp
    return _BRACKETED_FRACTION.sub(r"\1", decorated(sp.latex(expr)))


def expression_summary(expressions) -> str:
    """What a list of expressions too long to print is: shapes, terms and symbols, in words."""
    import sympy as sp
    parts, symbols = [], set()
    for expr in expressions:
        if isinstance(expr, sp.MatrixBase):
            terms = sum(len(sp.Add.make_args(e)) for e in expr)
            parts.append(f"a {expr.rows}×{expr.cols} matrix ({terms} terms)")
        else:
            parts.append(f"an expression of {len(sp.Add.make_args(expr))} terms")
        symbols |= {str(x) for x in getattr(expr, "free_symbols", ())}
    names = sorted(symbols)
    what = "one expression" if len(parts) == 1 else f"{len(parts)} expressions (one per size or condition built)"
    return (f"{what}: {', '.join(parts)}, in the {len(names)} scalar symbols "
            f"{', '.join(names[:12])}{', …' if len(names) > 12 else ''}; too long to print here")


def obligation_latex(claim, limit: int = 2000) -> str | None:
    """The residuals SymPy had to reduce to 0, in LaTeX, rebuilt from the claim; "" when every
    one was 0 as derived, None when there is nothing to show; TOO_LONG + a summary in words
    when the LaTeX would run over ``limit`` characters."""
    from regverify.prover import ProofTimeout, time_limit

    try:
        with time_limit(10):
            obligation = claim.obligation()
            if obligation is None:
                return None
            zero = [z for z in obligation.zero if not _zero_as_built(z)]
            shown = [f"{latex_of(z)} = 0" for z in zero]
            shown += [f"{latex_of(p)} > 0" for p in obligation.positive]
            shown += [f"{latex_of(p)} \\geq 0" for p in obligation.nonnegative]
            text = " \\\\\n".join(shown)
            if len(text) > limit:
                return TOO_LONG + expression_summary(
                    [*zero, *obligation.positive, *obligation.nonnegative])
    except (Exception, ProofTimeout):   # the verdict above says what happened; this is a picture
        return None
    if not shown:
        return "" if obligation.zero else None
    return "\\begin{gathered}\n" + text + "\n\\end{gathered}" if len(shown) > 1 else text
