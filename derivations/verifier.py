"""Run every check of a claim and decide its status.

A claim that should hold is ``verified`` when SymPy proved it (an approximation may stay
unproved), its numeric twin passed and its training run, if any, passed. An erratum is
``refuted`` when a numeric counterexample exists; symbolic failure alone never refutes.
"""
from __future__ import annotations

import time
import traceback
import zlib
from dataclasses import dataclass

import numpy as np

from .claims import Approximation, Claim, Derivation, Evidence, Expect, NumericVerdict
from .prover import Proof, SymbolicVerdict, prove


@dataclass
class ClaimResult:
    derivation: str
    claim: Claim
    symbolic: Proof
    numeric: Evidence
    training: Evidence
    status: str
    ok: bool
    seconds: float

    def as_dict(self) -> dict:
        return {"derivation": self.derivation, "claim": self.claim.name,
                "statement": self.claim.statement, "kind": self.claim.kind,
                "expect": self.claim.expect.value, "corrected_by": self.claim.corrected_by,
                "symbolic": self.symbolic.as_dict(), "numeric": self.numeric.as_dict(),
                "training": self.training.as_dict(), "status": self.status, "ok": self.ok,
                "seconds": round(self.seconds, 3)}


def claim_rng(seed: int, derivation_id: str, claim_name: str) -> np.random.Generator:
    """Each claim's own stream: results do not depend on which other claims ran."""
    return np.random.default_rng([seed, zlib.crc32(f"{derivation_id}/{claim_name}".encode())])


def _guarded(check) -> Evidence:
    try:
        return check()
    except Exception as error:  # a crashing check is reported, never taken as a verdict
        return Evidence(NumericVerdict.ERROR, {"reason": f"{type(error).__name__}: {error}",
                                               "traceback": traceback.format_exc(limit=3)})


def decide(claim: Claim, symbolic: Proof, numeric: Evidence, training: Evidence) -> tuple[str, bool]:
    if NumericVerdict.ERROR in (numeric.verdict, training.verdict):
        return "error", False
    counterexample = (numeric.verdict is NumericVerdict.FAILED
                      or symbolic.verdict is SymbolicVerdict.REFUTED)
    if claim.expect is Expect.ERRATUM:
        if numeric.verdict is NumericVerdict.FAILED and symbolic.verdict is not SymbolicVerdict.PROVED:
            return "refuted", True
        return ("verified" if symbolic.verdict is SymbolicVerdict.PROVED else "unverified"), False
    if counterexample or training.verdict is NumericVerdict.FAILED:
        return "refuted", False
    symbolic_ok = (symbolic.verdict is SymbolicVerdict.PROVED
                   or isinstance(claim, Approximation))
    if symbolic_ok and numeric.verdict is NumericVerdict.PASSED:
        return "verified", True
    return "unverified", False


def verify_claim(derivation: Derivation, claim: Claim, seed: int = 0, quick: bool = False,
                 budget: float = 20.0) -> ClaimResult:
    start = time.perf_counter()
    if claim.symbolic is None:
        symbolic = Proof(SymbolicVerdict.SKIPPED, "no symbolic obligation")
    else:
        try:
            symbolic = prove(claim.symbolic(), seed=seed, budget=budget)
        except Exception as error:
            symbolic = Proof(SymbolicVerdict.UNPROVED, f"{type(error).__name__}: {error}")
    numeric = _guarded(lambda: claim.check_numeric(claim_rng(seed, derivation.id, claim.name)))
    training = (_guarded(lambda: claim.training(seed, quick)) if claim.training
                else Evidence(NumericVerdict.SKIPPED))
    status, ok = decide(claim, symbolic, numeric, training)
    return ClaimResult(derivation.id, claim, symbolic, numeric, training, status, ok,
                       time.perf_counter() - start)


def verify(derivations: list[Derivation], seed: int = 0, quick: bool = False, progress=None):
    """Yield one ClaimResult per claim, in catalog order; ``progress(i, total, label)`` if given."""
    work = [(d, c) for d in derivations for c in d.claims]
    for i, (derivation, claim) in enumerate(work):
        if progress:
            progress(i, len(work), f"{derivation.id}/{claim.name}")
        yield verify_claim(derivation, claim, seed, quick)
