"""What a numeric check hands back: its verdict with the figures behind it, as JSON can hold them."""
from __future__ import annotations

import math
from dataclasses import dataclass, field
from enum import Enum


class NumericVerdict(str, Enum):
    PASSED = "passed"
    FAILED = "failed"
    SKIPPED = "skipped"
    ERROR = "error"


@dataclass
class Evidence:
    """A numeric or training verdict with everything needed to read and reproduce it."""

    verdict: NumericVerdict
    detail: dict = field(default_factory=dict)

    def as_dict(self) -> dict:
        return {"verdict": self.verdict.value, **self.detail}


def json_ready(value):
    """JSON-safe: numpy scalars and arrays to Python, non-finite floats to strings ("nan", "inf")."""
    if hasattr(value, "tolist"):
        value = value.tolist()
    if isinstance(value, float) and not math.isfinite(value):
        return str(value)
    if isinstance(value, dict):
        return {str(k): json_ready(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [json_ready(v) for v in value]
    return value
