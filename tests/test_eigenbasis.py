"""Identities in an eigenbasis, proved for every size: what stands between Q and Qᵀ is a function
of the diagonal Λ, carried by one scalar λ; a planted error is refuted, another shape refused."""
import pytest
import sympy as sp

from regverify.eigenbasis import NotInEigenbasis
from regverify.prover import Obligation, SymbolicVerdict, prove

n = sp.Symbol("n", integer=True, positive=True)
Q, LAM, W = (sp.MatrixSymbol(name, n, n) for name in ("Q", "Lambda", "W"))
w, I = sp.MatrixSymbol("w", n, 1), sp.Identity(n)
alpha, lam = sp.Symbol("alpha", positive=True), sp.Symbol("lambda", positive=True)
H = Q * LAM * Q.T
SHRUNK = Q * (LAM + alpha * I).I * LAM * Q.T * w       # (H + αI)⁻¹Hw* in the eigenbasis


def residual(form):
    return (H + alpha * I) * form - H * w


def test_the_shrunk_solution_is_proved_for_every_n():
    proof = prove(Obligation.in_eigenbasis(residual(SHRUNK), Q, LAM, lam))
    assert proof.verdict is SymbolicVerdict.PROVED and proof.scope == "every n"


def test_the_scalar_is_not_zero_as_built():
    # the obligation carries the algebra to a scalar; cancelling it is the proof's work
    (scalar,) = Obligation.in_eigenbasis(residual(SHRUNK), Q, LAM, lam).zero
    assert scalar != 0 and sp.cancel(scalar) == 0


@pytest.mark.parametrize("planted", [
    Q * (LAM - alpha * I).I * LAM * Q.T * w,        # a flipped sign
    Q * (LAM + alpha * I).I * Q.T * w,              # a dropped factor
    2 * SHRUNK,                                     # a scale
    SHRUNK + w,                                     # a constant shift
])
def test_a_planted_error_is_refuted_with_a_counterexample(planted):
    proof = prove(Obligation.in_eigenbasis(residual(planted), Q, LAM, lam))
    assert proof.verdict is SymbolicVerdict.REFUTED and proof.counterexample["point"]


@pytest.mark.parametrize("other_shape", [
    Q.T * (LAM + alpha * I).I * LAM * Q * w,        # Q and Qᵀ swapped: Λ stands outside Q … Qᵀ
    Q * (LAM + alpha * W).I * LAM * Q.T * w,        # W does not commute with Λ
    Q * (LAM + alpha * I).I * LAM * w,              # no Qᵀ closes it
])
def test_a_residual_of_another_shape_is_refused_not_proved(other_shape):
    with pytest.raises(NotInEigenbasis):
        Obligation.in_eigenbasis(residual(other_shape), Q, LAM, lam)
