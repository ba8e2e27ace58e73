"""Read a plain-text answer (NumPy semantics) without executing it.

The text is lexed with ``tokenize`` (to make ``^`` a power and ``lambda`` an ordinary name),
parsed with ``ast.parse`` and walked against a whitelist: numbers, names, + - * / ** @, unary
minus, ``.T`` and calls of the listed functions. Anything else is refused with its name.
Nothing is ever compiled or run.
"""
from __future__ import annotations

import ast
import io
import keyword
import re
import tokenize
import unicodedata

from .expr import CONSTANTS, FUNCTIONS, REDUCTIONS, InvalidAnswer, Node, const, num, sym

MAX_LENGTH = 2_000
MAX_DEPTH = 40
AS_LATEX = "(--latex, or format latex in a batch file)"   # how a command line asks for LaTeX
MAX_NODES = 400
KEYWORD_PREFIX = "kw_"   # a Python keyword used as a name (lambda) is read as kw_lambda

BINARY = {ast.Add: "add", ast.Sub: "sub", ast.Mult: "mul", ast.Div: "div", ast.Pow: "pow",
          ast.MatMult: "matmul"}


def check_text(text: str, limit: int) -> None:
    if not isinstance(text, str):
        raise InvalidAnswer("the answer must be text")
    if len(text) > limit:
        raise InvalidAnswer(f"the answer is {len(text)} characters long; the bound is {limit}")
    if not text.strip():
        raise InvalidAnswer("the answer is empty")
    bad = next((c for c in text if ord(c) < 32 and c not in "\t\n\r"), None)
    if bad is not None:
        raise InvalidAnswer(f"the answer contains the control character {ord(bad):#04x}")


PAIRS = {"(": ")", "[": "]", "{": "}"}


def _depth(text: str) -> int:
    depth = deepest = 0
    for c in text:
        if c in PAIRS:
            depth += 1
            deepest = max(deepest, depth)
        elif c in ")]}":
            depth -= 1
    return deepest


def check_brackets(text: str) -> None:
    """Every bracket closed by its own kind, in order: else say which one and where."""
    stack = []
    for column, c in enumerate(text, start=1):
        if c in PAIRS:
            stack.append((c, column))
        elif c in PAIRS.values():
            if not stack:
                raise InvalidAnswer(f"the {c!r} at column {column} closes nothing: remove it or add the "
                                    f"{dict(map(reversed, PAIRS.items()))[c]!r} it closes")
            opened, where = stack.pop()
            if PAIRS[opened] != c:
                raise InvalidAnswer(f"the {opened!r} at column {where} is closed by {c!r} at column {column}: "
                                    f"close it with {PAIRS[opened]!r}")
    if stack:
        opened, where = stack[-1]
        more = f" ({len(stack)} brackets are open at the end)" if len(stack) > 1 else ""
        raise InvalidAnswer(f"the {opened!r} at column {where} is never closed{more}: add {PAIRS[opened]!r} "
                            "where its group ends")


# Text made only of these, with no ^ and no keyword or kw_ name, needs no rewriting: it goes to
# ast.parse as it is (the tokenizer's round trip costs as much as the parse).
PLAIN_CHARACTERS = re.compile(r"[A-Za-z0-9_ .+\-*/@(),=]*")
IDENTIFIER = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


def _needs_no_rewriting(text: str) -> bool:
    return PLAIN_CHARACTERS.fullmatch(text) is not None and not any(
        keyword.iskeyword(name) or name.startswith(KEYWORD_PREFIX) for name in IDENTIFIER.findall(text))


def _lex(text: str) -> str:
    """Rewrite ^ to ** and keyword names to ordinary ones; check the nesting depth."""
    out, depth = [], 0
    check_brackets(text)
    if _needs_no_rewriting(text):
        if _depth(text) > MAX_DEPTH:
            raise InvalidAnswer(f"parentheses nest deeper than the bound {MAX_DEPTH}")
        return text.replace("\n", " ")
    try:
        tokens = list(tokenize.generate_tokens(io.StringIO(text.replace("\n", " ")).readline))
    except (tokenize.TokenError, IndentationError, SyntaxError) as error:
        raise InvalidAnswer(f"cannot read the answer: {error.args[0]}") from None
    for token in tokens:
        kind, string = token.type, token.string
        if kind == tokenize.OP and string in "([{":
            depth += 1
            if depth > MAX_DEPTH:
                raise InvalidAnswer(f"parentheses nest deeper than the bound {MAX_DEPTH}")
        elif kind == tokenize.OP and string in ")]}":
            depth -= 1
        if kind == tokenize.OP and string == "^":
            string = "**"
        elif kind == tokenize.NAME and string.startswith(KEYWORD_PREFIX):
            raise InvalidAnswer(f"unknown name {string!r}")
        elif kind == tokenize.NAME and keyword.iskeyword(string):
            if string != "lambda":
                raise InvalidAnswer(f"{string!r} is a Python keyword, not part of the answer syntax")
            string = KEYWORD_PREFIX + string
        elif kind == tokenize.COMMENT or (kind == tokenize.ERRORTOKEN and string.strip()):
            raise InvalidAnswer(unexpected_character(string[0]))
        out.append((kind, string))
    return tokenize.untokenize(out)


def parse_plain(text: str, names: set[str] | None = None) -> Node:
    """The answer as a tree; ``names`` (when given) are the only symbols allowed."""
    check_text(text, MAX_LENGTH)
    if "\\" in text:
        raise InvalidAnswer(f"the answer looks like LaTeX (it has a backslash): grade it as LaTeX {AS_LATEX}")
    source = _lex(text.strip())
    try:
        tree = ast.parse(source, mode="eval")
    except SyntaxError as error:
        raise InvalidAnswer(_syntax_message(text.strip(), error)) from None
    except (RecursionError, MemoryError, ValueError):
        raise InvalidAnswer("the answer is nested too deeply to read") from None
    count = sum(1 for _ in ast.walk(tree))
    if count > MAX_NODES:
        raise InvalidAnswer(f"the answer has {count} parts; the bound is {MAX_NODES}")
    return _convert(tree.body, names)


def _name(raw: str) -> str:
    return raw[len(KEYWORD_PREFIX):] if raw.startswith(KEYWORD_PREFIX) else raw


def _lookalike(name: str) -> str:
    """A letter from another alphabet that looks Latin (Cyrillic а, Greek ο) makes a name that
    looks right and is not: say which letter it is."""
    foreign = next((c for c in name if ord(c) > 127 and unicodedata.category(c).startswith("L")), None)
    if foreign is None:
        return ""
    return (f" (its letter {foreign!r} is {unicodedata.name(foreign, 'not a Latin letter').lower()}, "
            "not a Latin one: type the name on a Latin keyboard)")


def _convert(node: ast.AST, names) -> Node:
    if isinstance(node, ast.Constant):
        if isinstance(node.value, bool) or not isinstance(node.value, (int, float)):
            raise InvalidAnswer(f"only real numbers may appear as constants, not {node.value!r}")
        if isinstance(node.value, int) and abs(node.value) > 10**15:
            shown = str(node.value) if abs(node.value) < 10**30 else f"of about {int(abs(node.value).bit_length() * 0.30103) + 1} digits"
            raise InvalidAnswer(f"the number {shown} exceeds the bound 1e15 for a number written out; "
                                "write it as a power or a product of powers (10**20, 3*2**60)")
        return num(node.value)
    if isinstance(node, ast.Name):
        name = _name(node.id)
        if name in FUNCTIONS:
            raise InvalidAnswer(f"{name} is a function: call it as {name}(...)")
        if name in CONSTANTS and (names is None or name not in names):
            return const(name)
        if names is not None and name not in names:
            allowed = (f"allowed names: {', '.join(sorted(names))}" if names else
                       "this question has no symbols: the answer is a number or an expression of numbers")
            raise InvalidAnswer(f"unknown name {name!r}{_lookalike(name)}; {allowed}")
        return sym(name)
    if isinstance(node, ast.BinOp) and type(node.op) in BINARY:
        return Node(BINARY[type(node.op)], (_convert(node.left, names), _convert(node.right, names)))
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, (ast.USub, ast.UAdd)):
        inner = _convert(node.operand, names)
        return Node("neg", (inner,)) if isinstance(node.op, ast.USub) else inner
    if isinstance(node, ast.Attribute):
        if node.attr != "T":
            raise InvalidAnswer(f"'.{node.attr}' is not allowed; the only attribute is .T (transpose)")
        return Node("T", (_convert(node.value, names),))
    if isinstance(node, ast.Call):
        return _call(node, names)
    if isinstance(node, ast.Tuple):
        raise InvalidAnswer("the answer has a comma outside a function's parentheses: a comma only "
                            "separates the arguments of max, min and outer; write one expression")
    raise InvalidAnswer(f"{NOT_IN_THE_SYNTAX.get(type(node).__name__, 'this kind of expression is')} not part "
                        "of the answer syntax: write numbers, names, + - * / ^ @, .T and the listed functions")


# What a reader wrote, in words, for the Python forms the answer syntax does not take.
NOT_IN_THE_SYNTAX = {
    "Subscript": "indexing such as g[0] is", "Slice": "indexing such as g[0] is",
    "List": "square brackets [ ] are", "ListComp": "square brackets [ ] are", "Set": "braces { } are",
    "Dict": "braces { } are", "SetComp": "braces { } are", "DictComp": "braces { } are",
    "JoinedStr": "quoted text is", "Compare": "a comparison (<, >, ==) is", "BoolOp": "and / or are",
    "IfExp": "if … else is", "Lambda": "lambda is", "NamedExpr": ":= is", "Starred": "* before a name is",
    "GeneratorExp": "a generator (… for … in …) is", "Await": "await is",
}
OPERATORS = set("+-*/@^.,")
# Characters of typeset mathematics, and how plain text writes them.
# (−, ×, ·, ᵀ and Greek letters are read as typed: see normalize_typed.)
PLAIN_SPELLING = {"∑": "sum(…)", "√": "sqrt(…)", "÷": "/", "∘": "*", "‖": "norm(…)", "∞": "a number",
                  "∂": "the derivative itself", "⁻": "inv(…) or ^-1", "#": "nothing: a comment is not an answer"}


def unexpected_character(ch: str) -> str:
    spelled = PLAIN_SPELLING.get(ch)
    return (f"the character {ch!r} is not part of the plain-text answer syntax"
            + (f": write {spelled} instead" if spelled else ": write numbers, names, + - * / ^ @, .T and "
                                                            "the listed functions"))


def _syntax_message(text: str, error: SyntaxError) -> str:
    """What is wrong, in the reader's words: the answer ends early, two operators meet, or a
    product lacks its * (the only case where that advice is right)."""
    column = error.offset or len(text)
    before = text[:column - 1].rstrip()
    at = text[column - 1:column].strip() if column <= len(text) else ""
    if not text or text[-1] in OPERATORS - {"."}:
        return "the answer ends too early: an operator lacks what follows it"
    if at and at in OPERATORS and (not before or before[-1] in OPERATORS | {"("}):
        return f"at column {column}: an operand is missing before {at!r}"
    if before and (before[-1].isalnum() or before[-1] in ")_") and (at[:1].isalnum() or at[:1] == "("):
        return f"at column {column}: two terms meet without an operator; write every product with * or @"
    return f"cannot read the answer at column {column}: check the brackets and operators there"


def _call(node: ast.Call, names) -> Node:
    if not isinstance(node.func, ast.Name):
        raise InvalidAnswer("only the listed functions may be called, by name "
                            f"(f(...)); {type(node.func).__name__.lower()} calls are not part of the answer syntax")
    if _name(node.func.id) not in FUNCTIONS:
        called = node.func.id
        raise InvalidAnswer(f"{called!r} is not an allowed function; allowed: {', '.join(FUNCTIONS)}")
    name = _name(node.func.id)
    args = [_convert(a, names) for a in node.args]
    axis = None
    for kw in node.keywords:
        if name not in REDUCTIONS or kw.arg != "axis" or not (
                isinstance(kw.value, ast.Constant) and type(kw.value.value) is int
                and kw.value.value in (0, 1)):
            raise InvalidAnswer(f"{name}() takes no keyword {kw.arg}=...; only sum and mean take axis=0 or axis=1")
        axis = kw.value.value
    if len(args) != FUNCTIONS[name]:
        raise InvalidAnswer(f"{name}() takes {FUNCTIONS[name]} argument(s), got {len(args)}")
    return Node(name, tuple(args), axis)


# --- characters a person types ----------------------------------------------------------------
GREEK_NAMES = {"α": "alpha", "β": "beta", "γ": "gamma", "δ": "delta", "ε": "epsilon", "ϵ": "epsilon",
               "ζ": "zeta", "η": "eta", "θ": "theta", "κ": "kappa", "λ": "lambda", "μ": "mu",
               "ν": "nu", "ξ": "xi", "π": "pi", "ρ": "rho", "σ": "sigma", "τ": "tau", "φ": "phi",
               "ϕ": "phi", "χ": "chi", "ψ": "psi", "ω": "omega", "Λ": "Lambda", "Σ": "Sigma",
               "Δ": "Delta", "Θ": "Theta", "Φ": "Phi", "Ω": "Omega", "Γ": "Gamma"}
# Shorter names a prompt implies: ε is eps in a question that declares eps, λ is lam, Λ is Lam.
NAME_ALIASES = {"epsilon": ("eps",), "lambda": ("lam",), "Lambda": ("Lam",)}
OPERATOR_CHARACTERS = {"−": "-", "–": "-", "×": "*", "·": "*", "⋅": "*", "∗": "*", "⊙": "*",
                       "ᵀ": ".T", "²": "**2", "³": "**3"}
COMBINING_HAT = "\u0302"


def _greek_name(name: str, names) -> str:
    if names is None or name in names:
        return name
    return next((alias for alias in NAME_ALIASES.get(name, ()) if alias in names), name)


def normalize_typed(text: str, names: set[str] | None = None) -> tuple[str, list[str]]:
    """Greek letters, −, ×, · and a combining hat (ρ̂) as a person types them, in the plain-text
    syntax; and one note per kind of character read ("α read as alpha")."""
    if text.isascii():
        return text, []
    out, notes, i = [], {}, 0
    while i < len(text):
        c = text[i]
        if c in GREEK_NAMES:
            name = _greek_name(GREEK_NAMES[c], names)
            if text[i + 1:i + 2] == COMBINING_HAT:
                hatted = _greek_name(GREEK_NAMES[c], None) + "_hat"
                notes[c + COMBINING_HAT] = hatted
                out.append(hatted)
                i += 2
                continue
            notes[c] = name
            out.append(name)
        elif c in OPERATOR_CHARACTERS:
            notes[c] = OPERATOR_CHARACTERS[c]
            out.append(OPERATOR_CHARACTERS[c])
        elif c == COMBINING_HAT and out and out[-1][-1:].isalpha():
            notes[out[-1][-1] + c] = out[-1][-1] + "_hat"
            out.append("_hat")
        else:
            out.append(c)
        i += 1
    return "".join(out), [f"{k} read as {v}" for k, v in notes.items()]
