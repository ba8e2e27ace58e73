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


def gradient_descent(params: Params, grad: Callable[[Params], Params], lr: float, steps: int,
                     loss: Callable[[Params], float] | None = None) -> Trajectory:
    """``steps`` full-batch steps p ← p − lr·∇p; records the loss before each step and at the end."""
    params = {k: np.array(v, dtype=float) for k, v in params.items()}
    losses = []
    start = time.perf_counter()
    for _ in range(steps):
        if loss is not None:
            losses.append(float(loss(params)))
        g = grad(params)
        params = {k: v - lr * g[k] for k, v in params.items()}
    if loss is not None:
        losses.append(float(loss(params)))
    return Trajectory(params, losses, time.perf_counter() - start)


def autograd_gradient(loss: Callable[[Params], float]) -> Callable[[Params], Params]:
    """The reference gradient: reverse-mode autodiff of the same loss."""
    return autograd.grad(loss)


def trajectory_gap(a: Trajectory, b: Trajectory) -> dict:
    """How far two runs from the same start drifted apart: parameters and loss curves."""
    param_gap = max(float(np.max(np.abs(a.params[k] - b.params[k])))
                    / max(1.0, float(np.max(np.abs(b.params[k])))) for k in b.params)
    loss_gap = max((abs(x - y) / max(abs(y), 1e-300) for x, y in zip(a.losses, b.losses)),
                   default=0.0)
    return {"max_param_rel_gap": param_gap, "max_loss_rel_gap": loss_gap}


def soft_threshold(z: np.ndarray, t) -> np.ndarray:
    """The proximal map of t‖·‖₁ (used by ISTA)."""
    return np.sign(z) * np.maximum(np.abs(z) - t, 0.0)


def ista(grad_smooth: Callable[[np.ndarray], np.ndarray], w0: np.ndarray, lr: float,
         alpha: float, steps: int) -> np.ndarray:
    """Proximal gradient for J(w) + α‖w‖₁: w ← prox_{lr·α}(w − lr ∇J(w))."""
    w = np.array(w0, dtype=float)
    for _ in range(steps):
        w = soft_threshold(w - lr * grad_smooth(w), lr * alpha)
    return w


def train_with_autograd_check(start: Params, gradient: Callable[[Params], Params],
                              loss: Callable[[Params], float], lr: float, steps: int,
                              compared_steps: int = 100) -> tuple[Trajectory, dict]:
    """Train with the closed-form gradient, and rerun the first ``compared_steps`` with
    autograd's gradient of the same loss: the two must follow the same trajectory."""
    run = gradient_descent(start, gradient, lr, steps, loss)
    compared = min(steps, compared_steps)
    prefix = run if compared == steps else gradient_descent(start, gradient, lr, compared, loss)
    reference = gradient_descent(start, autograd_gradient(loss), lr, compared, loss)
    return run, {"compared_steps": compared, **trajectory_gap(prefix, reference)}
