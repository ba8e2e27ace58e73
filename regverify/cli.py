"""regverify: verify the course's closed forms, and grade answers against the key.

    regverify list
    regverify verify [ID...] [--json PATH|-] [--seed N] [--quick] [--jobs N]
    regverify report [ID...] [--out DIR] [--seed N] [--check] [--jobs N]
    regverify questions
    regverify show QID [--key] [--json]
    regverify grade QID ANSWER [--latex] [--json] [--feedback full|hint|verdict]
    regverify grade --batch FILE.csv [--out FILE.csv|FILE.json] [--totals FILE.csv] [--assignment FILE.json]
                    [--feedback full|hint|verdict] [--jobs N]
    regverify check-steps QID FILE [--latex] [--json] [--feedback full|hint|verdict]
    regverify bank check [DIR] [--json]                every problem of every question; question tests
    regverify gradescope build ASSIGNMENT.json [--out autograder.zip] [--wheel FILE.whl]
    regverify gradescope run ASSIGNMENT.json          inside the autograder ($GRADESCOPE_ROOT)
    regverify serve [--host H] [--port P] [--bank DIR] [--feedback hint|full|verdict] [--workers N] [--log FILE]
                    [--reports|--no-reports]

Exit codes: verify 0 every claim as expected, 1 not; bank check 0 no problem, 1 some; report --check 0 fresh, 1 a file differs;
grade and check-steps 0 correct,
1 incorrect, 3 invalid answer; grade --batch 0 when every row was graded (each row's verdict
is in the output, invalid ones included); 2 is a usage error everywhere (for a batch: an
unreadable or malformed file, an unknown format, an output path that cannot be written or
would overwrite the input), and a batch refuses before grading anything.
"""
from __future__ import annotations

import argparse
import json
import os
import sys
import time

from . import __version__
from .numerics.evidence import json_ready

# Each command imports what it uses, so that --help, show and grade never load SymPy or autograd.

EXIT_OK, EXIT_NOT_AS_EXPECTED, EXIT_USAGE, EXIT_INVALID = 0, 1, 2, 3
EXIT_BROKEN_PIPE = 128 + 13    # as a shell reports a process ended by SIGPIPE
VERDICT_EXIT = {"correct": EXIT_OK, "incorrect": EXIT_NOT_AS_EXPECTED, "invalid": EXIT_INVALID}


class UsageError(Exception):
    pass


def _count(n: int, one: str, many: str) -> str:
    return f"{n} {one if n == 1 else many}"


def write_json(document, path: str) -> None:
    from .grading.batch import atomic_write
    text = json.dumps(json_ready(document), indent=2, ensure_ascii=False, allow_nan=False) + "\n"
    if path == "-":
        sys.stdout.write(text)
    else:
        atomic_write(path, text)


def select(ids: list[str]) -> list:
    from .registry import all_derivations   # SymPy and autograd load only for the key's commands
    known = {d.id: d for d in all_derivations()}
    unknown = [i for i in ids if i not in known]
    if unknown:
        raise UsageError(f"unknown derivation id(s): {', '.join(unknown)}. "
                         f"Valid ids: {', '.join(known)}. See 'regverify list'.")
    return [known[i] for i in ids] if ids else list(known.values())


def command_list(args) -> int:
    from tabulate import tabulate
    from .claims import Expect
    rows = [(d.id, d.title, "; ".join(map(str, d.sources)),
             f"{len(d.claims)} ({_count(sum(c.expect is Expect.ERRATUM for c in d.claims), 'erratum', 'errata')}, "
             f"{_count(sum(c.expect is Expect.PITFALL for c in d.claims), 'pitfall', 'pitfalls')})")
            for d in select([])]
    print(tabulate(rows, headers=["id", "title", "sources", "claims"], tablefmt="github"))
    return EXIT_OK


def _numeric_cell(evidence) -> str:
    detail = evidence.detail
    if "max_rel_error" in detail:
        return f"{evidence.verdict.value} ({detail['max_rel_error']:.1e})"
    return evidence.verdict.value


def explain(result) -> str:
    """Which check made a claim come out other than expected, in one line."""
    parts = [result.problem] if result.problem else []
    parts.append(f"symbolic {result.symbolic.verdict.value} ({result.symbolic.how})")
    for name, evidence in (("numeric", result.numeric), ("training", result.training)):
        detail = {k: v for k, v in evidence.detail.items() if k not in ("traceback", "counterexample")}
        parts.append(f"{name} {evidence.verdict.value} {detail}" if detail else f"{name} {evidence.verdict.value}")
    return "; ".join(parts)


def _progress(i, total, label):
    print(f"[{i + 1}/{total}] {label}", file=sys.stderr, flush=True)


def check_output_path(path: str | None) -> None:
    """Refuse an output file that could not be written, before any work is done."""
    if path in (None, "-"):
        return
    folder = os.path.dirname(os.path.abspath(path))
    if not os.path.isdir(folder):
        raise UsageError(f"cannot write {path}: the folder {folder} does not exist")
    if not os.access(folder, os.W_OK):
        raise UsageError(f"cannot write {path}: the folder {folder} is not writable")
    if os.path.isdir(path):
        raise UsageError(f"cannot write {path}: it is a folder")


def command_verify(args) -> int:
    from tabulate import tabulate
    from .claims import Expect
    from .verifier import verify
    check_output_path(args.json)
    chosen = select(args.ids)
    jobs = args.jobs or os.cpu_count() or 1
    print(f"regverify verify: seed {args.seed}{', quick' if args.quick else ''}; "
          f"{sum(len(d.claims) for d in chosen)} claims in {len(chosen)} derivations; "
          f"{jobs} job{'s' if jobs > 1 else ''}", file=sys.stderr)
    started = time.perf_counter()
    results = verify(chosen, seed=args.seed, quick=args.quick, jobs=jobs, progress=_progress)
    wall = time.perf_counter() - started
    rows = [(r.derivation, r.claim.name, r.claim.kind, r.symbolic.verdict.value,
             _numeric_cell(r.numeric), r.training.verdict.value,
             r.status + (f" ({r.claim.expect.value})" if r.claim.expect.wrong else ""),
             "" if r.ok else "NOT AS EXPECTED") for r in results]
    table = tabulate(rows, headers=["derivation", "claim", "kind", "symbolic", "numeric",
                                    "training", "status", ""], tablefmt="github")
    print(table, file=sys.stderr if args.json == "-" else sys.stdout)
    bad = [r for r in results if not r.ok]
    summary = (f"{len(results)} claims: {sum(r.status == 'verified' for r in results)} verified, "
               f"{_count(sum(r.ok and r.claim.expect is Expect.ERRATUM for r in results), 'erratum', 'errata')} and "
               f"{_count(sum(r.ok and r.claim.expect is Expect.PITFALL for r in results), 'pitfall', 'pitfalls')} refuted, "
               f"{len(bad)} not as expected; {wall:.1f} s wall time "
               f"({sum(r.seconds for r in results):.1f} s of claim time in {jobs} job{'s' if jobs > 1 else ''})")
    print(summary, file=sys.stderr)
    for r in bad:
        print(f"  {r.derivation}/{r.claim.name}: {r.status}; {explain(r)}", file=sys.stderr)
    if args.json:
        write_json({"seed": args.seed, "quick": args.quick,
                    "results": [r.as_dict() for r in results]}, args.json)
    return EXIT_OK if not bad else EXIT_NOT_AS_EXPECTED


def command_report(args) -> int:
    from . import report   # matplotlib loads here only, so that --help stays fast
    out = os.path.abspath(args.out)
    if os.path.exists(out) and not os.path.isdir(out):
        raise UsageError(f"cannot write reports to {args.out}: it is a file")
    if not os.path.isdir(os.path.dirname(out)):
        raise UsageError(f"cannot write reports to {args.out}: the folder {os.path.dirname(out)} "
                         f"does not exist")
    catalog = select([])
    chosen = select(args.ids)
    full = not args.ids
    jobs = args.jobs or os.cpu_count() or 1
    print(f"regverify report: seed {args.seed}; {len(chosen)} derivation(s)"
          f"{'' if full else ' (the index is written only when every derivation is reported)'}; "
          f"{jobs} job{'s' if jobs > 1 else ''}", file=sys.stderr)
    rendered = report.generate(chosen, out, seed=args.seed, jobs=jobs, catalog=catalog, index=full,
                               progress=_progress)
    for problem in rendered.problems:
        print(f"regverify report: {problem}", file=sys.stderr)
    if args.check:
        differences = report.compare(rendered, out, full)
        for difference in differences:
            print(f"stale: {difference}", file=sys.stderr)
        kinds = {kind: sum(f": {kind}" in d for d in differences) for kind in ("differs", "missing", "not generated")}
        one = {kind: n == 1 for kind, n in kinds.items()}
        print(f"regverify report --check: of the {len(rendered.files)} file(s) generated, {kinds['differs']} "
              f"differ{'s' * one['differs']} and {kinds['missing']} {'is' if one['missing'] else 'are'} "
              f"missing; {kinds['not generated']} committed file{'' if one['not generated'] else 's'} "
              f"{'is' if one['not generated'] else 'are'} not generated any more"
              + ("; regenerate with: regverify report" + "".join(f" {i}" for i in args.ids)
                 + f" --seed {args.seed}" + (f" --out {args.out}" if args.out != "reports" else "")
                 if differences else ""), file=sys.stderr)
        return EXIT_NOT_AS_EXPECTED if differences or rendered.problems else EXIT_OK
    changed = report.write(rendered, out, prune_figures=full)
    print(f"regverify report: {len(rendered.files)} file(s) in {args.out}, {len(changed)} changed",
          file=sys.stderr)
    return EXIT_NOT_AS_EXPECTED if rendered.problems else EXIT_OK


def _unreadable(error, args) -> UsageError:
    return UsageError(f"the question bank cannot be read: {error} ('regverify bank check "
                      f"{args.bank or ''}' lists every problem of every question at once)")


def _bank(args):
    from .grading.bank import BankError, load_bank
    try:
        return load_bank(args.bank)
    except BankError as error:
        raise _unreadable(error, args) from None


def _question(args):
    """The one question asked for: only it is parsed and tried (the others are only read)."""
    from .grading.bank import BankError, UnknownQuestion, load_question
    try:
        return load_question(args.qid, args.bank)
    except UnknownQuestion as unknown:
        if not unknown.ids:
            raise UsageError(f"unknown question id {args.qid!r}: the bank holds no questions") from None
        shown = ", ".join(unknown.ids[:30]) + (f", … ({len(unknown.ids)} in all)" if len(unknown.ids) > 30 else "")
        raise UsageError(f"unknown question id {args.qid!r}. Valid ids: {shown}. "
                         "See 'regverify questions'.") from None
    except BankError as error:
        raise _unreadable(error, args) from None


def command_questions(args) -> int:
    from tabulate import tabulate
    rows = [(q.id, q.derivation or "", q.prompt) for q in _bank(args).values()]
    print(tabulate(rows, headers=["id", "derivation", "prompt"], tablefmt="github"))
    return EXIT_OK


def command_show(args) -> int:
    from tabulate import tabulate
    from .grading.expr import to_text
    from .grading.grader import SYNTAX_HELP
    q = _question(args)
    symbols = {name: {"shape": s.shape, "domain": s.domain} for name, s in q.symbols.items()}
    derived = {name: to_text(tree) for name, tree in q.derived}
    latex = {name: [" ".join(sp) for sp in spellings][:4] for name, spellings in q.latex_spellings().items()}
    if args.json:
        write_json({"id": q.id, "prompt": q.prompt, "derivation": q.derivation, "symbols": symbols,
                    "derived": derived, "latex_spellings": latex, "syntax": SYNTAX_HELP,
                    "key": q.key if args.key else None}, "-")
        return EXIT_OK
    print(f"{q.id}: {q.prompt}\n")
    print(tabulate([(n, s["shape"], s["domain"]) for n, s in symbols.items()]
                   + [(n, "derived", f"= {t}") for n, t in derived.items()],
                   headers=["symbol", "shape", "domain"], tablefmt="github"))
    print(f"\n{SYNTAX_HELP}")
    if args.key:
        print(f"\nkey: {q.key}")
    return EXIT_OK


def _level(args, default: str = "full"):
    """The --feedback level (None when not given and no default applies)."""
    from .grading.feedback import Level
    value = getattr(args, "feedback", None) or default
    return None if value is None else Level.parse(value)


def command_grade(args) -> int:
    from .grading.grader import grade_safely
    if args.batch:
        if args.qid or args.answer:
            raise UsageError("give either QID ANSWER or --batch FILE.csv, not both")
        return command_grade_batch(args)
    if args.qid is None or args.answer is None:
        raise UsageError("grade needs QID and ANSWER (put -- before an answer that starts with -), "
                         "or --batch FILE.csv")
    from .grading.feedback import for_student, render_text
    result = grade_safely(_question(args), args.answer, latex=args.latex)
    view = for_student(result, _level(args))
    if args.json:
        write_json(view, "-")
    else:
        print(render_text(view))
    return VERDICT_EXIT[result.verdict]


class Progress:
    """A line on stderr at most once a second while a batch is graded, and one at its end."""
    def __init__(self, interval: float = 1.0):
        self.interval, self.start = interval, time.perf_counter()
        self.last = self.start

    def __call__(self, done: int, total: int, what: str = "answers") -> None:
        now = time.perf_counter()
        if now - self.last >= self.interval or done == total:
            self.last = now
            rate = done / max(now - self.start, 1e-9)
            print(f"graded {done}/{total} {what} ({rate:.0f}/s)", file=sys.stderr, flush=True)


def _same_file(a: str, b: str) -> bool:
    try:
        return os.path.samefile(a, b)
    except OSError:
        return os.path.realpath(a) == os.path.realpath(b)


def check_batch_paths(args) -> None:
    """Every output path is writable, distinct from the others and not the input: checked before
    any grading, so that a mistyped path never costs a class's grading or its answers."""
    outputs = [(flag, path) for flag, path in (("--out", args.out), ("--totals", args.totals)) if path]
    for flag, path in outputs:
        check_output_path(path)
        if os.path.exists(path) and not os.access(path, os.W_OK):
            raise UsageError(f"cannot write {path} ({flag}): the file is read-only")
        if _same_file(path, args.batch):
            raise UsageError(f"{flag} {path} is the input file: writing it would replace the students' "
                             "answers with the results; choose another path")
    if len(outputs) == 2 and _same_file(outputs[0][1], outputs[1][1]):
        raise UsageError(f"--out and --totals are the same file ({args.out}); give two paths")


def command_grade_batch(args) -> int:
    from .grading.batch import BatchError, atomic_write, grade_rows, read_rows, render
    check_batch_paths(args)
    assignment = _assignment(args.assignment) if args.assignment else None
    bank = _assignment_bank(assignment, args) if assignment else _bank(args)
    try:
        rows = read_rows(args.batch)
    except BatchError as error:
        raise UsageError(str(error)) from None
    if assignment:
        from .grading.totals import apply_default_formats
        rows = apply_default_formats(rows, assignment)
    levels = _batch_levels(args, assignment)
    credit = {item.id: assignment.credit_by_diagnosis(item.id) for item in assignment.questions} if assignment else None
    jobs = args.jobs or os.cpu_count() or 1
    points = {item.id: item.points for item in assignment.questions} if assignment else None
    results = json_ready(grade_rows(bank, rows, Progress(), levels=levels, credit=credit, jobs=jobs, points=points))
    if args.out:
        atomic_write(args.out, render(results, args.out))
    else:
        sys.stdout.write(render(results, "-.csv"))
    if args.totals:
        from .grading.totals import render_totals, totals
        table, columns, warnings = totals(results, bank, assignment)
        atomic_write(args.totals, render_totals(table, columns))
        for warning in warnings:
            print(f"regverify: totals: {warning}", file=sys.stderr)
    counts = {v: sum(r["verdict"] == v for r in results) for v in ("correct", "incorrect", "invalid")}
    internal = sum(r["feedback"].startswith("internal error") for r in results)
    print(f"{len(results)} answers: {counts['correct']} correct, {counts['incorrect']} incorrect, "
          f"{counts['invalid']} invalid" + (f" ({internal} by an internal error, reported above)" if internal else ""),
          file=sys.stderr)
    return EXIT_OK


def _batch_levels(args, assignment):
    """question id → feedback level: --feedback for every question, else the assignment's
    per-question and assignment-wide levels (hint when it sets none, as the autograder shows an
    assignment's results to students), else full (without an assignment the output is the
    instructor's)."""
    from collections import defaultdict
    given = _level(args, default=None)
    if given is not None or assignment is None:
        return defaultdict(lambda: given or _level(args))
    return defaultdict(lambda: assignment.feedback_level(None, "hint"),
                       {item.id: assignment.feedback_level(item.id, "hint") for item in assignment.questions})


def _assignment(path):
    from .grading.assignment import AssignmentError, load_assignment
    try:
        return load_assignment(path)
    except AssignmentError as error:
        raise UsageError(str(error)) from None


def _assignment_bank(assignment, args):
    from .grading.assignment import AssignmentError, load_bank_for
    if args.bank:
        raise UsageError("give the bank in the assignment file, not with --bank, when --assignment is used")
    try:
        return load_bank_for(assignment)
    except AssignmentError as error:
        raise UsageError(str(error)) from None


def command_gradescope(args) -> int:
    from .grading import gradescope
    if args.action == "run":
        status, path = gradescope.run(args.assignment, args.root)
        print(f"regverify: wrote {path}", file=sys.stderr)
        return status
    check_output_path(args.out)
    try:
        built = gradescope.build(args.assignment, args.out, args.wheel)
    except (gradescope.AssignmentError, gradescope.BuildError) as error:
        raise UsageError(str(error)) from None
    print(f"wrote {built.path}: {', '.join(built.members)}")
    print("Upload it in Gradescope: the assignment's Configure Autograder page, 'Zip file upload'.")
    return EXIT_OK


def _clip(text: str, limit: int = 200) -> str:
    """A line as the table echoes it: an unreadable megabyte is not worth printing whole."""
    return text if len(text) <= limit else f"{text[:limit]}… ({len(text)} characters)"


def command_check_steps(args) -> int:
    from tabulate import tabulate
    from .grading.expr import InvalidAnswer
    from .grading.feedback import format_counterexample, steps_for_student
    from .grading.steps import check_steps
    question = _question(args)
    try:
        with open(args.file, "rb") as handle:
            data = handle.read(1 << 20)
    except OSError as error:
        raise UsageError(f"cannot read {args.file}: {error.strerror}") from None
    try:
        lines = data.decode("utf-8-sig").splitlines()
    except UnicodeDecodeError as error:
        raise UsageError(f"cannot read {args.file}: it is not UTF-8 text (byte {data[error.start]:#04x} "
                         f"at offset {error.start}); save it as UTF-8") from None
    try:
        report = check_steps(question, lines, latex=args.latex)
    except InvalidAnswer as error:
        print(f"invalid: {error}", file=sys.stderr)
        return EXIT_INVALID
    view = steps_for_student(report, _level(args))
    if args.json:
        write_json(view, "-")
    else:
        print(tabulate([(s["number"], _clip(s["interpreted_as"] or s["text"]), s["verdict"], s["feedback"])
                        for s in view["steps"]],
                       headers=["step", "read as", "verdict", "feedback"], tablefmt="github"))
        broken = next((s for s in view["steps"] if s["verdict"] in ("not-equivalent", "invalid")), None)
        if broken:
            print(f"\nfirst broken step: {broken['number']}")
            if broken["counterexample"]:
                print(format_counterexample(broken["counterexample"]))
        final = view["final"]
        if final is not None:
            print(f"last line equals the key: {'yes' if final['verdict'] == 'correct' else 'no'}"
                  + ("" if final["verdict"] == "correct" else f" ({final['feedback']})"))
    if any(s.verdict == "invalid" for s in report.steps):
        return EXIT_INVALID
    return EXIT_OK if report.ok else EXIT_NOT_AS_EXPECTED


def command_serve(args) -> int:
    from .web.server import ServeError, serve
    try:
        return serve(args.host, args.port, args.bank, args.feedback or "hint", args.workers, args.log,
                     show_reports=args.reports)
    except ServeError as error:
        raise UsageError(str(error)) from None


def command_bank(args) -> int:
    """bank check: every problem of every question, and the questions' tests, at once."""
    from tabulate import tabulate
    from .grading.bank import load_bank
    from .grading.bank_check import check_bank
    problems = check_bank(args.dir)
    if args.json:
        write_json([vars(p) for p in problems], "-")
    elif problems:
        print(tabulate([(p.source, p.question, p.field, p.message) for p in problems],
                       headers=["file", "question", "field", "problem and fix"], tablefmt="github"))
    else:
        bank = load_bank(args.dir)
        tests = sum(len(q.tests) for q in bank.values())
        print(f"{len(bank)} questions: every key, known mistake and listed test ({tests}) grades as expected")
    if problems:
        print(f"{len(problems)} problem(s)", file=sys.stderr)
    return EXIT_NOT_AS_EXPECTED if problems else EXIT_OK


def whole_number_at_least(least: int):
    def parse(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            value = least - 1
        if value < least:
            raise argparse.ArgumentTypeError(f"expected a whole number ≥ {least} but got {text!r}")
        return value
    return parse


positive_int, nonnegative_int = whole_number_at_least(1), whole_number_at_least(0)


def feedback_option(p, default: str) -> None:
    p.add_argument("--feedback", choices=["full", "hint", "verdict"], metavar="full|hint|verdict",
                   help="what a student is shown: full explains the mistake with the key, hint names the "
                        "kind of mistake and where (never the key), verdict only (default: " + default + ")")


def port_number(text: str) -> int:
    value = nonnegative_int(text)
    if value > 65535:
        raise argparse.ArgumentTypeError(f"expected a port from 0 to 65535 but got {text!r}")
    return value


def parser() -> tuple[argparse.ArgumentParser, dict]:
    top = argparse.ArgumentParser(prog="regverify", description=__doc__.split("\n")[0])
    top.add_argument("--version", action="version", version=f"regverify {__version__}")
    sub = top.add_subparsers(dest="command", required=True)
    sub.add_parser("list", help="derivations: id, title, sources, claims").set_defaults(run=command_list)
    def verifying(p, ids_help, jobs_help):      # what verify and report share: ids, seed, jobs
        p.add_argument("ids", nargs="*", metavar="ID", help=ids_help)
        p.add_argument("--seed", type=nonnegative_int, default=0, help="seed for every random draw (default 0)")
        p.add_argument("--jobs", type=positive_int, default=None, metavar="N", help=jobs_help)
        return p

    v = verifying(sub.add_parser("verify", help="prove and check every claim (symbolic, numeric, training)"),
                  "derivation ids (default: all)", "worker processes (default: the number of cores)")
    v.add_argument("--json", metavar="PATH|-", help="also write the results as JSON ('-' for stdout)")
    v.add_argument("--quick", action="store_true", help="shorter training runs; every symbolic "
                                                         "and gradient check still runs")
    v.set_defaults(run=command_verify)
    r = verifying(sub.add_parser("report", help="write one Markdown report per derivation, its figures and "
                                                "an index (README.md)"),
                  "derivation ids (default: all, and the index)",
                  "worker processes for the verification (default: the number of cores)")
    r.add_argument("--out", metavar="DIR", default="reports", help="output folder (default: reports)")
    r.add_argument("--check", action="store_true", help="regenerate into a temporary folder and "
                                                        "exit 1 naming each file of DIR that differs")
    r.set_defaults(run=command_report)

    def with_bank(p):
        p.add_argument("--bank", metavar="DIR", help="a question bank directory of *.json files "
                                                     "(default: the bundled bank)")
        return p

    with_bank(sub.add_parser("questions", help="question ids and prompts")).set_defaults(run=command_questions)
    s = with_bank(sub.add_parser("show", help="a question's prompt, symbols and syntax"))
    s.add_argument("qid", metavar="QID")
    s.add_argument("--key", action="store_true", help="also show the key")
    s.add_argument("--json", action="store_true", help="print JSON")
    s.set_defaults(run=command_show)
    g = with_bank(sub.add_parser("grade", help="grade one answer, or a CSV of answers with --batch"))
    g.add_argument("qid", metavar="QID", nargs="?")
    g.add_argument("answer", metavar="ANSWER", nargs="?", help="put -- before an answer that starts with -")
    g.add_argument("--latex", action="store_true", help="the answer is LaTeX (math semantics)")
    g.add_argument("--json", action="store_true", help="print JSON")
    g.add_argument("--batch", metavar="FILE.csv", help="columns student,question,answer[,format]")
    g.add_argument("--out", metavar="FILE.csv|FILE.json", help="batch results (default: CSV on stdout)")
    g.add_argument("--totals", metavar="FILE.csv", help="also write one row per student: a score per "
                                                       "question, total, max (for an LMS grade import)")
    g.add_argument("--assignment", metavar="FILE.json", help="the questions' points, default formats and "
                                                            "bank (see docs/gradescope.md)")
    feedback_option(g, "full; for --batch with --assignment: the assignment's, hint if it sets none")
    g.add_argument("--jobs", type=positive_int, default=None, metavar="N",
                   help="--batch: worker processes (default: the number of cores)")
    g.set_defaults(run=command_grade)
    c = with_bank(sub.add_parser("check-steps", help="check a derivation line by line"))
    c.add_argument("qid", metavar="QID")
    c.add_argument("file", metavar="FILE", help="one expression per line")
    c.add_argument("--latex", action="store_true", help="the lines are LaTeX")
    c.add_argument("--json", action="store_true", help="print JSON")
    feedback_option(c, "full")
    c.set_defaults(run=command_check_steps)
    b = sub.add_parser("bank", help="check a question bank: every problem of every question, and its tests")
    b.add_argument("action", choices=["check"], help="check: report every problem at once (exit 1 if any)")
    b.add_argument("dir", metavar="DIR", nargs="?", help="the bank folder (default: the bundled bank)")
    b.add_argument("--json", action="store_true", help="print JSON")
    b.set_defaults(run=command_bank)
    a = sub.add_parser("gradescope", help="build a Gradescope autograder zip, or run it on one submission")
    a.add_argument("action", choices=["build", "run"], help="build: the zip to upload; run: what "
                                                            "run_autograder calls inside Gradescope")
    a.add_argument("assignment", metavar="ASSIGNMENT.json", help="the assignment file (docs/gradescope.md)")
    a.add_argument("--out", metavar="FILE.zip", default="autograder.zip", help="build: the zip (default "
                                                                              "autograder.zip)")
    a.add_argument("--wheel", metavar="FILE.whl", help="build: bundle this regverify wheel instead of "
                                                       "building one from the source tree")
    a.add_argument("--root", metavar="DIR", help="run: the autograder folder (default $GRADESCOPE_ROOT, "
                                                 "else /autograder)")
    a.set_defaults(run=command_gradescope)
    w = with_bank(sub.add_parser("serve", help="the practice page: questions, a rendered preview, grading "
                                                "and step checks in a browser"))
    w.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1: this "
                                                       "machine only; put a reverse proxy in front for a class)")
    w.add_argument("--port", type=port_number, default=8000, help="port (default 8000; 0 picks a free one)")
    feedback_option(w, "hint")
    w.add_argument("--workers", type=positive_int, default=None, metavar="N",
                   help="grading worker processes (default: the number of cores, at least 2)")
    w.add_argument("--log", metavar="FILE", help="append every graded answer to FILE as a JSON line "
                                                 "(default: no answer is stored)")
    shown = w.add_mutually_exclusive_group()
    shown.add_argument("--reports", dest="reports", action="store_true", default=None,
                       help="serve the reports (the default only at --feedback full: they derive the closed "
                            "forms the questions ask for)")
    shown.add_argument("--no-reports", dest="reports", action="store_false", help="serve no reports")
    w.set_defaults(run=command_serve)
    return top, sub.choices


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else list(argv)
    top, commands = parser()
    if argv and argv[0] == "grade":   # an answer may start with a minus: -g is an answer, not an option
        args, rest = commands["grade"].parse_known_intermixed_args(argv[1:])
        if rest and len(rest) == 1 and args.answer is None and args.qid is not None and not rest[0].startswith("--"):
            args.answer = rest[0]
        elif rest and "--" in argv[1:]:    # everything after -- is the answer, options included
            commands["grade"].error(f"unrecognized arguments: {' '.join(rest)}; options go before --, as in: "
                                    f"regverify grade QID --feedback hint -- '-g'")
        elif rest:
            commands["grade"].error(f"unrecognized arguments: {' '.join(rest)} (an answer that starts with "
                                    f"- can also follow --, as in: regverify grade QID -- '-g')")
    elif argv and argv[0] in commands:   # options may stand between QID and ANSWER
        args = commands[argv[0]].parse_intermixed_args(argv[1:])
    else:
        args = top.parse_args(argv)
    try:
        return args.run(args)
    except UsageError as error:
        print(f"regverify: {error}", file=sys.stderr)
        return EXIT_USAGE
    except KeyboardInterrupt:
        print("regverify: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:   # the reader (head, less) went away: stop quietly, but never "correct"
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return EXIT_BROKEN_PIPE


if __name__ == "__main__":
    sys.exit(main())
