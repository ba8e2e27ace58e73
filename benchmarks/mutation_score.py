"""Mutation score: how many single-point errors planted in the key does `verify --quick` catch?

    python benchmarks/mutation_score.py [MODULE ...] [--jobs N] [--timeout S] [--sample N] [--seed S]
                                        [--at PAGE[/FILE]:LINE ...]

Each derivation's folder in `derivations/` (its page and its twins; its figures are display) is
parsed, and one change at a time is planted in its closed
forms, numeric twins, symbolic obligations and training functions (samplers, random draws,
tolerances and pass marks, trial counts and captions are left alone): a numeric constant doubled, + ↔ −, * ↔ /, a transpose dropped, a
term of a sum dropped, axis=0 ↔ axis=1, a square made a first power. The mutated module replaces
the real one in a forked process (and the page is loaded again over it, so that it takes the changed
twins), which verifies that one derivation with `--quick`; the mutant
is killed when any claim comes out other than expected (or the check crashes or times out).
Prints the kill rate per module and every survivor with its line, so that each can be judged:
a real blind spot, or an equivalent mutant (one that does not change what the key says).

The judgements are kept in `benchmarks/equivalent_mutants.txt`, one line per equivalent mutant,
``page | a fragment of the changed line | the mutation | why it is equivalent``. A survivor that
matches a line there is reported as equivalent, with its reason; every other survivor is a blind
spot, and the score is the kill rate among the mutants that are not judged equivalent.
"""
from __future__ import annotations

import argparse
import ast
import copy
import os
import signal
import sys
import time
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import dataclass
from pathlib import Path

from tabulate import tabulate

# Keyword arguments whose values are settings of a check, not statements of the key.
SETTINGS = {"trials", "rtol", "floor", "inside", "approach", "method", "name", "statement",
            "regime_text", "corrected_by", "origin", "scope", "parametrisation", "steps",
            "assumptions_used", "budget", "tolerance", "kind"}
# Calls whose arguments are not the key either: where the material is cited.
CITATIONS = {"Source", "Printed", "Premise"}


@dataclass
class Mutant:
    module: str                           # the derivation's folder (a page's name)
    line: int
    description: str
    page: ast.Module | None = None        # the unchanged page; the change is planted on demand
    position: int = -1
    how: object = None
    path: Path | None = None              # the file the change is planted in
    text: str = ""                        # its line, as planted

    @property
    def place(self) -> str:
        """How --at names the file: the page by its folder, another module as folder/file."""
        return self.module if self.path is None or self.path.name == "__init__.py" else f"{self.module}/{self.path.name}"

    @property
    def tree(self) -> ast.Module:
        mutated = copy.deepcopy(self.page)
        Plant(self.position, self.how).visit(mutated)
        return ast.fix_missing_locations(mutated)


EQUIVALENTS = Path(__file__).with_name("equivalent_mutants.txt")


KINDS = ("setting", "wrong-form", "shared-model", "same-value")


@dataclass(frozen=True)
class Judgement:
    module: str
    fragment: str
    description: str
    kind: str
    why: str


def judgements(path: Path = EQUIVALENTS) -> list[Judgement]:
    found = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        fields = [f.strip() for f in line.split(" | ")]
        if len(fields) != 5 or not all(fields) or fields[3] not in KINDS:
            raise SystemExit(f"{path.name}:{number}: expected 'page | fragment | mutation | kind | why', "
                             f"kind one of {', '.join(KINDS)}")
        found.append(Judgement(*fields))
    return found


def judged_equivalent(mutant: "Mutant", known: list[Judgement]) -> Judgement | None:
    """The judgement that a surviving mutant is equivalent, if there is one."""
    text = mutant.text
    for j in known:
        if j.module == mutant.module and j.description == mutant.description and j.fragment in text:
            return j
    return None


def stale_judgements(folder: Path, known: list[Judgement]) -> list[Judgement]:
    """Judgements that match no mutant any more (their line was changed or removed)."""
    pages = {}
    stale = []
    for j in known:
        if j.module not in pages:
            pages[j.module] = derivation_mutants(folder / j.module)
        if not any(judged_equivalent(m, [j]) for m in pages[j.module]):
            stale.append(j)
    return stale


def planted_files(page: Path) -> list[Path]:
    """The files of a derivation's folder that state the key: the page first, then its twins
    (its figures only draw what was verified)."""
    if not page.is_dir():
        return []
    return sorted((f for f in page.glob("*.py") if f.name != "figures.py"), key=lambda f: f.name != "__init__.py")


def derivation_mutants(page: Path) -> list["Mutant"]:
    return [m for path in planted_files(page) for m in mutants(path, page.name)]


def _is_sampler(node) -> bool:
    """A function that draws the test points: named sample…, or taking the generator ``rng``."""
    return isinstance(node, ast.FunctionDef) and (
        node.name.startswith("sample") or (node.args.args and node.args.args[0].arg == "rng"))


def _is_draw(node) -> bool:
    """A random draw such as rng.normal(0, 0.1, shape): an initial point, not the key."""
    return isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) \
        and getattr(node.func.value, "id", None) == "rng"


def _is_text(node) -> bool:
    """A string being put together (a scope, a caption, a symbol's name): not the key."""
    return isinstance(node, ast.JoinedStr) or isinstance(node, ast.BinOp) and any(
        isinstance(side, ast.JoinedStr) or (isinstance(side, ast.Constant) and isinstance(side.value, str))
        for side in (node.left, node.right))


class Sites(ast.NodeVisitor):
    """Every place a single-point change can be planted, as (node path, mutation) pairs."""

    def __init__(self):
        self.found: list[tuple[ast.AST, str, object]] = []
        self.skip = 0

    def generic_visit(self, node):
        if self.skip:
            return super().generic_visit(node)
        if _is_sampler(node) or _is_text(node) or _is_draw(node):
            return None
        if isinstance(node, ast.Compare):   # a pass mark (x < 1e-10) is a tolerance
            for operand in [node.left, *node.comparators]:
                if not isinstance(operand, ast.Constant):
                    self.visit(operand)
            return None
        if isinstance(node, ast.keyword) and (node.arg in SETTINGS or node.arg == "sample"
                                              or node.arg == "outside_sample"):
            return None
        if isinstance(node, ast.Call) and getattr(node.func, "id", None) in CITATIONS:
            return None
        if isinstance(node, ast.Expr) and isinstance(node.value, ast.Constant):
            return None   # docstrings
        self._collect(node)
        return super().generic_visit(node)

    def _collect(self, node):
        if isinstance(node, ast.Constant) and type(node.value) in (int, float) and node.value not in (0, 1):
            self.found.append((node, f"constant {node.value!r} → {node.value * 2!r}", "double"))
        if isinstance(node, ast.BinOp):
            swaps = {ast.Add: ast.Sub, ast.Sub: ast.Add, ast.Mult: ast.Div, ast.Div: ast.Mult}
            if type(node.op) in swaps:
                new = swaps[type(node.op)]
                self.found.append((node, f"{_op(node.op)} → {_op(new())} in {ast.unparse(node)[:50].rstrip()}",
                                   ("swap", new)))
            if isinstance(node.op, (ast.Add, ast.Sub)):
                self.found.append((node, f"drop the term {ast.unparse(node.right)[:40].rstrip()}", "keep-left"))
                self.found.append((node, f"drop the term {ast.unparse(node.left)[:40].rstrip()}", "keep-right"))
            if isinstance(node.op, ast.Pow) and isinstance(node.right, ast.Constant) and node.right.value == 2:
                self.found.append((node, "**2 → **1", "square-to-one"))
        if isinstance(node, ast.Attribute) and node.attr == "T":
            self.found.append((node, f"drop the transpose of {ast.unparse(node.value)[:40]}", "untranspose"))
        if isinstance(node, ast.keyword) and node.arg == "axis" and isinstance(node.value, ast.Constant) \
                and node.value.value in (0, 1):
            self.found.append((node, f"axis={node.value.value} → axis={1 - node.value.value}", "axis"))


def _op(op) -> str:
    return {ast.Add: "+", ast.Sub: "−", ast.Mult: "*", ast.Div: "/"}[type(op)]


class Plant(ast.NodeTransformer):
    """Apply one mutation to the node at a given position of the walk."""

    def __init__(self, target: int, how):
        self.target, self.how, self.index = target, how, -1

    def visit(self, node):
        self.index += 1
        if self.index == self.target:
            return self._mutate(node)
        return super().visit(node)

    def _mutate(self, node):
        how = self.how
        if how == "double":
            return ast.copy_location(ast.Constant(node.value * 2), node)
        if isinstance(how, tuple) and how[0] == "swap":
            return ast.copy_location(ast.BinOp(node.left, how[1](), node.right), node)
        if how == "keep-left":
            return node.left
        if how == "keep-right":
            return node.right if isinstance(node.op, ast.Add) else ast.copy_location(
                ast.UnaryOp(ast.USub(), node.right), node)
        if how == "square-to-one":
            return node.left
        if how == "untranspose":
            return node.value
        if how == "axis":
            return ast.copy_location(ast.keyword(node.arg, ast.Constant(1 - node.value.value)), node)
        raise ValueError(how)


def mutants(path: Path, module: str | None = None) -> list[Mutant]:
    source = path.read_text(encoding="utf-8")
    lines = source.splitlines()
    tree = ast.parse(source)
    sites = Sites()
    sites.visit(tree)
    found = []
    walk_positions = _walk_positions(tree)
    for node, description, how in sites.found:
        line = getattr(node, "lineno", 0) or getattr(node.value, "lineno", 0)
        found.append(Mutant(module or path.stem, line, description, tree, walk_positions[id(node)], how, path,
                            lines[line - 1] if 0 < line <= len(lines) else ""))
    return found


def _walk_positions(tree) -> dict[int, int]:
    """Position of each node in the transformer's pre-order visit (what Plant counts)."""
    positions, counter = {}, [0]

    def visit(node):
        positions[id(node)] = counter[0]
        counter[0] += 1
        for child in ast.iter_child_nodes(node):
            visit(child)
    # NodeTransformer visits fields in order, lists element by element: the same pre-order.
    visit(tree)
    return positions


def run_mutant(mutant: Mutant, timeout: float) -> str:
    """Fork; in the child, replace the page by the mutant and verify its derivation."""
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:   # child
        os.close(read)
        verdict = "killed: crash"
        try:
            verdict = _verify_mutant(mutant)
        except BaseException as error:   # a mutant that cannot even load is caught
            verdict = f"killed: {type(error).__name__}"
        os.write(write, verdict.encode()[:500])
        os._exit(0)
    os.close(write)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        done, _ = os.waitpid(pid, os.WNOHANG)
        if done:
            break
        time.sleep(0.02)
    else:
        os.kill(pid, signal.SIGKILL)
        os.waitpid(pid, 0)
        os.close(read)
        return "killed: timeout"
    with os.fdopen(read, "rb") as handle:
        return handle.read().decode() or "killed: no answer"


def _verify_mutant(mutant: Mutant) -> str:
    from regverify import registry
    from regverify.verifier import verify
    name = f"{registry.LECTURE_PAGES}.{mutant.module}"
    for derivation in [d for d in registry._REGISTRY.values() if d.module == name]:
        del registry._REGISTRY[derivation.id]
    # the changed module, then each module of the folder that may import it, the page last
    # (proofs import nothing of the folder, twins may import proofs, the page imports both)
    order = [part for part in ("proofs", "twins", "__init__") if f"{name}.{part}" in sys.modules or part == "__init__"]
    for part in order[order.index(mutant.path.stem):]:
        module = name if part == "__init__" else f"{name}.{part}"
        _load(module, mutant.tree if part == mutant.path.stem else
              ast.parse(Path(sys.modules[module].__file__).read_text(encoding="utf-8")))
    chosen = [d for d in registry._REGISTRY.values() if d.module == name]
    if not chosen:
        return "killed: registers nothing"
    results = verify(chosen, quick=True, jobs=1)
    bad = [r for r in results if not r.ok]
    return f"killed: {bad[0].claim.name} {bad[0].status}" if bad else "survived"


def _load(name: str, tree: ast.Module) -> None:
    """Execute ``tree`` as the module ``name``, in place of the loaded one."""
    import types
    original = sys.modules[name]
    module = types.ModuleType(name)
    module.__file__ = original.__file__
    module.__package__ = name if hasattr(original, "__path__") else name.rpartition(".")[0]
    if hasattr(original, "__path__"):
        module.__path__ = original.__path__
    sys.modules[name] = module
    exec(compile(tree, original.__file__, "exec"), module.__dict__)


def _rate(killed: int, out_of: int) -> str:
    return f"{100 * killed / out_of:.1f}" if out_of else "n/a"


def main():
    options = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    options.add_argument("modules", nargs="*", help="derivation ids or their folders' names (default: all)")
    options.add_argument("--jobs", type=int, default=os.cpu_count() or 1)
    options.add_argument("--timeout", type=float, default=120.0, help="seconds per mutant")
    options.add_argument("--sample", type=int, default=0,
                         help="verify a uniform random sample of N mutants (0: all of them)")
    options.add_argument("--seed", type=int, default=0, help="seed of the sample")
    options.add_argument("--at", action="append", default=[], metavar="PAGE[/FILE]:LINE",
                         help="only the mutants planted on this line of the page (or of FILE in its folder, "
                              "e.g. denoising/twins.py:40; repeatable; after sampling)")
    args = options.parse_args()

    from threadpoolctl import threadpool_limits
    threadpool_limits(limits=1)
    from regverify import registry
    derivations = registry.all_derivations()      # import everything once, before forking
    folder = Path(sys.modules[registry.LECTURE_PAGES].__path__[0])
    pages = sorted({d.module.rsplit(".", 1)[-1] for d in derivations})
    names = [name.replace("-", "_") for name in args.modules] or pages     # an id or its folder
    unknown = sorted(set(names) - set(pages))
    if unknown:
        raise SystemExit(f"no lecture page {', '.join(unknown)}; the pages are: {', '.join(pages)}")

    plan = [m for name in names for m in derivation_mutants(folder / name)]
    planted = len(plan)
    if args.sample and args.sample < planted:
        import random
        chosen = sorted(random.Random(args.seed).sample(range(planted), args.sample))
        plan = [plan[i] for i in chosen]
    if args.at:
        wanted = {tuple(a.rsplit(":", 1)) for a in args.at}
        plan = [m for m in plan if (m.place, str(m.line)) in wanted]
    print(f"{planted} mutants in {len(names)} lecture pages; verifying {len(plan)}, "
          f"{args.jobs} at a time", file=sys.stderr)

    verdicts: dict[int, str] = {}
    start = time.perf_counter()
    with ThreadPoolExecutor(args.jobs) as pool:    # threads only wait on forked children
        futures = {pool.submit(run_mutant, mutant, args.timeout): i for i, mutant in enumerate(plan)}
        for done, future in enumerate(as_completed(futures)):
            verdicts[futures[future]] = future.result()
            if (done + 1) % 20 == 0:
                print(f"[{done + 1}/{len(plan)}] {time.perf_counter() - start:.0f} s", file=sys.stderr)

    known = judgements()
    why = {i: judged_equivalent(plan[i], known)
           for i, v in verdicts.items() if v == "survived"}
    rows = []
    for name in names + ["all"]:
        mine = [i for i, m in enumerate(plan) if name in ("all", m.module)]
        if not mine:
            continue
        killed = sum(verdicts[i].startswith("killed") for i in mine)
        equivalent = sum(why.get(i) is not None for i in mine)
        wrong_form = sum(why.get(i) is not None and why[i].kind == "wrong-form" for i in mine)
        blind = len(mine) - killed - equivalent
        rows.append([name, len(mine), killed, equivalent - wrong_form, wrong_form, blind,
                     f"{100 * killed / len(mine):.1f}", _rate(killed, len(mine) - equivalent),
                     _rate(killed, len(mine) - equivalent + wrong_form)])
    if args.sample and args.sample < planted:
        print(f"A uniform random sample of {len(plan)} of the {planted} mutants (seed {args.seed}).\n")
    print(tabulate(rows, headers=["lecture page", "mutants", "killed", "equivalent", "wrong form changed",
                                  "blind spots", "raw kill rate %", "kill rate of non-equivalent %",
                                  "counting changed wrong forms as non-equivalent %"], tablefmt="github"))
    kinds = {k: sum(1 for j in why.values() if j and j.kind == k) for k in KINDS}
    print("\nSurvivors judged equivalent, by kind: " + ", ".join(f"{k} {n}" for k, n in kinds.items()))
    listed = [(plan[i].module, plan[i].line, plan[i].description, why[i].kind, why[i].why)
              for i in sorted(why) if why[i]]
    blind = [(plan[i].module, f"{plan[i].path.name}:{plan[i].line}", plan[i].description,
              plan[i].text.strip()[:70]) for i in sorted(why) if not why[i]]
    if listed:
        print("\nSurvivors judged equivalent (benchmarks/equivalent_mutants.txt):")
        print(tabulate(listed, headers=["lecture page", "line", "mutation", "kind", "why"], tablefmt="github"))
    if blind:
        print("\nBlind spots (survivors not judged equivalent):")
        print(tabulate(blind, headers=["lecture page", "line", "mutation", "changed line"], tablefmt="github"))
    print(f"\n{time.perf_counter() - start:.0f} s", file=sys.stderr)


if __name__ == "__main__":
    main()
