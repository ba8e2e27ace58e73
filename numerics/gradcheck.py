"""Check a claimed gradient (or Jacobian) entry by entry against finite differences.

Two methods, chosen by whether the objective is complex-analytic:

* ``complex-step``: Im f(x + i h eₖ) / h has no subtractive cancellation, so it agrees with the
  true derivative to about 1e-15. Pass if |Δᵢ| ≤ 1e-11·|gᵢ| + 1e-13·‖g‖∞. An imaginary part that
  is identically zero means the objective dropped it (abs, maximum, a cast to float): that is
  an error, never a pass.
* ``richardson``: central differences at h, h/2, h/4 combined by two Richardson steps
  (error O(h⁶)), for objectives that are not analytic (|w|, max). About 1e-11; pass at 1e-7.

Every entry is checked; a failure is diagnosed (constant ratio, sign, one column, one row).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from fractions import Fraction
from typing import Callable

import numpy as np

TOLERANCES = {  # method: (relative to |gᵢ|, relative to ‖g‖∞)
    "complex-step": (1e-11, 1e-13),
    "richardson": (1e-7, 1e-9),
}
COMPLEX_STEP = 1e-20
RICHARDSON_STEP = 1e-3


class ComplexStepError(ValueError):
    """The objective is not complex-analytic, so the complex step measured nothing."""


def numeric_jacobian(f: Callable, x: np.ndarray, method: str = "complex-step",
                     step: float | None = None) -> np.ndarray:
    """d f(x) / d x for every entry of x; shape f(x).shape + x.shape."""
    x = np.asarray(x, dtype=float)
    out_shape = np.shape(f(x))
    jac = np.empty(out_shape + (x.size,))
    for k in range(x.size):
        jac[..., k] = _partial(f, x, k, method, step)
    return jac.reshape(out_shape + x.shape)


def _partial(f, x, k, method, step):
    if method == "complex-step":
        h = COMPLEX_STEP if step is None else step
        xc = x.astype(complex)
        xc.flat[k] += 1j * h
        return np.imag(f(xc)) / h
    if method == "richardson":
        h0 = (RICHARDSON_STEP if step is None else step) * max(1.0, abs(x.flat[k]))

        def central(h):
            xp, xm = x.copy(), x.copy()
            xp.flat[k] += h
            xm.flat[k] -= h
            return (np.asarray(f(xp)) - np.asarray(f(xm))) / (2 * h)

        d1, d2, d4 = central(h0), central(h0 / 2), central(h0 / 4)
        r1, r2 = (4 * d2 - d1) / 3, (4 * d4 - d2) / 3
        return (16 * r2 - r1) / 15
    if method == "central":
        h = (1e-6 if step is None else step) * max(1.0, abs(x.flat[k]))
        xp, xm = x.copy(), x.copy()
        xp.flat[k] += h
        xm.flat[k] -= h
        return (np.asarray(f(xp)) - np.asarray(f(xm))) / (2 * h)
    if method == "forward":
        h = (1e-8 if step is None else step) * max(1.0, abs(x.flat[k]))
        xp = x.copy()
        xp.flat[k] += h
        return (np.asarray(f(xp)) - np.asarray(f(x))) / h
    raise ValueError(f"unknown finite-difference method {method!r}; "
                     "use complex-step, richardson, central or forward")


@dataclass
class GradientCheck:
    """The evidence of one gradient check: enough to reproduce and to read the failure."""

    passed: bool
    method: str
    step: float
    rtol: float
    atol_scale: float
    max_rel_error: float          # max |Δᵢ| / ‖g‖∞
    worst_entry: tuple            # index where |Δᵢ| / tolᵢ is largest
    margin: float                 # tolᵢ / |Δᵢ| at the worst entry; > 1 passes
    diagnosis: str | None = None
    diagnosis_detail: str | None = None
    measured: np.ndarray = field(default=None, repr=False)
    claimed: np.ndarray = field(default=None, repr=False)

    def as_dict(self) -> dict:
        return {
            "method": self.method, "step": self.step, "tolerance": self.rtol,
            "tolerance_rule": f"|Δ| ≤ {power_of_ten(self.rtol)}·|g| + {power_of_ten(self.atol_scale)}·max|g|",
            "max_rel_error": self.max_rel_error,
            "worst_entry": list(self.worst_entry), "margin": self.margin,
            "diagnosis": self.diagnosis, "diagnosis_detail": self.diagnosis_detail,
        }


def check_gradient(f: Callable, x: np.ndarray, claimed: np.ndarray,
                   method: str = "complex-step", measured: np.ndarray | None = None) -> GradientCheck:
    """Compare ``claimed`` with the numeric derivative of ``f`` at ``x``, entry by entry
    (``measured`` reuses a derivative already computed with ``method``)."""
    claimed = np.asarray(claimed, dtype=float)
    measured = numeric_jacobian(f, x, method) if measured is None else measured
    if claimed.shape != measured.shape:
        raise ValueError(f"Expected a gradient of shape {measured.shape} but got "
                         f"claimed.shape={claimed.shape}")
    if method == "complex-step" and not np.any(measured) and np.any(claimed):
        raise ComplexStepError(
            "complex step measured an identically zero derivative: the objective is not "
            "complex-analytic (abs, maximum, or a cast to float?); use method='richardson'")
    rtol, atol_scale = TOLERANCES[method]
    scale = np.max(np.abs(measured)) if measured.size else 0.0
    delta = np.abs(claimed - measured)
    tol = rtol * np.abs(measured) + atol_scale * scale
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = np.where(delta == 0, 0.0, delta / np.where(tol == 0, np.finfo(float).tiny, tol))
    worst = np.unravel_index(int(np.argmax(ratio)), ratio.shape) if ratio.size else ()
    passed = bool(np.all(delta <= tol))
    check = GradientCheck(
        passed=passed, method=method,
        step=COMPLEX_STEP if method == "complex-step" else RICHARDSON_STEP,
        rtol=rtol, atol_scale=atol_scale,
        max_rel_error=float(np.max(delta) / scale) if scale > 0 else float(np.max(delta, initial=0)),
        worst_entry=tuple(int(i) for i in worst),
        margin=float(np.inf if ratio.size == 0 or ratio[worst] == 0 else 1 / ratio[worst]),
        measured=measured, claimed=claimed)
    if not passed:
        check.diagnosis, check.diagnosis_detail = diagnose(claimed, measured, delta > tol)
    return check


def diagnose(claimed: np.ndarray, true: np.ndarray, wrong: np.ndarray) -> tuple[str, str]:
    """Name the pattern of a wrong gradient: a factor, a sign, one column or row, or none."""
    scale = np.max(np.abs(true)) if true.size else 0.0
    if not np.any(claimed):
        return "missing-term", "the claim is zero where the true derivative is not"
    significant = np.abs(true) > 1e-8 * scale
    if np.any(significant) and np.allclose(claimed[~significant], 0, atol=1e-8 * scale):
        ratios = claimed[significant] / true[significant]
        c = float(np.median(ratios))
        if np.allclose(ratios, c, rtol=1e-6, atol=0):
            if np.isclose(c, -1.0, rtol=1e-6):
                return "sign", "claimed = -(true derivative): a flipped sign"
            return "missing-factor", (f"claimed = {_nice(c)} x (true derivative) on every entry: "
                                      "a constant factor is wrong")
    if wrong.ndim == 2 and wrong.shape[1] > 1:
        cols = np.flatnonzero(wrong.any(axis=0))
        if cols.size == 1:
            return "one-column", f"only column {cols[0]} differs: a per-unit term is wrong"
    if wrong.ndim == 2 and wrong.shape[0] > 1:
        rows = np.flatnonzero(wrong.any(axis=1))
        if rows.size == 1:
            return "one-row", f"only row {rows[0]} differs"
    return "no-pattern", f"{int(wrong.sum())} of {wrong.size} entries differ with no constant ratio"


def _nice(c: float) -> str:
    frac = Fraction(c).limit_denominator(64)
    return str(frac) if abs(float(frac) - c) <= 1e-9 * max(1.0, abs(c)) else f"{c:.6g}"


SUPERSCRIPTS = str.maketrans("-0123456789", "⁻⁰¹²³⁴⁵⁶⁷⁸⁹")


def power_of_ten(x: float) -> str:
    """1e-11 as 10⁻¹¹ (and 2e-9 as 2·10⁻⁹): a tolerance as a reader writes it."""
    mantissa, _, exponent = f"{x:e}".partition("e")
    mantissa = f"{float(mantissa):g}"
    power = "10" + str(int(exponent)).translate(SUPERSCRIPTS)
    return power if mantissa == "1" else f"{mantissa}·{power}"
