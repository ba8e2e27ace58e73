"""The answer key: one module per derivation of the course material (see CATALOG ids)."""
from .claims import (Approximation, Claim, Derivation, Evidence, Expect, Gradient, Identity,
                     Limit, Minimizer, NumericVerdict, Source)
from .prover import Obligation, SymbolicVerdict, prove
from .registry import all_derivations, get, register

__all__ = ["Approximation", "Claim", "Derivation", "Evidence", "Expect", "Gradient", "Identity",
           "Limit", "Minimizer", "NumericVerdict", "Obligation", "Source", "SymbolicVerdict",
           "all_derivations", "get", "prove", "register"]
