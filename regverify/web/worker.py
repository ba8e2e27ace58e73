"""One grading worker process: a JSON request per line on stdin, a JSON reply per line on stdout.

    python -m regverify.web.worker [--bank DIR] [--feedback hint|full|verdict]

The server starts a few of these (pool.py) and sends each one request at a time. A request is
``{"op": "preview"|"grade"|"steps", "question": ID, "format": "text"|"latex", "answer": TEXT}``
(``"lines": [TEXT, ...]`` for steps), already checked by the server. What a reply shows the
student has passed through ``for_student`` at the server's feedback level, here, so that at
``hint`` the key never leaves this process. Only the grader is imported (no SymPy, no autograd),
and the address space is capped so that no answer can take the machine's memory.
"""
from __future__ import annotations

import argparse
import json
import os
import sys
import traceback

from regverify.numerics.evidence import json_ready
from regverify.grading.bank import Question, load_bank
from regverify.grading.expr import Evaluator, InvalidAnswer, Node, to_text
from regverify.grading.feedback import Level, for_student, steps_for_student
from regverify.grading.grader import grade_safely, read_answer, read_answer_with_notes
from regverify.grading.plaintext import AS_LATEX
from regverify.grading.steps import check_steps
from regverify.grading.trials import trial_set
from regverify.notebook import to_latex

MEMORY_LIMIT = 2 << 30      # bytes of address space per worker


def mathml(tree: Node, question: Question) -> str | None:
    """The tree typeset as MathML (through the notebook's LaTeX), or None if it cannot be."""
    from latex2mathml.converter import convert
    try:
        return convert(to_latex(tree, question))
    except Exception:    # typesetting is presentation: a failure shows the plain reading instead
        traceback.print_exc(file=sys.stderr)
        return None


def _reading(question: Question, tree: Node, latex: bool) -> tuple[str, str | None]:
    """The grader's echo of the tree, and why it cannot be evaluated (None if it can), on the
    question's first trial: LaTeX's reading needs the shapes to spell products in NumPy terms."""
    trial = trial_set(question).fixed[0]
    evaluator = Evaluator(trial.env_for(latex), trial.size_names, columns=latex)
    try:
        evaluator(tree)
    except InvalidAnswer as error:
        return to_text(tree), f"it cannot be evaluated: {error}"
    return to_text(tree, evaluator.shapes if latex else None), None


class Worker:
    def __init__(self, bank: dict[str, Question], level: Level | str):
        self.bank, self.level = bank, Level.parse(level)

    def handle(self, request: dict) -> dict:
        question = self.bank[request["question"]]
        latex = request.get("format") == "latex"
        return getattr(self, f"op_{request['op']}")(question, request, latex)

    def op_preview(self, question: Question, request: dict, latex: bool) -> dict:
        """How the answer is read, before it is graded (the student's own text only)."""
        try:
            tree, notes = read_answer_with_notes(question, request["answer"], latex)
        except InvalidAnswer as error:
            return {"readable": False, "message": str(error)}
        reading, problem = _reading(question, tree, latex)
        return {"readable": True, "read_as": reading, "notes": notes, "mathml": mathml(tree, question),
                "message": problem}

    def op_grade(self, question: Question, request: dict, latex: bool) -> dict:
        result = grade_safely(question, request["answer"], latex)
        view = for_student(result, self.level)
        view["read_as"] = view.pop("interpreted_as")
        view["read_as_mathml"] = self._mathml_of(question, request["answer"], latex) if view["read_as"] else None
        return view

    def op_steps(self, question: Question, request: dict, latex: bool) -> dict:
        try:
            report = check_steps(question, request["lines"], latex)
        except InvalidAnswer as error:
            return {"question": question.id, "invalid": str(error), "steps": [], "final": None,
                    "feedback_level": self.level.value}
        view = steps_for_student(report, self.level)
        for step in view["steps"]:
            step["read_as"] = step.pop("interpreted_as")
            step["read_as_mathml"] = self._mathml_of(question, step["text"], latex) if step["read_as"] else None
        if view["final"] is not None:
            view["final"]["read_as"] = view["final"].pop("interpreted_as")
        return view

    def _mathml_of(self, question: Question, text: str, latex: bool) -> str | None:
        try:
            return mathml(read_answer(question, text, latex), question)
        except InvalidAnswer:
            return None


def limit_memory(limit: int = MEMORY_LIMIT) -> None:
    try:
        import resource
    except ImportError:      # not on this platform: the grader's own size bounds remain
        return
    soft, hard = resource.getrlimit(resource.RLIMIT_AS)
    if hard == resource.RLIM_INFINITY or hard > limit:
        resource.setrlimit(resource.RLIMIT_AS, (limit, hard))


# The grader's messages speak of the command line; on the page the choice is beside the answer box.
ON_THE_PAGE = (json.dumps(AS_LATEX)[1:-1], "(choose LaTeX beside the answer box)")


def serve_forever(worker: Worker, requests, replies) -> None:
    """One reply line per request line, in order, until the requests end."""
    for line in requests:
        try:
            reply = {"ok": True, "result": worker.handle(json.loads(line))}
        except Exception:   # a bug, reported on stderr; the server answers with an internal error
            traceback.print_exc(file=sys.stderr)
            reply = {"ok": False}
        replies.write(json.dumps(json_ready(reply), allow_nan=False).replace(*ON_THE_PAGE) + "\n")
        replies.flush()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m regverify.web.worker")
    parser.add_argument("--bank", metavar="DIR")
    parser.add_argument("--feedback", default="hint", choices=[level.value for level in Level])
    args = parser.parse_args(argv)
    # The protocol owns the real stdout; anything else printed (a traceback) goes to stderr.
    replies = os.fdopen(os.dup(sys.stdout.fileno()), "w", encoding="utf-8")
    os.dup2(sys.stderr.fileno(), sys.stdout.fileno())
    limit_memory()
    worker = Worker(load_bank(args.bank), args.feedback)
    replies.write(json.dumps({"ready": True}) + "\n")
    replies.flush()
    try:
        serve_forever(worker, sys.stdin, replies)
    except KeyboardInterrupt:
        pass
    return 0


if __name__ == "__main__":
    sys.exit(main())
