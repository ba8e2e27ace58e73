"""Measured figures as a report or a figure prints them, at the digits every machine agrees on."""
from __future__ import annotations

import math

from .markdown import code, md

# --- measured figures, at the digits every machine agrees on ---------------------------------
# A float64 computation is exact only up to rounding, and rounding differs between machines
# (BLAS kernel, CPU, thread count). Every measured float a report or a figure prints goes through
# ``measured``: an error or gap below the floor of the method that measured it is printed as the
# bound it is under ("< 1e-12"), never as its digits; every other figure is rounded to digits
# far above the noise. The exact figures stay in ``verify --json``.
FLOORS = {
    # direct evaluation, complex step, autograd reruns: rounding (~1e-16) times the conditioning,
    # measured up to 1e-13 on the bundled material
    "evaluation": 1e-12,
    # the last point of a limit's approach is t = 1e-12: the gap there is ~1e-12 by construction
    "approach": 1e-10,
    # Richardson / central differences: cancellation, measured up to ~1e-12
    "differences": 1e-9,
    # golden-section search: √ε of the argument, measured up to ~1e-6 (absolute KKT violation)
    "line search": 1e-5,
}
PLOT_FLOOR = 1e-9   # a log-scale curve is clipped here (relative to its scale) before it is drawn
DIGITS = 4          # significant digits of a figure that is not an error
ERROR_DIGITS = 2    # of an error or gap above its floor
# Keys whose values are errors, gaps or distances (at rounding level when a claim holds).
ERROR_WORDS = ("error", "gap", "residual", "rel_diff", "violation", "distance", "_vs_", "lead_over")
# Measured differences whose sign is theirs (a lead may be a tie at rounding level, of either sign):
# under the floor they read "≈ 0", whatever sign the noise has on a machine.
SIGNED_WORDS = ("lead_over",)


def method_floor(method: str) -> float:
    """The floor of the method an evidence dict names (its "method"; evaluation if none)."""
    method = str(method or "").lower()
    if "golden-section" in method:
        return FLOORS["line search"]
    if "richardson" in method or "differences" in method:
        return FLOORS["differences"]
    if "approach" in method:
        return FLOORS["approach"]
    return FLOORS["evaluation"]


def floor_of(key: str, evidence: dict | None = None) -> float | None:
    """The floor under which the value at ``key`` of ``evidence`` is rounding noise; None for a
    figure that is not an error (it is printed at ``DIGITS``)."""
    if not is_error_key(key):
        return None
    if "jacobian" in key and "measured" in key:     # an instrument by finite differences
        return FLOORS["differences"]
    return method_floor((evidence or {}).get("method", ""))


def measured(value, floor: float | None = None, digits: int | None = None, tex: bool = True,
             signed: bool = False) -> str:
    """The one way a measured float is printed, in reports (``tex``: inline math) and in figure
    titles (plain text): below ``floor`` (an error at rounding level) the bound "< floor", or for
    a ``signed`` difference "≈ 0 (|·| < floor)"; otherwise ``digits`` significant digits
    (ERROR_DIGITS with a floor, DIGITS without). Zero has no sign."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return md(str(value)) if tex else str(value)
    if isinstance(value, int):
        return str(value)
    if value == 0:
        value = 0.0          # -0.0 is printed 0: the sign of a zero is rounding's
    if signed and floor is not None and not math.isnan(value) and abs(value) < floor:
        bound = scientific(floor, 1, tex, bound=True)
        # no bars in a report: a "|" would end the Markdown table cell
        return f"$\\approx 0$ (in size {bound})" if tex else f"≈ 0 (|·| {bound})"
    if math.isnan(value):
        return "NaN"
    if math.isinf(value):
        return "∞" if value > 0 else "−∞"
    if floor is not None and abs(value) < floor:
        return scientific(floor, 1, tex, bound=True)
    return scientific(value, digits or (ERROR_DIGITS if floor is not None else DIGITS), tex)


def scientific(value: float, digits: int, tex: bool, bound: bool = False) -> str:
    """``value`` to ``digits`` significant digits, 1e-12 as $10^{-12}$ in TeX; ``bound``: "< value"."""
    text = f"{value:.{digits}g}"
    prefix = "< " if bound else ""
    if "e" not in text:
        return f"${prefix}{text}$" if tex and bound else prefix + text
    mantissa, exponent = text.split("e")
    exponent = int(exponent)
    if not tex:
        return prefix + (f"{mantissa}e{exponent}")
    if mantissa in ("1", "-1"):
        return f"${prefix}{'-' if mantissa == '-1' else ''}10^{{{exponent}}}$"
    return f"${prefix}{mantissa}\\times10^{{{exponent}}}$"


def number(value, digits: int = DIGITS) -> str:
    """A float that is not an error, as inline math: 3.1e-16 → $3.1\\times10^{-16}$."""
    return measured(value, None, digits)


def error_figure(value, floor: float | None = None, signed: bool = False) -> str:
    """Errors, gaps and distances: the bound below ``floor``, else two significant digits."""
    if isinstance(value, str):     # a non-finite float, as --json writes it
        return md(value)
    return measured(value, floor if floor is not None else FLOORS["evaluation"], ERROR_DIGITS, signed=signed)


def is_error_key(key: str) -> bool:
    key = str(key).lower()
    return any(word in key for word in ERROR_WORDS)


FULL_MATRIX = 64   # a matrix or vector of at most this many entries is printed whole


def summarise(value, key: str = "", floor: float | None = None, whole: bool = False) -> str:
    """A value of an evidence dict in one cell: an error below ``floor`` as its bound; a list of
    at most 8 entries, or with ``whole`` a matrix of at most FULL_MATRIX, in full (rows
    separated by ";"); a longer one as its size and range."""
    if isinstance(value, float) or (isinstance(value, str) and value in ("nan", "inf", "-inf")):
        signed = any(word in str(key).lower() for word in SIGNED_WORDS)
        return error_figure(value, floor, signed) if floor is not None else number(value)
    if isinstance(value, bool) or value is None:
        return code(value)
    if isinstance(value, int):
        return str(value)
    if isinstance(value, str):
        return md(value)
    if isinstance(value, dict):
        return "; ".join(f"{md(k)}: {summarise(v, str(k), floor if floor is not None else floor_of(str(k)), whole)}"
                         for k, v in value.items()) or "—"
    if isinstance(value, (list, tuple)):
        flat = list(_flatten(value))
        shape = _shape(value)
        numbers = [v for v in flat if isinstance(v, (int, float)) and not isinstance(v, bool)]
        if (len(flat) <= 8 and all(not isinstance(v, (list, dict)) for v in value)) or (
                whole and len(flat) <= FULL_MATRIX and len(numbers) == len(flat)):
            return matrix_text(value, floor)
        size = "×".join(map(str, shape)) if len(shape) > 1 else str(len(flat))
        if numbers and len(numbers) == len(flat):
            finite = [v for v in numbers if math.isfinite(v)]
            if not finite:
                return f"{size} values, none finite"
            show = (lambda v: error_figure(v, floor)) if floor is not None else number
            return (f"{size} values from {show(min(finite))} to {show(max(finite))}"
                    + ("" if len(finite) == len(numbers) else f" ({len(numbers) - len(finite)} not finite)"))
        return f"{size} values"
    return md(value)


def matrix_text(value, floor: float | None = None) -> str:
    """A vector as (a, b, c); a matrix as its rows, [a, b; c, d]; each entry as ``measured``
    prints it (exact where it is a short decimal: 0, 1, 0.1)."""
    def entry(v):
        if isinstance(v, (list, tuple)):
            return ", ".join(entry(x) for x in v)
        return summarise(v, "", floor)
    if value and all(isinstance(v, (list, tuple)) for v in value):
        return "[" + "; ".join(entry(row) for row in value) + "]"
    return "(" + entry(value) + ")"


def _flatten(value):
    for v in value:
        if isinstance(v, (list, tuple)):
            yield from _flatten(v)
        else:
            yield v


def _shape(value) -> tuple:
    shape = []
    while isinstance(value, (list, tuple)):
        shape.append(len(value))
        value = value[0] if value else None
    return tuple(shape)


def without_timings(value):
    """Drop every timing (keys named ``seconds`` or ``*_seconds``) at any depth."""
    if isinstance(value, dict):
        return {k: without_timings(v) for k, v in value.items()
                if not (k == "seconds" or str(k).endswith("_seconds"))}
    if isinstance(value, list):
        return [without_timings(v) for v in value]
    return value
