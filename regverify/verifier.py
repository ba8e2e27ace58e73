"""Run every check of a claim and decide its status.

A claim that should hold is ``verified`` when SymPy proved it (an approximation may come
without a series to prove), its numeric twin passed and its training run, if any, passed. An erratum or a pitfall
is ``refuted`` when a numeric counterexample exists that satisfies its premise (and, for an
erratum, its quote stands in the cited line of the material); symbolic failure alone never
refutes. A check that crashes makes the claim an ``error``, whatever else it showed.
"""
from __future__ import annotations

import contextlib
import multiprocessing
import signal
import time
import traceback
import zlib
from dataclasses import dataclass

import numpy as np
from threadpoolctl import threadpool_limits

from regverify.claims import Approximation, Claim, Derivation, Evidence, Minimizer, NumericVerdict
from regverify.prover import Proof, SymbolicVerdict, prove
from regverify.rechecks import remembered


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
    problem: str = ""     # why a claim is an error beyond its checks (e.g. a misquoted source)

    def as_dict(self) -> dict:
        claim = self.claim
        return {"derivation": self.derivation, "claim": claim.name,
                "statement": claim.statement, "kind": claim.kind,
                "expect": claim.expect.value, "corrected_by": claim.corrected_by,
                "source": claim.source.as_dict() if claim.source else None,
                "origin": claim.origin or None,
                "premise": claim.premise.text if claim.premise else None,
                "uses": [u if "/" in u else f"{self.derivation}/{u}" for u in claim.uses],
                "form": claim.form_latex or None,
                "symbolic": self.symbolic.as_dict(), "numeric": self.numeric.as_dict(),
                "training": self.training.as_dict(), "status": self.status, "ok": self.ok,
                "problem": self.problem or None, "seconds": round(self.seconds, 3)}


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
    if (NumericVerdict.ERROR in (numeric.verdict, training.verdict)
            or symbolic.verdict is SymbolicVerdict.ERROR):
        return "error", False
    if claim.expect.wrong:
        found = numeric.detail.get("counterexample", {})
        premise_ok = found.get("premise", {}).get("holds", True)
        if (numeric.verdict is NumericVerdict.FAILED and premise_ok
                and symbolic.verdict is not SymbolicVerdict.PROVED):
            return "refuted", True
        return ("verified" if symbolic.verdict is SymbolicVerdict.PROVED else "unverified"), False
    if numeric.verdict is NumericVerdict.FAILED or training.verdict is NumericVerdict.FAILED:
        return "refuted", False     # only a numeric counterexample makes a statement wrong
    # An approximation may come without a series to prove; one that states it must prove it.
    symbolic_ok = (symbolic.verdict is SymbolicVerdict.PROVED
                   or (isinstance(claim, Approximation) and symbolic.verdict is SymbolicVerdict.SKIPPED))
    if symbolic_ok and numeric.verdict is NumericVerdict.PASSED and extremum_shown(claim, symbolic, numeric):
        return "verified", True
    return "unverified", False


def prove_claim(claim: Claim, seed: int = 0, budget: float = 20.0) -> Proof:
    try:
        obligation = claim.obligation()
        if obligation is None:
            return Proof(SymbolicVerdict.SKIPPED, "no symbolic obligation")
        return prove(obligation, seed=seed, budget=budget, required=claim.derivation_required)
    except Exception as error:   # a crash is an error, never a verdict (for errata too)
        return Proof(SymbolicVerdict.ERROR, f"{type(error).__name__}: {error}")


def extremum_shown(claim: Claim, symbolic: Proof, numeric: Evidence) -> bool:
    """A minimizer's proof must establish the minimum; a proof of stationarity alone counts only
    beside the numeric global part (the value at every other stationary point), reported apart."""
    if not isinstance(claim, Minimizer) or symbolic.verdict is not SymbolicVerdict.PROVED \
            or claim.expect.wrong:
        return True
    if symbolic.establishes == "minimum":
        return True
    return (symbolic.establishes == "stationary point"
            and numeric.detail.get("global", {}).get("verdict") == NumericVerdict.PASSED.value)


def verify_claim(derivation: Derivation, claim: Claim, seed: int = 0, quick: bool = False,
                 budget: float = 20.0) -> ClaimResult:
    start = time.perf_counter()
    problem = ""
    if claim.source is not None:
        try:
            claim.source.check()
        except (ValueError, LookupError, OSError) as error:
            problem = f"the printed source does not check: {error}"
    symbolic = prove_claim(claim, seed, budget)
    numeric = _guarded(lambda: claim.check_numeric(claim_rng(seed, derivation.id, claim.name)))
    training = (_guarded(lambda: claim.training(seed, quick)) if claim.training
                else Evidence(NumericVerdict.SKIPPED))
    status, ok = decide(claim, symbolic, numeric, training)
    if problem:
        status, ok = "error", False
    return ClaimResult(derivation.id, claim, symbolic, numeric, training, status, ok,
                       time.perf_counter() - start, problem)


# What a worker process verifies, inherited through fork: claims hold lambdas, which do not pickle.
_WORK: list[tuple[Derivation, Claim]] = []


def one_blas_thread() -> threadpool_limits:
    """BLAS on one thread for every library a claim may load: SciPy brings its own OpenBLAS (through
    scikit-learn's digits), which a limit set before it is imported would miss."""
    with contextlib.suppress(ImportError):
        import scipy.linalg  # noqa: F401  (loaded for its BLAS, so that the limit reaches it)
    return threadpool_limits(limits=1)


def _start_worker() -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)   # Ctrl-C is the parent's to handle
    one_blas_thread()


def _verify_in_worker(task: tuple[list[int], int, bool]) -> list[tuple[int, ClaimResult]]:
    indices, seed, quick = task
    done = []
    for index in indices:
        derivation, claim = _WORK[index]
        result = verify_claim(derivation, claim, seed, quick)
        result.claim = None     # the parent has it; a lambda cannot cross the process boundary
        done.append((index, result))
    return done


def verify(derivations: list[Derivation], seed: int = 0, quick: bool = False, jobs: int = 1,
           progress=None) -> list[ClaimResult]:
    """One ClaimResult per claim, in catalog order, whatever ``jobs`` is.

    The work is thousands of tiny matrices, so BLAS runs on one thread: a thread pool only
    fights itself (and any other process) over them. With ``jobs`` > 1 the claims run in that
    many worker processes, the slowest kinds first; every claim has its own random stream, so
    the results do not depend on which worker ran it. ``progress(done, total, label)`` is
    called as each claim finishes."""
    global _WORK
    work = [(d, c) for d in derivations for c in d.claims]
    results: list[ClaimResult | None] = [None] * len(work)

    def finished(done: int, index: int) -> None:
        if progress:
            derivation, claim = work[index]
            progress(done, len(work), f"{derivation.id}/{claim.name}: {results[index].status}")

    with one_blas_thread(), remembered():     # workers fork inside: they remember too
        if jobs <= 1 or len(work) <= 1:
            for index, (derivation, claim) in enumerate(work):
                results[index] = verify_claim(derivation, claim, seed, quick)
                finished(index, index)
            return results
        _WORK = work
        # A page's claims share their symbolic building blocks (SymPy caches them), so a page goes
        # to one worker whole; training runs dominate, so the pages with one start first.
        pages: dict[str, list[int]] = {}
        for index, (derivation, _) in enumerate(work):
            pages.setdefault(derivation.id, []).append(index)
        groups = sorted(pages.values(), key=lambda g: all(work[i][1].training is None for i in g))
        pool = multiprocessing.get_context("fork").Pool(min(jobs, len(groups)), _start_worker)
        try:
            tasks = [(group, seed, quick) for group in groups]
            done = 0
            for batch in pool.imap_unordered(_verify_in_worker, tasks):
                for index, result in batch:
                    result.claim = work[index][1]
                    results[index] = result
                    finished(done, index)
                    done += 1
            pool.close()
        except BaseException:
            pool.terminate()    # Ctrl-C or a failure: no worker outlives the command
            raise
        finally:
            pool.join()
            _WORK = []
    return results
