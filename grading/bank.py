"""The question bank: questions are data (JSON files in a bank directory), never code.

Each question declares its symbols with a shape and a domain, derived symbols computed from
them, the key, LaTeX spellings and known mistakes, all in the plain-text answer syntax and read
by the same safe parser as the answers. ``Question.sample`` draws one trial: sizes distinct from
each other (so a transpose cannot hide behind a square shape), values inside their domains,
joint bounds such as ελ < 1, and every third trial the kinks of a non-smooth key.
"""
from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path

import numpy as np

from regverify.numerics import sampling

from .expr import Evaluator, InvalidAnswer, Node
from .latex import spellings
from .plaintext import parse_plain

SHAPE = re.compile(r"^(scalar|vector\((\w+)\)|matrix\((\w+),\s*(\w+)\)|identity\((\w+)\))$")
DOMAINS = {"real", "positive", "nonnegative", "unit", "binary", "integer", "nonzero", "spd",
           "orthogonal", "diagonal", "symmetric", "size"}
SIZE_VALUES = range(2, 8)
WIDE_SIZE_VALUES = range(2, 13)
REGIMES = ("moderate", "wide", "edge")
RTOL, ATOL = 1e-7, 1e-10       # default float tolerance; a bank or a question may state its own
SCALAR_DOMAINS = {"real", "positive", "nonnegative", "unit", "binary", "integer", "nonzero", "size"}
MATRIX_DOMAINS = {"spd", "orthogonal", "diagonal", "symmetric"}


SUBSCRIPT_LETTERS = {"ᵢ": "i", "ⱼ": "j", "ₖ": "k", "ₗ": "l", "ₘ": "m", "ₙ": "n", "ₚ": "p", "ₜ": "t",
                     "ₐ": "a", "ₑ": "e", "ₕ": "h", "ₒ": "o", "ᵣ": "r", "ₛ": "s", "ᵤ": "u", "ᵥ": "v", "ₓ": "x"}


class BankError(ValueError):
    pass


@dataclass
class Symbol:
    name: str
    shape: str = "scalar"
    domain: str = "real"
    low: object = None
    high: object = None
    kinks: list = field(default_factory=list)

    def dims(self) -> tuple[str, ...]:
        cached = self.__dict__.get("_dims")
        if cached is None:
            cached = self.__dict__["_dims"] = self._parse_dims()
        return cached

    @property
    def kind(self) -> str:
        """scalar, vector, matrix or identity."""
        return self.shape.split("(")[0]

    def _parse_dims(self) -> tuple[str, ...]:
        m = SHAPE.match(self.shape)
        if m.group(2):
            return (m.group(2),)
        if m.group(3):
            return (m.group(3), m.group(4))
        if m.group(5):
            return (m.group(5), m.group(5))
        return ()


GENERIC_MISTAKE_HINT = "your answer matches a common mistake for this question; check each step of the derivation"


@dataclass
class Mistake:
    answer: str
    feedback: str                  # the full explanation (it may show the key)
    tree: Node = None
    hint: str | None = None        # the kind of mistake, never the key or a term of it
    credit: float = 0.0            # the fraction of the points this mistake earns

    @property
    def hint_text(self) -> str:
        return self.hint or GENERIC_MISTAKE_HINT


@dataclass
class Question:
    id: str
    prompt: str
    symbols: dict[str, Symbol]
    key: str
    derivation: str | None = None
    derived: list = field(default_factory=list)     # [(name, tree)] in order
    latex: dict = field(default_factory=dict)        # name → extra LaTeX spellings
    mistakes: list[Mistake] = field(default_factory=list)
    source: str = ""
    key_tree: Node = None
    rtol: float = RTOL
    atol: float = ATOL
    tests: list = field(default_factory=list)      # [{"answer", "verdict", "credit"?, "format"?}]
    _bounds: dict = field(default_factory=dict, repr=False)
    _trial_set: object = field(default=None, repr=False)   # filled by trials.trial_set
    SUBSCRIPTS = SUBSCRIPT_LETTERS

    @property
    def names(self) -> set[str]:
        return set(self.symbols) | {name for name, _ in self.derived}

    @property
    def implicit_identity(self) -> bool:
        """``I`` may be written, as the identity of the size it is used at, in a question that
        has matrices but does not declare it."""
        return "I" not in self.names and any(s.kind == "matrix" for s in self.symbols.values())

    @property
    def answer_names(self) -> set[str]:
        """The names an answer may use: the symbols, the derived ones, and an undeclared I."""
        return self.names | ({"I"} if self.implicit_identity else set())

    @property
    def prompt_indices(self) -> set[str]:
        """Single-letter indices the prompt writes as subscripts (x̃ⱼ, ∂h_l), not names of the question:
        an answer may write x_j for the entries of x, as the prompt does."""
        found = {SUBSCRIPT_LETTERS[c] for c in self.prompt if c in SUBSCRIPT_LETTERS}
        found |= set(re.findall(r"(?<=[^\W\d_])_\{?([a-z])\}?(?![A-Za-z0-9])", self.prompt))
        return found - self.answer_names

    def size_names(self) -> list[str]:
        seen = []
        for s in self.symbols.values():
            for d in s.dims() + ((s.name,) if s.domain == "size" else ()):
                if d not in seen:
                    seen.append(d)
        return seen

    def latex_spellings(self) -> dict[str, list[list[str]]]:
        spelled = {name: spellings(name, self.latex.get(name, [])) for name in self.answer_names}
        taken = {tuple(s) for ss in spelled.values() for s in ss}
        for name, ss in spelled.items():    # x_j, x_{j} for the entries of x, as the prompt writes them
            if self.symbols.get(name) is not None and self.symbols[name].kind != "scalar":
                extra = [s + tail for s in ss for j in sorted(self.prompt_indices)
                         for tail in (["_", j], ["_", "{", j, "}"])]
                ss += [s for s in extra if tuple(s) not in taken]
        return spelled

    def sample(self, rng: np.random.Generator, trial: int, regime: str = "moderate") -> tuple[dict, dict]:
        """One trial's values (NumPy semantics) and the names of its sizes by value.

        ``regime`` is one of REGIMES: ``moderate`` (the middle of each domain, sizes 2–7),
        ``wide`` (positive scalars log-uniform over [1e-3, 1e3] or their declared bounds, sizes
        2–12) or ``edge`` (the ends of each domain: 0 for nonnegative, within 1e-3 of the ends of
        (0, 1), declared bounds themselves, sizes 2–12). Scalar signed symbols alternate their
        sign with ``trial``, binary scalars their value, edge symbols their end."""
        names = self.size_names()
        pool = SIZE_VALUES if regime == "moderate" else WIDE_SIZE_VALUES
        values = rng.choice(pool, size=len(names), replace=False)
        sizes = dict(zip(names, (int(v) for v in values)))
        env: dict = {}
        for index, s in enumerate(self.symbols.values()):
            env[s.name] = self._draw(s, rng, sizes, env, regime, trial + index)
        return self.complete(env), {v: k for k, v in sizes.items()}

    def complete(self, env: dict) -> dict:
        """The derived symbols, computed from the others in order."""
        for name, tree in self.derived:
            env[name] = Evaluator(env)(tree)
        return env

    def _bound(self, s: Symbol, which: str, env: dict, default: float) -> float:
        tree = self._bounds.get((s.name, which))
        return default if tree is None else float(Evaluator(env)(tree))

    def bounds(self, s: Symbol, env: dict, regime: str = "moderate") -> tuple[float, float]:
        """The interval a scalar of ``s`` is drawn from in a regime (declared bounds win)."""
        wide = regime != "moderate"
        defaults = {"integer": (1, 20), "unit": (0.0, 1.0), "nonnegative": (0.0, 1e3 if wide else 5.0),
                    "positive": (1e-3, 1e3) if wide else (0.1, 5.0), "nonzero": (1e-3, 1e3) if wide else (0.2, 3.0),
                    "real": (-np.inf, np.inf)}.get(s.domain, (-np.inf, np.inf))
        return self._bound(s, "low", env, defaults[0]), self._bound(s, "high", env, defaults[1])

    def _draw(self, s: Symbol, rng, sizes: dict, env: dict, regime: str = "moderate", parity: int = 0):
        shape = tuple(sizes[d] for d in s.dims())
        kind = s.kind
        if kind == "identity":
            return np.eye(shape[0])
        if s.domain == "size":
            return np.float64(sizes[s.name])
        if kind == "matrix" and s.domain in ("spd", "orthogonal", "diagonal", "symmetric"):
            n = shape[0]
            low, high = (0.2, 5.0) if regime == "moderate" else (1e-2, 1e2)
            return {"spd": lambda: sampling.spd(rng, n, low, high),
                    "orthogonal": lambda: sampling.orthogonal(rng, n),
                    "diagonal": lambda: sampling.diagonal(rng, n, low, high),
                    "symmetric": lambda: sampling.symmetric(rng, n)}[s.domain]()
        low, high = self.bounds(s, env, regime)
        if not low <= high:
            raise InvalidAnswer(f"symbol {s.name!r}: field 'low' ({low:g}) exceeds field 'high' ({high:g})")
        if s.domain in ("positive", "nonzero") and low <= 0 or s.domain == "nonnegative" and low < 0 \
                or s.domain == "unit" and not 0 <= low < high <= 1:
            raise InvalidAnswer(f"symbol {s.name!r}: the bounds [{low:g}, {high:g}] leave the domain {s.domain!r}")
        edge = regime == "edge"
        end = parity % 2            # which end an edge trial takes, and the sign of a signed scalar
        sign = 1.0 if end == 0 else -1.0
        if s.domain == "real":
            if np.isfinite(low) and np.isfinite(high):
                value = np.full(shape, high if end else low) if edge else rng.uniform(low, high, shape)
            elif np.isfinite(low) or np.isfinite(high):
                spread = np.abs(rng.standard_normal(shape)) * (4.0 if regime == "wide" else 1.5)
                value = low + spread if np.isfinite(low) else high - spread
            else:
                value = rng.standard_normal(shape) * (4.0 if regime == "wide" and shape == () else 1.5)
                if shape == ():
                    value = sign * abs(value)
        elif s.domain in ("positive", "nonzero"):
            low = max(low, 1e-300)
            if edge:
                value = np.full(shape, high if end else low)
            else:
                value = np.exp(rng.uniform(np.log(low), np.log(high), shape))
            if s.domain == "nonzero":
                value = value * (sign if shape == () else rng.choice([-1.0, 1.0], shape))
        elif s.domain == "nonnegative":
            if edge:
                value = np.full(shape, low if end == 0 else high)
            elif regime == "wide":
                value = np.where(rng.random(shape) < 0.2, low,
                                 np.exp(rng.uniform(np.log(max(low, 1e-3)), np.log(high), shape)))
            else:
                value = np.where(rng.random(shape) < 0.1, low, rng.uniform(low, high, shape))
        elif s.domain == "unit":
            width = high - low
            if edge:
                value = np.full(shape, high - 5e-4 * width if end else low + 5e-4 * width)
            else:
                margin = 0.02 if regime == "moderate" else 1e-3
                value = rng.uniform(low + margin * width, high - margin * width, shape)
        elif s.domain == "binary":
            value = np.full(shape, float(end)) if shape == () else rng.integers(0, 2, shape).astype(float)
        elif s.domain == "integer":
            if edge:
                value = np.full(shape, float(high if end else low))
            else:
                top = high if regime == "wide" else min(high, low + 19)
                value = rng.integers(int(np.ceil(low)), int(np.floor(top)) + 1, shape).astype(float)
        else:
            raise BankError(f"{self.id}: symbol {s.name!r}: domain {s.domain!r} needs a matrix shape")
        return np.float64(value) if shape == () else np.asarray(value, dtype=float)


def _parse(text: str, names: set[str], where: str) -> Node:
    try:
        return parse_plain(str(text), names)
    except InvalidAnswer as error:
        raise BankError(f"{where}: {text!r}: {error}") from None


QUESTION_FIELDS = {"id", "prompt", "symbols", "key", "derivation", "derived", "latex", "mistakes", "tolerance",
                   "tests"}
TEST_FIELDS = {"answer", "verdict", "credit", "format"}
VERDICTS = ("correct", "incorrect", "invalid")


def _tolerance(spec, where: str, default: tuple[float, float]) -> tuple[float, float]:
    if spec is None:
        return default
    if not isinstance(spec, dict) or set(spec) - {"rtol", "atol"}:
        raise BankError(f"{where}: field 'tolerance' must be {{\"rtol\": number, \"atol\": number}}, "
                        f"not {spec!r:.80}")
    rtol, atol = spec.get("rtol", default[0]), spec.get("atol", default[1])
    for name, value in (("rtol", rtol), ("atol", atol)):
        if isinstance(value, bool) or not isinstance(value, (int, float)) or not 0 <= value < 1:
            raise BankError(f"{where}: field 'tolerance.{name}' must be a number in [0, 1), not {value!r}")
    return float(rtol), float(atol)


class BankErrors(BankError):
    """Every problem found in one question (the message is the first; ``errors`` holds them all)."""

    def __init__(self, errors: list[BankError]):
        super().__init__(str(errors[0]))
        self.errors = errors


def _symbol(name: str, spec, where: str) -> Symbol:
    if spec is not None and not isinstance(spec, dict):
        raise BankError(f"{where}: symbol {name!r} must be an object like {{\"shape\": \"vector(n)\"}}, not {spec!r}")
    spec = dict(spec or {})
    symbol = Symbol(name, spec.pop("shape", "scalar"), spec.pop("domain", "real"),
                    spec.pop("low", None), spec.pop("high", None), spec.pop("kinks", []))
    if spec:
        raise BankError(f"{where}: symbol {name!r} has unknown fields {sorted(spec)}")
    if not SHAPE.match(symbol.shape):
        raise BankError(f"{where}: symbol {name!r} has shape {symbol.shape!r}; use scalar, "
                        "vector(n), matrix(a,b) or identity(n)")
    if symbol.domain not in DOMAINS:
        raise BankError(f"{where}: symbol {name!r} has domain {symbol.domain!r}; "
                        f"use one of {sorted(DOMAINS)}")
    matrix = symbol.shape.startswith(("matrix", "identity"))
    if symbol.domain in MATRIX_DOMAINS and not (matrix and len(set(symbol.dims())) == 1):
        raise BankError(f"{where}: symbol {name!r}: domain {symbol.domain!r} needs a square "
                        f"shape matrix(n,n), not {symbol.shape!r}")
    if matrix and symbol.domain in SCALAR_DOMAINS - {"real"}:
        raise BankError(f"{where}: symbol {name!r}: domain {symbol.domain!r} is for scalars and "
                        f"vectors, not {symbol.shape!r}")
    for which in ("low", "high"):
        if getattr(symbol, which) is not None and (symbol.domain in MATRIX_DOMAINS | {"binary", "size"}
                                                    or symbol.shape.startswith("identity")):
            raise BankError(f"{where}: symbol {name!r}: field {which!r} cannot apply to the domain "
                            f"{symbol.domain!r}; bounds are for real, positive, nonnegative, unit, "
                            "integer and nonzero values")
    if symbol.domain == "size" and symbol.shape != "scalar":
        raise BankError(f"{where}: symbol {name!r}: a size is a scalar")
    return symbol


def _tests(tests, where: str) -> list:
    if not isinstance(tests, list):
        raise BankError(f"{where}: field 'tests' must be a list of {{\"answer\": ..., \"verdict\": ...}}")
    for i, test in enumerate(tests):
        if not isinstance(test, dict) or "answer" not in test or test.get("verdict") not in VERDICTS \
                or set(test) - TEST_FIELDS or test.get("format", "text") not in ("text", "latex"):
            raise BankError(f"{where}: field 'tests[{i}]' must be {{\"answer\": text, \"verdict\": one of "
                            f"{', '.join(VERDICTS)}, optionally \"credit\" (a fraction) and \"format\" "
                            f"(text or latex)}}, not {test!r}")
    return tests


def _mistake(m, i: int, names: set[str], where: str) -> Mistake:
    field_name = f"{where}: field 'mistakes[{i}]'"
    if not isinstance(m, dict) or not isinstance(m.get("answer"), str) or not isinstance(m.get("feedback"), str) \
            or set(m) - {"answer", "feedback", "hint", "credit"}:
        raise BankError(f"{field_name} must be {{\"answer\": text, \"feedback\": text, optionally \"hint\": "
                        f"text and \"credit\": a fraction}}, not {m!r}")
    return Mistake(m["answer"], m["feedback"], _parse(m["answer"], names, f"{where}: field 'mistakes[{i}].answer'"),
                   m.get("hint"), fraction(m.get("credit", 0.0), f"{where}: field 'mistakes[{i}].credit'"))


def _question(entry: dict, source: str, tolerance: tuple[float, float] = (RTOL, ATOL)) -> Question:
    """The question in ``entry``; BankErrors naming every problem found in it."""
    if not isinstance(entry, dict):
        raise BankError(f"{source}: a question must be a JSON object, not {type(entry).__name__}")
    where = f"{source}: question {entry.get('id', '?')!r}"
    missing = {"id", "prompt", "symbols", "key"} - set(entry)
    if missing:
        raise BankError(f"{where} lacks {', '.join(sorted(missing))}")
    _question_id(entry, source)
    if not isinstance(entry["prompt"], str):
        raise BankError(f"{where}: field 'prompt' must be text, not {type(entry['prompt']).__name__}")
    if not isinstance(entry["symbols"], dict):
        raise BankError(f"{where}: field 'symbols' must be an object name → {{\"shape\": ..., \"domain\": ...}}")
    problems: list[BankError] = []

    def checked(make, *args):
        """make(*args), or None with its problem noted: the other fields are still checked."""
        try:
            return make(*args)
        except BankErrors as errors:
            problems.extend(errors.errors)
        except BankError as error:
            problems.append(error)
        return None

    unknown = set(entry) - QUESTION_FIELDS
    if unknown:
        problems.append(BankError(f"{where}: unknown field(s) {sorted(unknown)}; a question has "
                                  f"{sorted(QUESTION_FIELDS)}"))
    symbols = {name: symbol for name, spec in entry["symbols"].items()
               if (symbol := checked(_symbol, name, spec, where)) is not None}
    rtol, atol = checked(_tolerance, entry.get("tolerance"), where, tolerance) or tolerance
    tests = checked(_tests, entry.get("tests", []), where) or []
    question = Question(id=entry["id"], prompt=entry["prompt"], symbols=symbols, key=entry["key"],
                        derivation=entry.get("derivation"), latex=entry.get("latex", {}), source=source,
                        rtol=rtol, atol=atol, tests=tests)
    names = set(entry["symbols"])      # every declared name, so that one bad symbol hides nothing else
    for s in symbols.values():
        for which in ("low", "high"):
            if getattr(s, which) is not None:
                question._bounds[(s.name, which)] = checked(_parse, getattr(s, which), names,
                                                            f"{where}: symbol {s.name!r}: field {which!r}")
        s.kinks = [checked(_parse, k, names, f"{where}: symbol {s.name!r}: field 'kinks'") for k in s.kinks]
    derived = entry.get("derived", [])
    if not isinstance(derived, list) or not all(isinstance(d, list) and len(d) == 2 and all(
            isinstance(part, str) for part in d) for d in derived):
        raise BankError(f"{where}: field 'derived' must be a list of [name, formula] pairs, not {derived!r:.80}")
    for name, text in derived:
        question.derived.append((name, checked(_parse, text, names, f"{where}: field 'derived'")))
        names.add(name)
    question.key_tree = checked(_parse, question.key, names, f"{where}: field 'key'")
    question.mistakes = [m for i, spec in enumerate(entry.get("mistakes", []))
                         if (m := checked(_mistake, spec, i, names, where)) is not None]
    checked(_check_spellings, question, where)
    if problems:
        raise BankErrors(problems)
    _check_evaluates(question, where)
    return question


def fraction(value, where: str) -> float:
    """A share of the points: a number from 0 up to (not including) 1."""
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not 0 <= value < 1:
        raise BankError(f"{where}: expected a fraction of the points from 0 up to 1 (not included) "
                        f"but got {value!r}")
    return float(value)


def _check_spellings(question: Question, where: str) -> None:
    """Every LaTeX spelling stands for one symbol, so a reading never depends on set order."""
    unknown = set(question.latex) - question.names
    if unknown:
        raise BankError(f"{where}: field 'latex' spells unknown symbol(s) {sorted(unknown)}")
    owner: dict[tuple, str] = {}
    for name in sorted(question.names):
        for spelled in spellings(name, question.latex.get(name, [])):
            other = owner.setdefault(tuple(spelled), name)
            if other != name:
                raise BankError(f"{where}: field 'latex': the spelling {''.join(spelled)!r} stands for both "
                                f"{other!r} and {name!r}; give one of them its own spellings")


def _check_evaluates(question: Question, where: str) -> None:
    """The key, the derived symbols, the bounds, the kinks and the mistakes evaluate on a few
    trials of each regime, and every drawn value honours its declared bounds."""
    rng = np.random.default_rng(0)
    defined = 0
    for t, regime in enumerate(REGIMES):
        try:
            env, _ = question.sample(rng, t, regime)
        except InvalidAnswer as error:
            raise BankError(f"{where}: fields 'low'/'high'/'derived' cannot be evaluated: {error}") from None
        except (ValueError, OverflowError) as error:
            raise BankError(f"{where}: fields 'low'/'high': cannot draw values: {error}") from None
        for s in question.symbols.values():
            if s.low is None and s.high is None:
                continue
            low, high = question.bounds(s, env, regime)
            if not low <= high:
                raise BankError(f"{where}: symbol {s.name!r}: field 'low' ({s.low}) exceeds field 'high' "
                                f"({s.high}) at {_point(env)}")
            value = np.asarray(env[s.name], dtype=float)
            if np.any(value < low) or np.any(value > high):
                raise BankError(f"{where}: symbol {s.name!r}: a drawn value lies outside [low, high]")
        others = [] if t else ([(f"mistakes[{i}]", m.tree) for i, m in enumerate(question.mistakes)]
                               + [(f"symbols.{s.name}.kinks", k) for s in question.symbols.values() for k in s.kinks])
        for field_name, tree in [("key", question.key_tree)] + others:
            try:
                with np.errstate(all="ignore"):
                    value = np.asarray(Evaluator(env)(tree), dtype=float)
            except InvalidAnswer as error:
                raise BankError(f"{where}: field {field_name!r} cannot be evaluated: {error}") from None
            if field_name == "key" and np.all(np.isfinite(value)):
                defined += 1
    if defined == 0:
        raise BankError(f"{where}: field 'key' is undefined (inf or nan) on every trial tried")


def _point(env: dict) -> str:
    return ", ".join(f"{k}={float(v):.4g}" for k, v in env.items() if np.ndim(v) == 0)


def default_bank_dir() -> Path:
    return Path(str(resources.files(__package__) / "bank"))


def bank_files(directory: str | Path | None) -> list[Path]:
    directory = Path(directory) if directory is not None else default_bank_dir()
    if not directory.is_dir():
        raise BankError(f"no question bank directory at {directory}")
    files = sorted(directory.glob("*.json"))
    if not files:
        raise BankError(f"{directory} holds no *.json question files")
    return files


def read_question_file(path: Path) -> tuple[list, object]:
    """(the entries, the file's tolerance as written) of one question file, nothing parsed yet; a
    BankError if it cannot be one: unreadable, not JSON, or not a list of questions."""
    try:
        content = json.loads(path.read_text(encoding="utf-8"))
    except (json.JSONDecodeError, UnicodeDecodeError) as error:
        raise BankError(f"{path}: not valid JSON: {error}") from None
    except RecursionError:
        raise BankError(f"{path}: nested too deeply to be a question file") from None
    except OSError as error:
        raise BankError(f"{path}: cannot be read: {error.strerror or error}") from None
    entries = content.get("questions", []) if isinstance(content, dict) else content
    if not isinstance(entries, list):
        raise BankError(f"{path}: a question file holds a list of questions, or an object with one "
                        f"under 'questions'")
    return entries, content.get("tolerance") if isinstance(content, dict) else None


def _entries(directory: str | Path | None):
    """(entry, file name, the file's tolerance) for every question of every *.json file."""
    for path in bank_files(directory):
        entries, tolerance = read_question_file(path)
        tolerance = _tolerance(tolerance, path.name, (RTOL, ATOL))
        for entry in entries:
            yield entry, path.name, tolerance


def load_bank(directory: str | Path | None = None) -> dict[str, Question]:
    """Every question in every *.json file of the directory (default: the bundled bank)."""
    bank: dict[str, Question] = {}
    for entry, source, tolerance in _entries(directory):
        question = _question(entry, source, tolerance)
        if question.id in bank:
            raise BankError(f"question id {question.id!r} appears in {bank[question.id].source} "
                            f"and in {source}")
        bank[question.id] = question
    return bank


class UnknownQuestion(KeyError):
    """No question has the id asked for; ``ids`` are the bank's, in its order."""
    def __init__(self, qid: str, ids: list[str]):
        super().__init__(qid)
        self.ids = ids


def load_question(qid: str, directory: str | Path | None = None) -> Question:
    """One question, checked as ``load_bank`` checks each; the others are only read, for their
    ids (each must be an object with an id, and no id may appear twice): what one ``grade``
    needs, without parsing and trying the whole bank."""
    found, where = None, {}
    for entry, source, tolerance in _entries(directory):
        if not isinstance(entry, dict):
            raise BankError(f"{source}: a question must be a JSON object, not {type(entry).__name__}")
        entry_id = _question_id(entry, source)
        if entry_id in where:
            raise BankError(f"question id {entry_id!r} appears in {where[entry_id]} and in {source}")
        where[entry_id] = source
        if entry_id == qid:
            found = (entry, source, tolerance)
    if found is None:
        raise UnknownQuestion(qid, list(where))
    return _question(*found)


def _question_id(entry: dict, source: str) -> str:
    if "id" not in entry:
        raise BankError(f"{source}: question '?' lacks id")
    if not isinstance(entry["id"], str) or not entry["id"].strip():
        raise BankError(f"{source}: question {entry['id']!r}: field 'id' must be text, not {entry['id']!r}")
    return entry["id"]
