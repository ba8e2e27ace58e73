"""Closed-form (verified) gradient versus autograd on the same tied autoencoder.

    python benchmarks/training_speed.py

A tied 64→32→64 sigmoid autoencoder on the 1797×64 digits: the median time of one full-batch
gradient each way, and how far the two gradient-descent trajectories drift apart over 200
steps. Target: the closed form ≥ 3× faster with the same trajectory.
"""
import time

import numpy as np
from tabulate import tabulate

from regverify.derivations.tied_weights.twins import tied_gradient, tied_loss
from regverify.numerics.datasets import digits
from regverify.numerics.training import autograd_gradient, gradient_descent, trajectory_gap


def median_seconds(function, params, repeats=50):
    function(params)   # warm-up
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        function(params)
        times.append(time.perf_counter() - start)
    return float(np.median(times))


def main():
    x = digits()
    rng = np.random.default_rng(0)
    params = {"W": rng.normal(0, 0.1, (64, 32)), "b": np.zeros(32), "c": np.zeros(64)}
    closed, reference = tied_gradient(x), autograd_gradient(tied_loss(x))
    t_closed, t_auto = median_seconds(closed, params), median_seconds(reference, params)
    a = gradient_descent(params, closed, 0.2, 200, tied_loss(x))
    b = gradient_descent(params, reference, 0.2, 200, tied_loss(x))
    gap = trajectory_gap(a, b)
    print(tabulate([["closed-form two-path gradient", t_closed * 1e3, 1.0],
                    ["autograd", t_auto * 1e3, t_auto / t_closed]],
                   headers=["tied 64→32→64 AE, 1797×64 digits", "ms per gradient", "autograd / closed form"],
                   floatfmt=".2f", tablefmt="github"))
    print()
    print(tabulate([[200, gap["max_param_rel_gap"], gap["max_loss_rel_gap"]]],
                   headers=["steps", "max parameter gap (relative)", "max loss gap (relative)"],
                   tablefmt="github"))


if __name__ == "__main__":
    main()
