"""regverify: verify the course's closed forms and print the evidence.

    regverify list
    regverify verify [ID...] [--json PATH|-] [--seed N] [--quick]

Exit codes: 0 every claim as expected, 1 some claim not as expected, 2 usage error.
"""
from __future__ import annotations

import argparse
import json
import math
import os
import sys
import tempfile

from tabulate import tabulate

import derivations
from derivations.verifier import verify

EXIT_OK, EXIT_NOT_AS_EXPECTED, EXIT_USAGE = 0, 1, 2


class UsageError(Exception):
    pass


def _plain(value):
    """JSON-safe: numpy scalars and arrays to Python, non-finite floats to strings."""
    if hasattr(value, "tolist"):
        value = value.tolist()
    if isinstance(value, float) and not math.isfinite(value):
        return str(value)
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    return value


def write_json(document: dict, path: str) -> None:
    text = json.dumps(_plain(document), indent=2, ensure_ascii=False, allow_nan=False)
    if path == "-":
        sys.stdout.write(text + "\n")
        return
    directory = os.path.dirname(os.path.abspath(path))
    with tempfile.NamedTemporaryFile("w", dir=directory, delete=False, suffix=".tmp",
                                     encoding="utf-8") as handle:
        handle.write(text + "\n")
    os.replace(handle.name, path)   # atomic: a reader never sees half a file


def select(ids: list[str]) -> list:
    known = {d.id: d for d in derivations.all_derivations()}
    unknown = [i for i in ids if i not in known]
    if unknown:
        raise UsageError(f"unknown derivation id(s): {', '.join(unknown)}. "
                         f"Valid ids: {', '.join(known)}. See 'regverify list'.")
    return [known[i] for i in ids] if ids else list(known.values())


def command_list(args) -> int:
    rows = [(d.id, d.title, "; ".join(map(str, d.sources)),
             f"{len(d.claims)} ({sum(c.expect is derivations.Expect.ERRATUM for c in d.claims)} errata)")
            for d in derivations.all_derivations()]
    print(tabulate(rows, headers=["id", "title", "sources", "claims"], tablefmt="github"))
    return EXIT_OK


def _numeric_cell(evidence) -> str:
    detail = evidence.detail
    if "max_rel_error" in detail:
        return f"{evidence.verdict.value} ({detail['max_rel_error']:.1e})"
    return evidence.verdict.value


def explain(result) -> str:
    """Which check made a claim come out other than expected, in one line."""
    parts = [f"symbolic {result.symbolic.verdict.value} ({result.symbolic.how})"]
    for name, evidence in (("numeric", result.numeric), ("training", result.training)):
        detail = {k: v for k, v in evidence.detail.items() if k not in ("traceback", "counterexample")}
        parts.append(f"{name} {evidence.verdict.value} {detail}" if detail else f"{name} {evidence.verdict.value}")
    return "; ".join(parts)


def _progress(i, total, label):
    print(f"[{i + 1}/{total}] {label}", file=sys.stderr, flush=True)


def command_verify(args) -> int:
    chosen = select(args.ids)
    print(f"regverify verify: seed {args.seed}{', quick' if args.quick else ''}; "
          f"{sum(len(d.claims) for d in chosen)} claims in {len(chosen)} derivations",
          file=sys.stderr)
    results = list(verify(chosen, seed=args.seed, quick=args.quick, progress=_progress))
    rows = [(r.derivation, r.claim.name, r.claim.kind, r.symbolic.verdict.value,
             _numeric_cell(r.numeric), r.training.verdict.value,
             r.status + (" (erratum)" if r.claim.expect is derivations.Expect.ERRATUM else ""),
             "" if r.ok else "NOT AS EXPECTED") for r in results]
    table = tabulate(rows, headers=["derivation", "claim", "kind", "symbolic", "numeric",
                                    "training", "status", ""], tablefmt="github")
    print(table, file=sys.stderr if args.json == "-" else sys.stdout)
    bad = [r for r in results if not r.ok]
    summary = (f"{len(results)} claims: {sum(r.status == 'verified' for r in results)} verified, "
               f"{sum(r.status == 'refuted' and r.ok for r in results)} errata refuted, "
               f"{len(bad)} not as expected; {sum(r.seconds for r in results):.1f} s")
    print(summary, file=sys.stderr)
    for r in bad:
        print(f"  {r.derivation}/{r.claim.name}: {r.status}; {explain(r)}", file=sys.stderr)
    if args.json:
        write_json({"seed": args.seed, "quick": args.quick,
                    "results": [r.as_dict() for r in results]}, args.json)
    return EXIT_OK if not bad else EXIT_NOT_AS_EXPECTED


def parser() -> argparse.ArgumentParser:
    top = argparse.ArgumentParser(prog="regverify", description=__doc__.split("\n")[0])
    sub = top.add_subparsers(dest="command", required=True)
    sub.add_parser("list", help="derivations: id, title, sources, claims").set_defaults(run=command_list)
    v = sub.add_parser("verify", help="prove and check every claim (symbolic, numeric, training)")
    v.add_argument("ids", nargs="*", metavar="ID", help="derivation ids (default: all)")
    v.add_argument("--json", metavar="PATH|-", help="also write the results as JSON ('-' for stdout)")
    v.add_argument("--seed", type=int, default=0, help="seed for every random draw (default 0)")
    v.add_argument("--quick", action="store_true", help="shorter training runs; every symbolic "
                                                         "and gradient check still runs")
    v.set_defaults(run=command_verify)
    return top


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    try:
        return args.run(args)
    except UsageError as error:
        print(f"regverify: {error}", file=sys.stderr)
        return EXIT_USAGE


if __name__ == "__main__":
    sys.exit(main())
