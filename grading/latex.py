r"""Read a LaTeX answer (math semantics) with a lark grammar of our own.

Juxtaposition and \cdot are the matrix product (non-commutative), \odot is elementwise,
^\top / ^T transpose, ^{-1} inverse. Vectors are columns, so x h^\top is an outer product.

Reading goes in two passes, so that the grammar stays small and LALR (fast, unambiguous):
1. a token pass: LaTeX is cut into tokens; each question symbol's spellings (w^*, \hat{\rho},
   \lambda_i, ...) are matched longest first and become one symbol token; ^\top, ^{-1},
   \left/\right, \mathrm{...} and opening/closing bars are normalized;
2. the grammar below builds the same tree as the plain-text reader.
"""
from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

from lark import Lark, Transformer, v_args
from lark.exceptions import LarkError, UnexpectedEOF, UnexpectedInput, VisitError

from .expr import InvalidAnswer, Node, const, num, sym
from .plaintext import MAX_DEPTH, check_text

MAX_LENGTH = 1_000

GRAMMAR = r"""
?start: sum
?sum: product
    | sum "+" product        -> add
    | sum "-" product        -> sub
?product: signed
    | product "\\cdot" signed   -> matmul
    | product "\\times" signed  -> matmul
    | product "\\odot" signed   -> mul
    | product "/" signed        -> div
    | product power             -> matmul
?signed: power
    | "-" signed             -> neg
    | "+" signed
?power: postfix
    | postfix "^" exponent   -> mpow
?postfix: atom
    | postfix "^T"           -> transpose
    | postfix "^-1"          -> inverse
?exponent: NUMBER             -> number
    | SYMBOL                 -> symbol
    | "{" sum "}"
?atom: NUMBER                -> number
    | SYMBOL                 -> symbol
    | LETTER                 -> unknown_letter
    | "(" sum ")"
    | "[" sum "]"
    | "{" sum "}"
    | "\\frac" "{" sum "}" "{" sum "}"     -> div
    | "\\sqrt" "{" sum "}"                 -> sqrt
    | FUNCTION argument                    -> call
    | MAXMIN "(" sum "," sum ")"           -> maxmin
    | "|<" sum "|>"                        -> abs
    | "||<" sum "||>"                      -> norm
    | "\\identity"                         -> identity
    | CONSTANT                             -> constant
?argument: "(" sum ")" | "{" sum "}" | SYMBOL -> symbol | NUMBER -> number
    | "\\frac" "{" sum "}" "{" sum "}" -> div
FUNCTION: "\\exp" | "\\log" | "\\ln" | "\\tanh" | "\\sigma" | "\\sign" | "\\diag" | "\\tr"
        | "\\sum" | "\\softplus" | "\\zeta" | "\\mean" | "\\sin" | "\\cos" | "\\relu"
CONSTANT: "\\pi" | "\\econst"
MAXMIN: "\\max" | "\\min"
SYMBOL: /\$[A-Za-z_][A-Za-z0-9_]*/
LETTER: /[A-Za-z]/
NUMBER: /\d+(\.\d+)?/
%ignore " "
"""

FUNCTION_NAMES = {"\\exp": "exp", "\\log": "log", "\\ln": "log", "\\tanh": "tanh",
                  "\\sigma": "sigmoid", "\\sign": "sign", "\\diag": "diag", "\\tr": "trace",
                  "\\sum": "sum", "\\softplus": "softplus", "\\zeta": "softplus", "\\mean": "mean",
                  "\\sin": "sin", "\\cos": "cos", "\\relu": "relu"}
_KNOWN_COMMANDS = set(FUNCTION_NAMES) | {"\\max", "\\min", "\\frac", "\\sqrt", "\\cdot", "\\times",
                                         "\\odot", "\\identity", "\\pi", "\\econst"}
WORD_COMMANDS = {"sign": "\\sign", "sgn": "\\sign", "diag": "\\diag", "tr": "\\tr", "trace": "\\tr",
                 "softplus": "\\softplus", "mean": "\\mean", "sigmoid": "\\sigma", "exp": "\\exp",
                 "log": "\\log", "max": "\\max", "min": "\\min", "T": "^T", "1": "\\identity",
                 "I": "\\identity", "relu": "\\relu", "ReLU": "\\relu", "sin": "\\sin", "cos": "\\cos",
                 "Tr": "\\tr", "tanh": "\\tanh", "Diag": "\\diag"}
# Commands that are another's spelling: \tfrac and \dfrac are \frac at another size, \ast is *.
SYNONYMS = {"\\tfrac": "\\frac", "\\dfrac": "\\frac", "\\cfrac": "\\frac", "\\ast": "*", "\\Tr": "\\tr",
            "\\operatorname*": "\\operatorname", "\\trace": "\\tr"}
FRACTIONS = {"\\frac"}
STYLE_COMMANDS = {"\\mathbf", "\\boldsymbol", "\\bm", "\\mathit", "\\vec"}
WORD_WRAPPERS = {"\\operatorname", "\\mathrm", "\\text", "\\mathbb", "\\textrm", "\\mathsf"}
DROPPED = {"\\left", "\\right", "\\big", "\\Big", "\\bigg", "\\Bigg", "\\,", "\\;", "\\!", "\\ ",
           "\\quad", "\\displaystyle"}
TOKEN = re.compile(r"\\[A-Za-z]+|\\[|{}\\,;! ]|[A-Za-z]|\d+(?:\.\d+)?|\S")
GREEK = {"alpha", "beta", "gamma", "delta", "epsilon", "zeta", "eta", "theta", "lambda", "mu",
         "rho", "sigma", "tau", "phi", "psi", "omega", "xi", "pi", "nu", "kappa"}
ALIASES = {"eps": ["\\epsilon", "\\varepsilon"], "lam": ["\\lambda"], "Lam": ["\\Lambda"],
           "epsilon": ["\\epsilon", "\\varepsilon"]}


@lru_cache(maxsize=1)
def _parser() -> Lark:
    return Lark(GRAMMAR, parser="lalr", maybe_placeholders=False)


def tokenize_latex(text: str) -> list[str]:
    return TOKEN.findall(text)


def spellings(name: str, extra: list[str] = ()) -> list[list[str]]:
    """Token sequences that spell a symbol: given ones, plus the usual LaTeX for its name."""
    out = [tokenize_latex(s) for s in extra]
    base, _, suffix = name.partition("_")
    bases = ALIASES.get(base) or ([f"\\{base}"] if base in GREEK else [base] if len(base) == 1 else [])
    match = re.fullmatch(r"([A-Za-z])(\d)", name)
    if match:   # W2 → W_2, W^{(2)}
        bases, suffix = [match.group(1)], match.group(2)
    for b in bases:
        if not suffix:
            out.append([b])
        elif suffix == "star":
            out += [[b, "^", "*"], [b, "^", "{", "*", "}"], [b, "^", "\\star"], [b, "^", "{", "\\star", "}"]]
        elif suffix == "hat":
            out += [["\\hat", b], ["\\hat", "{", b, "}"], ["\\widehat", "{", b, "}"]]
        else:
            sub = tokenize_latex(suffix)
            out += [[b, "_", *sub], [b, "_", "{", *sub, "}"], [b, "^", "{", "(", *sub, ")", "}"]]
    return [s for s in out if s]


def _read_group(tokens, i):
    """The tokens of the braced group starting at tokens[i] == '{', and the index after it."""
    if i >= len(tokens) or tokens[i] != "{":
        return ([tokens[i]] if i < len(tokens) else []), i + 1
    depth, j = 0, i
    while j < len(tokens):
        depth += tokens[j] == "{"
        depth -= tokens[j] == "}"
        if depth == 0:
            return tokens[i + 1:j], j + 1
        j += 1
    raise InvalidAnswer("unbalanced braces: a '{' is never closed")


def _flatten(tokens: list[str], depth: int = 0) -> list[str]:
    """Commands that wrap a word (\\operatorname{sign}, \\mathrm{tr}, \\mathbb{1}) become one
    token; styles (\\mathbf{x}, nested or not) are dropped; sizes and spacing are ignored."""
    if depth > MAX_DEPTH:
        raise InvalidAnswer(f"commands nest deeper than the bound {MAX_DEPTH}")
    flat, i = [], 0
    while i < len(tokens):
        t = SYNONYMS.get(tokens[i], tokens[i])
        if t in FRACTIONS:
            # \frac12 and \frac{z}2: an argument without braces is one character or one command
            flat.append(t)
            i += 1
            for _ in range(2):
                if i < len(tokens) and tokens[i] == "{":
                    group, i = _read_group(tokens, i)
                elif i < len(tokens) and re.fullmatch(r"\d\d+(\.\d+)?", tokens[i]):
                    group, tokens = [tokens[i][0]], tokens[:i] + [tokens[i][0], tokens[i][1:]] + tokens[i + 1:]
                    i += 1
                elif i < len(tokens):
                    group, i = [tokens[i]], i + 1
                else:
                    raise InvalidAnswer("\\frac needs two arguments, as in \\frac{a}{b}")
                flat += ["{", *_flatten(group, depth + 1), "}"]
        elif t in DROPPED:
            i += 1
        elif t in WORD_WRAPPERS:
            group, i = _read_group(tokens, i + 1)
            group = _flatten(group, depth + 1)
            word = "".join(group)
            flat.append(WORD_COMMANDS.get(word, word if len(group) == 1 else "\\" + word))
        elif t in STYLE_COMMANDS:
            group, i = _read_group(tokens, i + 1)
            flat += _flatten(group, depth + 1)
        elif t in ("\\lVert", "\\rVert", "\\Vert", "\\|", "‖"):
            flat.append("||")
            i += 1
        elif t in ("\\lvert", "\\rvert", "\\vert", "\\mid"):
            flat.append("|")
            i += 1
        else:
            flat.append(t)
            i += 1
    return flat


def normalize(tokens: list[str], symbol_spellings: dict[str, list[list[str]]]) -> list[str]:
    flat = _flatten(tokens)
    # symbols, longest spelling first
    table = sorted(((s, name) for name, ss in symbol_spellings.items() for s in ss),
                   key=lambda p: (-len(p[0]), p[1]))   # one order whatever the hash seed
    out, i = [], 0
    while i < len(flat):
        for spelled, name in table:
            if flat[i:i + len(spelled)] == spelled:
                out.append(f"${name}")
                i += len(spelled)
                break
        else:
            out.append("\\econst" if flat[i] == "e" else flat[i])   # e, unless a symbol is spelled e
            i += 1
    return _superscripts_and_bars(out)


def _superscripts_and_bars(tokens: list[str]) -> list[str]:
    out, i, index = [], 0, None
    while i < len(tokens):
        t = tokens[i]
        if t == "^" and i + 1 < len(tokens):
            nxt = tokens[i + 1:i + 5]
            if nxt[:1] in (["\\top"], ["T"], ["\\intercal"], ["^T"]):
                out.append("^T")
                i += 2
                continue
            if nxt[:3] in (["{", "\\top", "}"], ["{", "T", "}"], ["{", "\\intercal", "}"], ["{", "^T", "}"]):
                out.append("^T")
                i += 4
                continue
            if nxt[:4] == ["{", "-", "1", "}"]:
                out.append("^-1")
                i += 5
                continue
        if t == "\\sum" and i + 1 < len(tokens) and tokens[i + 1] in ("_", "^"):
            # \\sum_{i=1}^{n} x_i: the index is dropped; the sum runs over every entry
            j = i + 1
            while j < len(tokens) and tokens[j] in ("_", "^"):
                below = tokens[j] == "_"
                group, j = _read_group(tokens, j + 1)
                if below and group and re.fullmatch(r"[A-Za-z]", group[0]):
                    index = group[0]
            out.append(t)
            i = j
            continue
        if index is not None and t == "_" and out and out[-1].startswith("$"):
            # x_i inside a sum over i: the vector x itself
            if tokens[i + 1:i + 2] == [index]:
                i += 2
                continue
            if tokens[i + 1:i + 4] == ["{", index, "}"]:
                i += 4
                continue
        out.append(t)
        i += 1
    # two bars typed side by side, ||x||, are the norm's double bar
    merged = []
    for t in out:
        if t == "|" and merged and merged[-1] == "|":
            merged[-1] = "||"
        else:
            merged.append(t)
    # bars: a bar right after an operand closes the innermost open bar of its kind; else it opens
    result, stack = [], []
    for t in merged:
        if t in ("|", "||"):
            prev = result[-1] if result else None
            after_operand = prev is not None and prev not in _OPENERS and prev not in FUNCTION_NAMES
            if after_operand and stack and stack[-1] == t:
                stack.pop()
                result.append(t + ">")
            else:
                stack.append(t)
                result.append(t + "<")
        else:
            result.append(t)
    if stack:
        raise InvalidAnswer(f"unbalanced {stack[-1]}: a bar is never closed")
    return _sum_arguments(_drop_norm_subscripts(result))


def _drop_norm_subscripts(tokens: list[str]) -> list[str]:
    """‖x‖_2 and ‖J‖_F: for a vector the 2-norm and for a matrix the Frobenius norm are what
    norm() computes, so the subscript says nothing more."""
    out, i = [], 0
    while i < len(tokens):
        out.append(tokens[i])
        if tokens[i] == "||>" and tokens[i + 1:i + 2] == ["_"]:
            rest = tokens[i + 2:i + 5]
            if rest[:1] in (["2"], ["F"]):
                i += 3
                continue
            if rest in (["{", "2", "}"], ["{", "F", "}"]):
                i += 5
                continue
        i += 1
    return out


_OPEN, _CLOSE = {"(", "[", "{", "|<", "||<"}, {")", "]", "}", "|>", "||>"}


def _sum_arguments(tokens: list[str]) -> list[str]:
    """\\sum x y + z sums the product after it (up to the next + or - at its level), as people read it."""
    out, i = [], 0
    while i < len(tokens):
        out.append(tokens[i])
        takes_product = tokens[i] == "\\sum" or (tokens[i] in FUNCTION_NAMES and tokens[i + 1:i + 2] == ["\\sum"])
        if takes_product and i + 1 < len(tokens) and tokens[i + 1] not in ("(", "{"):
            depth, j = 0, i + 1
            while j < len(tokens):
                t = tokens[j]
                if t in _OPEN:
                    depth += 1
                elif t in _CLOSE:
                    depth -= 1
                    if depth < 0:
                        break
                elif depth == 0 and t in ("+", "-", ",") and j > i + 1:
                    break
                j += 1
            out += ["{", *_sum_arguments(tokens[i + 1:j]), "}"]
            i = j
            continue
        i += 1
    return out


_OPENERS = {"(", "[", "{", "+", "-", "\\cdot", "\\odot", "\\times", "/", "^", ",", "|<", "||<",
            "\\frac", "\\sqrt", "\\max", "\\min"}


@v_args(inline=True)
class _ToTree(Transformer):
    def number(self, token):
        return num(float(token))

    def symbol(self, token):
        return sym(str(token)[1:])

    def unknown_letter(self, token):
        raise InvalidAnswer(f"unknown symbol {str(token)!r}")

    def identity(self):
        return sym("I")

    def constant(self, token):
        return const("pi" if str(token) == "\\pi" else "e")

    def add(self, a, b): return Node("add", (a, b))
    def sub(self, a, b): return Node("sub", (a, b))
    def mul(self, a, b): return Node("mul", (a, b))
    def div(self, a, b): return Node("div", (a, b))
    def matmul(self, a, b): return Node("matmul", (a, b))
    def mpow(self, a, b): return Node("mpow", (a, b))
    def neg(self, a): return Node("neg", (a,))
    def transpose(self, a): return Node("T", (a,))
    def inverse(self, a): return Node("inv", (a,))
    def sqrt(self, a): return Node("sqrt", (a,))
    def abs(self, a): return Node("abs", (a,))
    def norm(self, a): return Node("norm", (a,))

    def call(self, function, argument):
        return Node(FUNCTION_NAMES[str(function)], (argument,))

    def maxmin(self, which, a, b):
        return Node(str(which)[1:], (a, b))


DELIMITERS = (("$$", "$$"), ("$", "$"), ("\\(", "\\)"), ("\\[", "\\]"))


def strip_math_delimiters(text: str) -> str:
    """$…$, $$…$$, \\(…\\) and \\[…\\] around the whole answer are ignored."""
    stripped = text.strip()
    for left, right in DELIMITERS:
        if len(stripped) > len(left) + len(right) and stripped.startswith(left) and stripped.endswith(right):
            return stripped[len(left):-len(right)]
    return text


def _unexpected(error) -> str:
    """What the parser stopped at, as the user wrote it: a symbol by its name, the end as 'the end'."""
    token = getattr(error, "token", None)
    text = str(token) if token is not None else getattr(error, "char", "?")
    return repr(text[1:] if text.startswith("$") and len(text) > 1 else text)


def _latex_spelling(ch: str) -> str | None:
    """How LaTeX writes a typeset character: α as \\alpha, Λ as \\Lambda, ∑ as \\sum."""
    name = unicodedata.name(ch, "")
    if name.startswith(("GREEK SMALL LETTER ", "GREEK CAPITAL LETTER ")) and " WITH " not in name:
        letter = name.rsplit(" ", 1)[1].lower().replace("lamda", "lambda")
        return "\\" + (letter if "SMALL" in name else letter.capitalize())
    return {"∑": "\\sum", "√": "\\sqrt{…}", "·": "\\cdot", "×": "\\times", "−": "-", "‖": "\\|",
            "ᵀ": "^T", "⁻": "^{-1}", "∞": "\\infty", "⊙": "\\odot"}.get(ch)


_GREEK = ("alpha beta gamma delta epsilon varepsilon zeta eta theta lambda mu nu xi pi rho sigma tau "
          "phi varphi chi psi omega Gamma Delta Theta Lambda Sigma Phi Psi Omega").split()


def _bare_command_name(text: str) -> str | None:
    """A Greek letter's name written without its backslash (rho for \\rho), if there is one."""
    found = re.search(r"(?<![\\A-Za-z])(" + "|".join(sorted(_GREEK, key=len, reverse=True)) + r")(?![A-Za-z])", text)
    return found.group(1) if found else None


def parse_latex(text: str, symbol_spellings: dict[str, list[list[str]]]) -> Node:
    check_text(text, MAX_LENGTH)
    text = strip_math_delimiters(text)
    check_text(text, MAX_LENGTH)
    typeset = next((c for c in text if ord(c) > 127 and _latex_spelling(c)), None)
    if typeset is not None:
        raise InvalidAnswer(f"{typeset!r} is a typeset character: in LaTeX write {_latex_spelling(typeset)}")
    if text.count("{") != text.count("}"):
        raise InvalidAnswer("unbalanced braces: the numbers of '{' and '}' differ")
    depth = deepest = 0
    for c in text:
        depth += c in "({["
        depth -= c in ")}]"
        deepest = max(deepest, depth)
    if deepest > MAX_DEPTH:
        raise InvalidAnswer(f"brackets nest deeper than the bound {MAX_DEPTH}")
    if text.count("|") > 2 * MAX_DEPTH:   # |…| and \|…\| nest as brackets do, unseen by the count above
        raise InvalidAnswer(f"the answer has {text.count('|')} bars '|'; the bound is {2 * MAX_DEPTH} "
                            "(absolute values and norms nest no deeper than brackets)")
    tokens = normalize(tokenize_latex(text), symbol_spellings)
    unknown = [t for t in tokens if t.startswith("\\") and t not in _KNOWN_COMMANDS]
    if unknown:
        raise InvalidAnswer(f"the command {unknown[0]} is not part of the LaTeX answer syntax")
    try:
        return _ToTree().transform(_parser().parse(" ".join(tokens)))
    except VisitError as error:
        if isinstance(error.orig_exc, InvalidAnswer):
            bare = _bare_command_name(text)
            if bare and str(error.orig_exc).startswith("unknown symbol"):
                raise InvalidAnswer(f"{error.orig_exc}: in LaTeX, {bare} is the letters "
                                    f"{', '.join(bare)}; write \\{bare}") from None
            raise error.orig_exc from None
        raise InvalidAnswer(f"cannot read the LaTeX: {error.orig_exc}") from None
    except UnexpectedInput as error:
        if isinstance(error, UnexpectedEOF) or getattr(getattr(error, "token", None), "type", "") == "$END":
            raise InvalidAnswer("cannot read the LaTeX: it ends too early; an operator, a \\frac or a "
                                "bracket lacks what follows it") from None
        raise InvalidAnswer(f"cannot read the LaTeX: {_unexpected(error)} is not expected there; write a "
                            "product, a \\frac{…}{…}, a power or a function of what comes before it, and "
                            "close every bracket") from None
    except LarkError as error:
        first = str(error).strip().splitlines()[0]
        raise InvalidAnswer(f"cannot read the LaTeX: {first}") from None
    except RecursionError:
        raise InvalidAnswer("the LaTeX is nested too deeply to read") from None
