"""regverify in a notebook: grade, check_steps and show, with results that render themselves.

    >>> from regverify import grade
    >>> result = grade("l2-grad", "g + 2*alpha*w")
    >>> result.verdict
    'incorrect'
    >>> "cancels the 2" in result._repr_markdown_()
    True

In Jupyter the last expression of a cell is displayed through ``_repr_markdown_`` (or
``_repr_html_``): the verdict, the reading typeset in LaTeX, the feedback and a small
counterexample table. Nothing here imports SymPy or autograd.
"""
from __future__ import annotations

import html
import json
from dataclasses import dataclass, fields

from .grading import grader as _grader
from .grading import steps as _steps
from .grading.bank import Question, load_bank
from .grading.expr import InvalidAnswer, Node
from .grading.feedback import for_student, steps_for_student
from .grading.gradescope import counterexample_md, md_code, md_text

_banks: dict = {}


def _bank(bank=None) -> dict:
    key = str(bank) if bank is not None else None
    if key not in _banks:
        _banks[key] = load_bank(bank)
    return _banks[key]


def question(qid: str, bank=None) -> Question:
    questions = _bank(bank)
    if qid not in questions:
        raise KeyError(f"unknown question id {qid!r}; valid ids: {', '.join(questions)}")
    return questions[qid]


# --- the reading in LaTeX ------------------------------------------------------------------------
FUNCTIONS = {"exp": r"\exp", "log": r"\log", "tanh": r"\tanh", "sin": r"\sin", "cos": r"\cos",
             "sigmoid": r"\sigma", "sign": r"\operatorname{sign}", "softplus": r"\operatorname{softplus}",
             "max": r"\max", "min": r"\min", "diag": r"\operatorname{diag}", "trace": r"\operatorname{tr}",
             "sum": r"\operatorname{sum}", "mean": r"\operatorname{mean}"}
LEVEL = {"add": 1, "sub": 1, "mul": 2, "matmul": 2, "div": 3, "neg": 2, "pow": 4, "mpow": 4}


def _symbol_latex(q: Question, name: str) -> str:
    spelled = q.latex_spellings().get(name) if hasattr(q, "latex_spellings") else None
    if spelled:
        return " ".join(spelled[0])
    return name if len(name) == 1 else rf"\mathrm{{{name}}}"


def to_latex(node: Node, q: Question, parent: int = 0) -> str:
    """A reading (plain-text tree) typeset: * is ⊙ between arrays, @ is juxtaposition."""
    def tex(n, level=0):
        return to_latex(n, q, level)

    def wrap(body, level):
        return rf"\left({body}\right)" if level < parent else body

    op = node.op
    if op == "num":
        v = float(node.value)
        return str(int(v)) if v.is_integer() and abs(v) < 1e15 else f"{v:g}"
    if op == "sym":
        return _symbol_latex(q, node.value)
    if op in ("add", "sub"):
        sign = "+" if op == "add" else "-"
        return wrap(f"{tex(node.args[0], 1)} {sign} {tex(node.args[1], 2 if op == 'sub' else 1)}", 1)
    if op == "mul":
        a, b = node.args
        scalar = _scalar(a, q) or _scalar(b, q)
        joiner = r" \, " if scalar else r" \odot "
        return wrap(f"{tex(a, 2)}{joiner}{tex(b, 3)}", 2)
    if op == "matmul":
        return wrap(f"{tex(node.args[0], 2)} \\, {tex(node.args[1], 3)}", 2)
    if op == "div":
        return rf"\frac{{{tex(node.args[0])}}}{{{tex(node.args[1])}}}"
    if op == "neg":
        return wrap(f"-{tex(node.args[0], 3)}", 2)
    if op in ("pow", "mpow"):
        return wrap(f"{{{tex(node.args[0], 5)}}}^{{{tex(node.args[1])}}}", 4)
    if op == "T":
        return rf"{{{tex(node.args[0], 5)}}}^\top"
    if op == "inv":
        return rf"{{{tex(node.args[0], 5)}}}^{{-1}}"
    if op == "sqrt":
        return rf"\sqrt{{{tex(node.args[0])}}}"
    if op == "abs":
        return rf"\left|{tex(node.args[0])}\right|"
    if op == "norm":
        return rf"\left\|{tex(node.args[0])}\right\|"
    if op == "outer":
        return wrap(rf"{tex(node.args[0], 3)} \, {{{tex(node.args[1], 5)}}}^\top", 2)
    name = FUNCTIONS.get(op, rf"\operatorname{{{op}}}")
    args = ", ".join(tex(a) for a in node.args)
    if node.value is not None:
        args += rf", \text{{axis}}={node.value}"
    return rf"{name}\left({args}\right)"


def _scalar(node: Node, q: Question) -> bool:
    if node.op == "num":
        return True
    if node.op == "sym":
        symbol = q.symbols.get(node.value)
        return symbol is not None and symbol.shape == "scalar"
    if node.op in ("sum", "mean") and node.value is None or node.op in ("trace", "norm"):
        return True
    return bool(node.args) and node.op not in ("outer", "diag", "matmul", "T", "inv") and all(_scalar(a, q) for a in node.args)


def reading_latex(q: Question, reading: str | None) -> str | None:
    """The grader's echo (plain-text syntax) typeset, or None if it cannot be re-read."""
    if not reading:
        return None
    from .grading.plaintext import parse_plain
    try:
        return to_latex(parse_plain(reading, q.names), q)
    except (InvalidAnswer, RecursionError, ValueError):
        return None


# --- results that render themselves ------------------------------------------------------------
def _table_html(example: dict) -> str:
    rows = list(example.get("values", {}).items())
    for name, label in (("your_answer", "your answer"), ("key", "the answer"), ("previous_line", "previous line")):
        if name in example and example[name] != "…":
            rows.append((label, example[name]))
    body = "".join(f"<tr><td><code>{html.escape(str(k))}</code></td><td><code>{html.escape(json.dumps(v))}</code></td></tr>"
                   for k, v in rows)
    return f"<table><tr><th>at</th><th>value</th></tr>{body}</table>"


@dataclass(repr=False)
class Grade(_grader.Grade):
    """The grader's Grade, displayed in a notebook: verdict, reading, feedback, counterexample."""

    @classmethod
    def of(cls, result: _grader.Grade, q: Question | None, level="full") -> "Grade":
        """The grade as a student sees it at ``level`` (feedback.py): below full the object holds
        nothing of the key, so inspecting it shows no more than its display."""
        view = for_student(result, level)
        made = cls(**{f.name: view.get(f.name, None) for f in fields(result)})
        made._question = q
        return made

    @property
    def ok(self) -> bool:
        return self.verdict == "correct"

    def _latex(self) -> str | None:
        q = getattr(self, "_question", None)
        return reading_latex(q, self.interpreted_as) if q is not None else None

    def _parts(self) -> list[tuple[str, str, object]]:
        """What a grade shows, in order, as (label, kind, value): each rendering writes these."""
        parts = []
        latex = self._latex()
        if latex:
            parts.append(("read as", "math", latex))
        elif self.interpreted_as:
            parts.append(("read as", "code", self.interpreted_as))
        if self.verdict != "correct":
            parts.append(("feedback", "text", self.feedback))
        if self.counterexample:
            parts.append(("counterexample", "table", self.counterexample))
        return parts

    def _repr_markdown_(self) -> str:
        shown = {"math": lambda v: f"$${v}$$", "code": md_code, "text": md_text,
                 "table": lambda v: "\n\n" + counterexample_md(v)}
        return "\n\n".join([f"**{self.verdict}** ({md_text(self.question)})"]
                            + [f"{label}:{'' if kind == 'table' else ' '}{shown[kind](value)}"
                               for label, kind, value in self._parts()])

    def _repr_html_(self) -> str:
        colour = {"correct": "green", "incorrect": "firebrick", "invalid": "darkorange"}.get(self.verdict, "black")
        shown = {"math": lambda v: f"$${html.escape(v)}$$", "code": lambda v: f"<code>{html.escape(v)}</code>",
                 "text": html.escape}
        return "\n".join([f'<p><b style="color:{colour}">{html.escape(self.verdict)}</b> ({html.escape(self.question)})</p>']
                         + [f"<p>{label}:</p>" + _table_html(value) if kind == "table" else
                            f"<p>{label}: {shown[kind](value)}</p>" for label, kind, value in self._parts()])

    def __str__(self) -> str:
        return "\n".join([f"{self.verdict} ({self.question})"]
                         + [f"{label}: {self.interpreted_as if label == 'read as' else value}"
                            for label, kind, value in self._parts() if kind != "table"])

    def __repr__(self) -> str:     # a console shows the grade, not an address
        return str(self)


def grade(qid: str, answer: str, latex: bool = False, bank=None, feedback: str = "full") -> Grade:
    """Grade one answer to question ``qid`` (plain text, or LaTeX with ``latex=True``), its
    feedback at the level ``feedback`` (full, hint or verdict)."""
    if not isinstance(answer, str):
        raise TypeError(f"Expected the answer as a string, e.g. grade({qid!r}, 'g + alpha*w'), "
                        f"but got answer={answer!r}")
    q = question(qid, bank)
    return Grade.of(_grader.grade(q, answer, latex=latex), q, feedback)


class StepReport(_steps.StepReport):
    """check_steps' report, displayed as a table of steps with the first broken one marked."""

    def _repr_markdown_(self) -> str:
        lines = [f"**{md_text(self.question)}**: " + self._summary(),
            "", "| step | read as | verdict | feedback |", "|---|---|---|---|"]
        for s in self.steps:
            lines.append(f"| {s.number} | {md_code(s.interpreted_as or s.text)} | {md_text(s.verdict)} | "
                         f"{md_text(s.feedback)} |")
        broken = next((s for s in self.steps if s.counterexample), None)
        if broken:
            lines += ["", f"counterexample at step {broken.number}:", "", counterexample_md(broken.counterexample)]
        return "\n".join(lines)

    def _summary(self) -> str:
        return ("every step follows and the last line is the key" if self.ok else
                f"step {self.first_broken} does not follow from the one before" if self.first_broken else
                "every step follows, but the last line is not the key")

    def _rows(self):
        return [(s.number, s.interpreted_as or s.text, s.verdict, s.feedback or "") for s in self.steps]

    def __str__(self) -> str:
        from tabulate import tabulate
        return (f"{self.question}: {self._summary()}\n"
                + tabulate(self._rows(), headers=("step", "read as", "verdict", "feedback")))

    def __repr__(self) -> str:     # a console shows the report, not an address
        return str(self)

    def _repr_html_(self) -> str:
        colour = {"equivalent": "green", "not-equivalent": "firebrick", "invalid": "darkorange"}
        rows = "".join(f'<tr><td>{n}</td><td><code>{html.escape(str(read))}</code></td>'
                       f'<td style="color:{colour.get(verdict, "black")}">{html.escape(verdict)}</td>'
                       f"<td>{html.escape(feedback)}</td></tr>" for n, read, verdict, feedback in self._rows())
        broken = next((s for s in self.steps if s.counterexample), None)
        example = (f"<p>counterexample at step {broken.number}:</p>" + _table_html(broken.counterexample)
                   if broken else "")
        return (f"<p><b>{html.escape(self.question)}</b>: {html.escape(self._summary())}</p>"
                "<table><tr><th>step</th><th>read as</th><th>verdict</th><th>feedback</th></tr>"
                f"{rows}</table>{example}")


def check_steps(qid: str, lines, latex: bool = False, bank=None, feedback: str = "full") -> StepReport:
    """Check a derivation line by line; ``lines`` is a list or one string with a step a line.
    The last line's comparison with the key is shown at the level ``feedback``."""
    if isinstance(lines, str):
        lines = lines.splitlines()
    report = _steps.check_steps(question(qid, bank), list(lines), latex=latex)
    view = steps_for_student(report, feedback)
    made = StepReport.__new__(StepReport)
    made.__dict__.update(report.__dict__)
    made.steps = [_steps.Step(**step) for step in view["steps"]]
    made.final = Grade.of(report.final, None, feedback) if report.final is not None else None
    return made


@dataclass
class QuestionView:
    """A question as a student sees it: prompt, symbols (shape, domain), derived symbols."""
    question: Question

    def _rows(self):
        from .grading.expr import to_text
        q = self.question
        rows = [(name, _symbol_latex(q, name), s.shape, s.domain) for name, s in q.symbols.items()]
        rows += [(name, _symbol_latex(q, name), "derived", f"= {to_text(tree)}") for name, tree in q.derived]
        return rows

    def _repr_markdown_(self) -> str:
        q = self.question
        lines = [f"**{md_text(q.id)}**: {md_text(q.prompt)}", "", "| symbol | written | shape | domain |",
                 "|---|---|---|---|"]
        lines += [f"| {md_code(n)} | ${t}$ | {md_text(shape)} | {md_text(domain)} |" for n, t, shape, domain in self._rows()]
        lines += ["", "Answer in plain text (`grade(qid, '...')`) or LaTeX (`grade(qid, r'...', latex=True)`)."]
        return "\n".join(lines)

    def __str__(self) -> str:
        rows = "\n".join(f"  {n}: {shape}, {domain}" for n, _, shape, domain in self._rows())
        return f"{self.question.id}: {self.question.prompt}\n{rows}"

    def __repr__(self) -> str:     # a console shows the question, not an address
        return str(self)

    def _repr_html_(self) -> str:
        q = self.question
        rows = "".join(f"<tr><td><code>{html.escape(n)}</code></td><td>\\({html.escape(t)}\\)</td>"
                       f"<td>{html.escape(str(shape))}</td><td>{html.escape(str(domain))}</td></tr>"
                       for n, t, shape, domain in self._rows())
        return (f"<p><b>{html.escape(q.id)}</b>: {html.escape(q.prompt)}</p><table><tr><th>symbol</th>"
                f"<th>written</th><th>shape</th><th>domain</th></tr>{rows}</table>")


def show(qid: str, bank=None) -> QuestionView:
    """The question's prompt and symbols, rendered in a notebook."""
    return QuestionView(question(qid, bank))
