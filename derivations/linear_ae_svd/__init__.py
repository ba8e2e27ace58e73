"""A linear autoencoder learns the principal subspace (003 summary; Baldi & Hornik 1989).

With a k-dimensional code H and decoder W*, the best rank-k reconstruction of X (m×n) is the
truncated SVD: min ‖X − HW*‖²_F = Σ_{i>k} σᵢ² (Eckart–Young), reached by H = XV_k, W* = V_kᵀ.
Any invertible k×k A gives the same product (HA)(A⁻¹W*): the code is unique only up to A. PCA is
this optimum for CENTRED X. 003:842 labels the optimum HW* with the full SVD UΣVᵀ; the optimum is
the truncation U_kΣ_kV_kᵀ (the full SVD is X itself, which a rank-k product cannot reach).
"""
import itertools

import autograd.numpy as anp
import numpy as np
import sympy as sp

from regverify.claims import (Derivation, Evidence, Expect, Identity, Minimizer, NumericVerdict, Premise,
                              Printed, Source)
from regverify.numerics import sampling
from regverify.numerics.datasets import digits
from regverify.numerics.training import gradient_descent, train_with_autograd_check
from regverify.prover import Obligation
from regverify.registry import register

SLIDES = "003_c3291310eed8186c.txt"
m, n, k, r = sp.symbols("m n k r", integer=True, positive=True)
U, S, V = sp.MatrixSymbol("U_k", m, k), sp.MatrixSymbol("Sigma_k", k, k), sp.MatrixSymbol("V_k", n, k)
U2, S2, V2 = sp.MatrixSymbol("U_r", m, r), sp.MatrixSymbol("Sigma_r", r, r), sp.MatrixSymbol("V_r", n, r)
# The orthonormality the proofs use (no more: each relation here is needed by one of them)
ORTHONORMAL = {V.T * V: sp.Identity(k), V2.T * V: sp.ZeroMatrix(r, k), V.T * V2: sp.ZeroMatrix(k, r),
               U.T * U2: sp.ZeroMatrix(k, r)}
X_SVD = U * S * V.T + U2 * S2 * V2.T      # X split into the kept and the discarded singular triplets


def with_orthonormality(obligation):
    """Use the singular vectors' orthonormality on what SymPy derived (a stated assumption)."""
    obligation.zero = [sp.expand(sp.expand(z.doit()).subs(ORTHONORMAL)) for z in obligation.zero]
    return obligation


def stationarity(claim):
    """SymPy differentiates ‖X − HW*‖²_F in H and in W*; both vanish at the claim's H = XV_k,
    W* = V_kᵀ. This is the proved part (a stationary point); that it is the global minimum is
    the numeric part (every other choice of k singular triplets is stationary too, and worse)."""
    h, w = sp.MatrixSymbol("H", m, k), sp.MatrixSymbol("W", k, n)
    objective = sp.Trace((X_SVD - h * w).T * (X_SVD - h * w))
    return with_orthonormality(Obligation.stationary(
        objective, (h, w), claim.form,
        assumptions_used=("V_kᵀV_k = I, V_rᵀV_k = 0", "U_kᵀU_r = 0",
                          "global minimality: numeric (the value at every other stationary point)"),
        steps=("∇_H = −2(X − HW*)W*ᵀ, ∇_W* = −2Hᵀ(X − HW*)",
               "XV_k = U_kΣ_k, so X − XV_kV_kᵀ = U_rΣ_rV_rᵀ, orthogonal to V_k and to U_k")))


def truncation(claim):
    return with_orthonormality(Obligation(zero=[X_SVD * V * V.T - claim.rhs], derived_by="expansion",
                                          sources=(X_SVD, claim.rhs), assumptions_used=("V_kᵀV_k = I, V_rᵀV_k = 0",),
                                          steps=("XV_kV_kᵀ = U_kΣ_kV_kᵀV_kV_kᵀ + U_rΣ_rV_rᵀV_kV_kᵀ = U_kΣ_kV_kᵀ",)))


def mixing():   # (HA)(A⁻¹W*) = HW* for every m, n, k: A⁻¹ is the B with AB = I (A invertible)
    h, a, inverse, w = (sp.MatrixSymbol(*shape) for shape in (("H", m, k), ("A", k, k), ("A^{-1}", k, k), ("W^*", k, n)))
    mixed = (h * a) * (inverse * w)
    return Obligation(zero=[sp.expand(sp.expand(mixed.doit()).subs({a * inverse: sp.Identity(k)})) - h * w],
                      derived_by="expansion", sources=(mixed, h * w), assumptions_used=("A invertible: AA⁻¹ = I",),
                      steps=("(HA)(A⁻¹W*) = H(AA⁻¹)W* (associativity) = HW*",))


def explained_variance():
    """Centred X = UΣVᵀ: the covariance XᵀX/(m − 1) has eigenvectors V and eigenvalues σᵢ²/(m − 1)."""
    u, s, v = sp.MatrixSymbol("U", m, n), sp.MatrixSymbol("Sigma", n, n), sp.MatrixSymbol("V", n, n)
    x = u * s * v.T
    residual = (x.T * x / (m - 1)) * v - v * (s.T * s) / (m - 1)
    relations = {u.T * u: sp.Identity(n), v.T * v: sp.Identity(n)}
    return Obligation(zero=[sp.expand(sp.expand(residual.doit()).subs(relations))], derived_by="expansion", assumptions_used=("UᵀU = I", "VᵀV = I", "X centred (PCA's covariance)"),
                      steps=("XᵀX = VΣᵀUᵀUΣVᵀ = VΣᵀΣVᵀ", "so XᵀX V/(m − 1) = V ΣᵀΣ/(m − 1)"))


# --- numeric twins -----------------------------------------------------------------------
def sample_data(rng, trial):
    rows, cols = sampling.size(rng, 4, 5), sampling.size(rng, 3, 4)
    rows += rows == cols
    return {"X": sampling.normal(rng, (rows, cols)), "k": int(rng.integers(1, min(rows, cols)))}


def sample_triplets(rng, trial):
    """X with its singular triplets split as the claim names them: the k largest (U_k, Σ_k, V_k)
    and the rest (U_r, Σ_r, V_r), so that the claim's form evaluates at the stated point."""
    p = sample_data(rng, trial)
    u, s, vt = np.linalg.svd(p["X"], full_matrices=False)
    kept = slice(0, p["k"])
    rest = slice(p["k"], len(s))
    return {**p, "U_k": u[:, kept], "Sigma_k": np.diag(s[kept]), "V_k": vt[kept].T,
            "U_r": u[:, rest], "Sigma_r": np.diag(s[rest]), "V_r": vt[rest].T}


def other_stationary_points(p):
    """(XV_S, V_Sᵀ) for every other choice S of k right singular vectors: each is stationary."""
    values, vectors = np.linalg.eigh(p["X"].T @ p["X"])
    order = list(np.argsort(values)[::-1])
    top = tuple(sorted(order[:p["k"]]))
    points = []
    for chosen in itertools.combinations(range(len(values)), p["k"]):
        if chosen != top:
            v = vectors[:, list(chosen)]
            points.append(np.concatenate([(p["X"] @ v).ravel(), v.T.ravel()]))
    return points


def top_vectors(x, k):   # from the eigenvectors of XᵀX (not from an SVD routine)
    values, vectors = np.linalg.eigh(x.T @ x)
    return vectors[:, ::-1][:, :k]


def tail(x, k):   # Σ_{i>k} σᵢ² from the eigenvalues of XᵀX
    return float(np.sort(np.linalg.eigvalsh(x.T @ x))[::-1][k:].sum())


def split(p, z):
    rows, cols = p["X"].shape
    return z[:rows * p["k"]].reshape(rows, p["k"]), z[rows * p["k"]:].reshape(p["k"], cols)


def reconstruction_error(p, z):
    h, w = split(p, z)
    return np.sum((p["X"] - h @ w) ** 2)


def svd_candidate(p):
    u, s, vt = np.linalg.svd(p["X"], full_matrices=False)
    return np.concatenate([(p["X"] @ vt[:p["k"]].T).ravel(), vt[:p["k"]].ravel()])


def sample_mixing(rng, trial):
    p = sample_data(rng, trial)
    return {**p, "A": sampling.normal(rng, (p["k"], p["k"])) + 2 * np.eye(p["k"])}


def mixed_error(p):
    h, w = split(p, svd_candidate(p))
    return np.sum((p["X"] - (h @ p["A"]) @ (np.linalg.inv(p["A"]) @ w)) ** 2)


def centred_digits():
    x = digits()
    return x - x.mean(axis=0)


def pca_tail(k):   # the oracle: scikit-learn's PCA on the digits (it centres them itself)
    from sklearn.decomposition import PCA
    x = digits()
    return float((len(x) - 1) * PCA().fit(x).explained_variance_[k:].sum())


# --- training: gradient descent on a linear autoencoder reaches Σ_{i>k} σᵢ² ------------------------
def ae_gradient(gram):
    def gradient(p):   # L = (1/m)‖X − XED‖²_F = tr((I − ED)ᵀC(I − ED)), C = XᵀX/m
        g = gram @ (np.eye(len(gram)) - p["E"] @ p["D"])
        return {"E": -2 * g @ p["D"].T, "D": -2 * p["E"].T @ g}
    return gradient


def train_linear_ae(seed, quick, centre=True, gradient=ae_gradient, code=8):
    """GD on encoder E (64×k) and decoder D (k×64), every step against autograd. Passes if the
    final loss is within 2e-3 (quick) / 1e-3 (full) of the centred optimum Σ_{i>k} σᵢ²/m and never
    below it. ``centre=False`` (uncentred data) and a wrong ``gradient`` are the planted twins."""
    x = digits()
    data = x - x.mean(axis=0) if centre else x
    gram, m_rows = data.T @ data / len(x), len(x)
    optimum = tail(centred_digits(), code) / m_rows
    lr, steps, tol = 0.25 / np.linalg.eigvalsh(gram)[-1], 200 if quick else 400, 2e-3 if quick else 1e-3
    rng = np.random.default_rng(seed)

    def start(size):
        return {"E": rng.normal(0, 0.1, (64, size)), "D": rng.normal(0, 0.1, (size, 64))}

    def loss(p):
        rest = np.eye(64) - anp.dot(p["E"], p["D"])
        return anp.sum(rest * anp.dot(gram, rest))
    run, check = train_with_autograd_check(start(code), gradient(gram), loss, lr, steps)
    excess = run.losses[-1] / optimum - 1
    ok = bool(check["max_param_rel_gap"] < 1e-10 and -1e-9 <= excess <= tol)
    sizes = (1, 2, 4, 8, 16, 32)
    trained = [gradient_descent(start(size), ae_gradient(gram), lr, steps, loss).losses[-1] * m_rows
               if size != code else run.losses[-1] * m_rows for size in sizes]
    # Eckart–Young bounds every run, whatever its k: no linear AE beats the truncated SVD
    ok = ok and all(error >= tail(data, size) * (1 - 1e-9) for size, error in zip(sizes, trained))
    return Evidence(NumericVerdict.PASSED if ok else NumericVerdict.FAILED, {
        "data": f"digits {'centred' if centre else 'NOT centred'}, {m_rows}×64, k = {code}, lr {lr:.3g}",
        "steps": steps, "final_loss": run.losses[-1], "optimum": optimum, "relative_excess": excess,
        "tolerance": tol, "rule": "0 ≤ loss/optimum − 1 ≤ tolerance; autograd gap < 1e-10 every step",
        **check, "figure_sizes": list(sizes), "figure_runs": "k ≠ 8: same GD, no autograd rerun",
        "curves": {"loss": run.losses[::max(1, steps // 100)],
                   "svd_error_by_k": [tail(centred_digits(), size) for size in range(0, 65)],
                   "trained_error_by_k": trained}})


PRINTED = Printed(SLIDES, 842, r"\underbrace{HW^*}_{\substack{U\Sigma V^T \\ (\mathrm{SVD})}}",
                  reading="the optimal HW* labelled as the full SVD UΣVᵀ (which is X itself)")


DERIVATION = register(Derivation(
    id="linear-ae-svd",
    title="A linear autoencoder reaches the truncated SVD (Eckart–Young); PCA needs centred X",
    sources=[Source(SLIDES, "Summary, 003:842")],
    conventions="X is m×n, one example per row; code H = XE (m×k), reconstruction HW* (W* k×n). "
                "σ₁ ≥ σ₂ ≥ … are X's singular values, V_k its top-k right singular vectors.",
    assumptions=["1 ≤ k < rank X", "A invertible"],
    symbols={"X": "matrix(m,n)", "H": "matrix(m,k)", "W*": "matrix(k,n)", "A": "matrix(k,k) invertible"},
    claims=[
        Minimizer(name="eckart-young", statement="min over rank-k HW* of ‖X − HW*‖²_F = Σ_{i>k} σᵢ², "
                  "at H = XV_k, W* = V_kᵀ", symbolic=stationarity, sample=sample_triplets,
                  form=(X_SVD * V, V.T), stationary_points=other_stationary_points,
                  objective=reconstruction_error, trials=2,
                  minimum_value=lambda p: tail(p["X"], p["k"])),
        Identity(name="optimum-is-truncation", statement="XV_kV_kᵀ = U_kΣ_kV_kᵀ (the rank-k truncation)",
                 symbolic=truncation, sample=sample_triplets, rhs=U * S * V.T,
                 lhs=lambda p: p["X"] @ top_vectors(p["X"], p["k"]) @ top_vectors(p["X"], p["k"]).T, rtol=1e-9),
        Identity(name="printed-full-svd", expect=Expect.ERRATUM, source=PRINTED,
                 corrected_by="optimum-is-truncation", uses=("eckart-young",),
                 premise=Premise("k < rank X (an undercomplete code)",
                                 lambda p: p["k"] < np.linalg.matrix_rank(p["X"])),
                 statement="the optimal HW* is UΣVᵀ, the full SVD", sample=sample_data,
                 lhs=lambda p: p["X"] @ top_vectors(p["X"], p["k"]) @ top_vectors(p["X"], p["k"]).T,
                 rhs=lambda p: (lambda u, s, vt: u * s @ vt)(*np.linalg.svd(p["X"], full_matrices=False))),
        Identity(name="unique-up-to-A", uses=("eckart-young",),
                 statement="(HA)(A⁻¹W*) = HW*: every invertible A gives the same optimum",
                 symbolic=mixing, sample=sample_mixing, lhs=mixed_error,
                 rhs=lambda p: tail(p["X"], p["k"]), rtol=1e-9),
        Identity(name="pca-on-centred-data", uses=("eckart-young",),
                 statement="on centred digits, Σ_{i>k} σᵢ² = (m − 1) Σ_{i>k} (PCA explained variance)",
                 symbolic=explained_variance,
                 sample=lambda rng, t: {"k": int(rng.integers(1, 40))}, trials=4,
                 lhs=lambda p: tail(centred_digits(), p["k"]), rhs=lambda p: pca_tail(p["k"]),
                 rtol=1e-9, training=train_linear_ae),
        Identity(name="uncentred-is-pca", expect=Expect.PITFALL, corrected_by="pca-on-centred-data",
                 origin="PCA read off the SVD of the raw data, skipping the centring",
                 premise=Premise("the digits' mean is not 0", lambda p: np.linalg.norm(digits().mean(axis=0)) > 0),
                 statement="the rank-k optimum of the UNcentred digits spans the PCA subspace",
                 sample=lambda rng, t: {"k": int(rng.integers(1, 40))}, trials=4,
                 lhs=lambda p: float(np.sum((centred_digits() - centred_digits() @ top_vectors(digits(), p["k"])
                                             @ top_vectors(digits(), p["k"]).T) ** 2)),
                 rhs=lambda p: pca_tail(p["k"]), rtol=1e-6),
    ]))
