"""Vectorized full-batch training loops, and the cross-check against autograd.

Parameters are dicts of arrays; a gradient function maps such a dict to a dict of the same
keys. The same loop runs with a closed-form gradient and with autograd's, so the two
trajectories can be compared step for step.
"""
from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Callable

import autograd
import numpy as np

Params = dict[str, np.ndarray]


@dataclass
class Trajectory:
    params: Params
    losses: list[float] = field(default_factory=list)
    seconds: float = 0.0
    path: list[Params] = field(default_factory=list)   # every iterate, when asked for

    @property
    def finite(self) -> bool:
        return bool(np.all(np.isfinite(self.losses))
                    and all(np.all(np.isfinite(v)) for v in self.params.values()))


def gradient_descent(params: Params, grad: Callable[[Params], Params], lr: float, steps: int,
                     loss: Callable[[Params], float] | None = None, record_path: bool = False) -> Trajectory:
    """``steps`` full-batch steps p ← p − lr·∇p; records the loss before each step and at the end
    (and, with ``record_path``, every iterate from the start to the end)."""
    params = {k: np.array(v, dtype=float) for k, v in params.items()}
    losses, path = [], [params] if record_path else []
    start = time.perf_counter()
    for _ in range(steps):
        if loss is not None:
            losses.append(float(loss(params)))
        g = grad(params)
        params = {k: v - lr * g[k] for k, v in params.items()}
        if record_path:
            path.append(params)
    if loss is not None:
        losses.append(float(loss(params)))
    return Trajectory(params, losses, time.perf_counter() - start, path)


def thinned(values, most: int = 200) -> list[float]:
    """At most ``most`` evenly spaced points of a curve (the first kept), for a report's plot."""
    values = list(values)
    return [float(v) for v in values[::max(1, -(-len(values) // most))]]


def autograd_gradient(loss: Callable[[Params], float]) -> Callable[[Params], Params]:
    """The reference gradient: reverse-mode autodiff of the same loss."""
    return autograd.grad(loss)


def relative_error(value, reference) -> float:
    """‖value − reference‖ / ‖reference‖ (Frobenius; absolute values for scalars)."""
    value, reference = np.asarray(value, dtype=float), np.asarray(reference, dtype=float)
    return float(np.linalg.norm(value - reference) / max(np.linalg.norm(reference), 1e-300))


def trajectory_gap(a: Trajectory, b: Trajectory) -> dict:
    """How far two runs from the same start drifted apart: parameters and loss curves.

    A non-finite value anywhere in either run makes the gaps NaN, so that every predicate
    written as ``gap < tolerance`` fails (Python's ``max`` would have dropped the NaN)."""
    param_gap = np.max([np.max(np.abs(a.params[k] - b.params[k]))
                        / max(1.0, float(np.max(np.abs(b.params[k])))) for k in b.params])
    losses_a, losses_b = np.asarray(a.losses, dtype=float), np.asarray(b.losses, dtype=float)
    with np.errstate(invalid="ignore"):
        loss_gap = (np.max(np.abs(losses_a - losses_b) / np.maximum(np.abs(losses_b), 1e-300))
                    if len(losses_b) else 0.0)
    finite = a.finite and b.finite
    nan = float("nan")
    return {"max_param_rel_gap": float(param_gap) if finite else nan,
            "max_loss_rel_gap": float(loss_gap) if finite else nan, "finite": finite}


def train_with_autograd_check(start: Params, gradient: Callable[[Params], Params],
                              loss: Callable[[Params], float], lr: float,
                              steps: int, record_path: bool = False) -> tuple[Trajectory, dict]:
    """Train with the closed-form gradient, and rerun the whole run with autograd's gradient of
    the same loss: the two must follow the same trajectory at every step."""
    run = gradient_descent(start, gradient, lr, steps, loss, record_path)
    reference = gradient_descent(start, autograd_gradient(loss), lr, steps, loss)
    return run, {"compared_steps": steps, **trajectory_gap(run, reference)}
