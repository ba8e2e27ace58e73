"""Reports: every claim with its status, quotes that stand in the material, links and images
that resolve, a graph coloured by status, byte-identical regeneration, and a --check that
catches a stale file. Rendered for the registry's derivations and for two demo derivations
(tests/report_demo.py) that hold a planted failing claim."""
import dataclasses
import os
import re
import stat
import subprocess
import sys
from pathlib import Path

import pytest
import sympy
from markdown_it import MarkdownIt

from regverify import registry, report
from regverify.cli import main

from .report_demo import QUOTE, QUOTE_FILE, QUOTE_LINE, demo_derivations

ROOT = Path(__file__).resolve().parent.parent
PNG = b"\x89PNG\r\n\x1a\n"


def registered():
    """The registry's derivation ids, or one skipped parameter naming why there are none."""
    try:
        return [pytest.param(d.id, id=d.id) for d in registry.all_derivations()]
    except Exception as error:   # lecture pages that do not load are test_catalog's failure
        return [pytest.param(None, marks=pytest.mark.skip(
            reason=f"the lecture pages do not register on this checkout: {error}"))]


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    """The demo derivations rendered and written once: (folder, Rendered, derivations)."""
    out = tmp_path_factory.mktemp("reports")
    derivations = demo_derivations()
    rendered = report.generate(derivations, out, seed=0, quick=True, jobs=1)
    report.write(rendered, out, prune_figures=True)
    return out, rendered, {d.id: d for d in derivations}


@pytest.fixture(scope="module")
def catalog(tmp_path_factory):
    out = tmp_path_factory.mktemp("catalog-reports")
    derivations = registry.all_derivations()
    rendered = report.generate(derivations, out, seed=0, quick=True, jobs=2)
    report.write(rendered, out, prune_figures=True)
    return out, rendered, {d.id: d for d in derivations}


@pytest.fixture
def demo_registry(monkeypatch):
    """The command line sees the demo derivations as the whole catalog."""
    monkeypatch.setattr(registry, "_REGISTRY", {d.id: d for d in demo_derivations()})
    monkeypatch.setattr(registry, "discover", lambda: None)


def links(path: Path) -> list[tuple[str, str]]:
    """(kind, target) of every link and image in a Markdown file, as markdown-it-py reads it."""
    found = []

    def walk(tokens):
        for token in tokens:
            if token.type == "link_open":
                found.append(("link", token.attrGet("href")))
            elif token.type == "image":
                found.append(("image", token.attrGet("src")))
            walk(token.children or [])

    walk(MarkdownIt("commonmark").enable("table").parse(path.read_text(encoding="utf-8")))
    return found


def assert_claims_shown(out: Path, derivation, results: dict) -> None:
    text = (out / f"{derivation.id}.md").read_text(encoding="utf-8")
    for claim in derivation.claims:
        result = results[f"{derivation.id}/{claim.name}"]
        name = report.anchor(claim.name)
        row = re.search(rf"^\| \[`{re.escape(claim.name)}`\]\(#{name}\) \| {claim.kind} \| "
                        rf"{claim.expect.value} \| [^|]*\b{result['status']}\b", text, re.M)
        assert row, f"Expected a summary row for {claim.name} with status {result['status']}"
        assert f'<a id="{name}"></a>' in text and f"### `{claim.name}`" in text
        assert f"> {report.md(claim.statement)}" in text


# --- every claim, with its status ---------------------------------------------------------------
@pytest.mark.parametrize("derivation_id", ["report-demo", "report-demo-b"])
def test_a_report_shows_every_claim_of_its_derivation_with_its_status(demo, derivation_id):
    out, rendered, derivations = demo
    assert_claims_shown(out, derivations[derivation_id], rendered.results)


@pytest.mark.parametrize("derivation_id", registered())
def test_every_registered_derivation_has_a_report_with_every_claim_and_its_status(catalog, derivation_id):
    out, rendered, derivations = catalog
    assert not rendered.problems
    assert_claims_shown(out, derivations[derivation_id], rendered.results)


def test_the_demo_claims_come_out_as_their_checks_say(demo):
    _, rendered, _ = demo
    status = {k.split("/", 1)[1]: r["status"] for k, r in rendered.results.items()}
    assert status == {"square-of-sum": "verified", "square-gradient": "verified",
                      "shrinkage-squared": "refuted", "shrinkage": "verified", "triple": "refuted",
                      "planted-square": "refuted", "after-planted": "verified",
                      "double-sum": "verified"}


# --- a planted failing claim ----------------------------------------------------------------------
def graph_classes(index: str) -> dict[str, str]:
    """{claim label: colour class} from the Mermaid flowchart of the index."""
    graph = re.search(r"```mermaid\n(.*?)\n```", index, re.S).group(1)
    nodes = dict(re.findall(r'^\s+(c\d+)\["([^"]+)"\]', graph, re.M))
    classes = {}
    for members, name in re.findall(r"^\s+class (\S+) (\w+)$", graph, re.M):
        for node in members.split(","):
            classes[nodes[node]] = name
    return classes


def test_a_planted_failing_claim_shows_as_failing_in_its_report_and_in_the_graph(demo):
    out, _, _ = demo
    text = (out / "report-demo.md").read_text(encoding="utf-8")
    section = text.split("### `planted-square`")[1].split("### ")[0]
    assert "refuted — **not as expected**" in section and "**Numeric evidence: failed**" in section
    classes = graph_classes((out / "README.md").read_text(encoding="utf-8"))
    assert classes["planted-square"] == "failing"
    assert classes["after-planted"] == "verified", "a claim built on a failing one is not complete"
    assert classes["square-gradient"] == "complete"
    assert classes["double-sum"] == "complete", "uses across derivations count too"
    assert classes["shrinkage-squared"] == classes["triple"] == "refuted"


def test_the_index_has_a_row_per_derivation_with_its_counts(demo):
    out, _, _ = demo
    index = (out / "README.md").read_text(encoding="utf-8")
    assert re.search(r"^\| \[`report-demo`\]\(report-demo\.md\) \| [^|]+ \| 7 \| 4 \| 1 \| 1 \| 1 \| 0 \|",
                     index, re.M), index
    assert re.search(r"^\| \[`report-demo-b`\]\(report-demo-b\.md\) \| [^|]+ \| 1 \| 1 \| 0 \| 0 \| 0 \| 0 \|",
                     index, re.M), index


def index_rows(index: str) -> dict[str, list[int]]:
    """{derivation id: [claims, verified, errata, pitfalls, not as expected]} from the index."""
    rows = re.findall(r"^\| \[`([^`]+)`\]\([^)]+\.md\) \| [^|]+ \| (\d+) \| (\d+) \| (\d+) \| (\d+) \| (\d+) \|",
                      index, re.M)
    return {name: list(map(int, counts)) for name, *counts in rows}


def test_the_index_counts_add_up_to_the_claims_of_every_derivation(demo, catalog):
    for out, _, derivations in (demo, catalog):
        rows = index_rows((out / "README.md").read_text(encoding="utf-8"))
        assert set(rows) == set(derivations)
        for name, (claims, *parts) in rows.items():
            assert claims == len(derivations[name].claims) == sum(parts), (name, claims, parts)


# --- links, images, quotes ----------------------------------------------------------------------------
def test_every_image_link_resolves_to_a_png_with_alt_text(demo):
    out, _, _ = demo
    text = (out / "report-demo.md").read_text(encoding="utf-8")
    images = [target for kind, target in links(out / "report-demo.md") if kind == "image"]
    assert images == ["figures/report-demo-loss.png"]
    assert (out / images[0]).read_bytes().startswith(PNG)
    assert re.search(r"!\[[^\]]{10,}\]\(figures/report-demo-loss\.png\)", text)


def test_every_relative_link_resolves_to_a_file_and_an_anchor_or_line_in_it(demo):
    out, _, _ = demo
    checked = 0
    for page in sorted(out.glob("*.md")):
        for _, target in links(page):
            assert not re.match(r"[a-z]+:", target), f"Expected only relative links but got {target}"
            path, _, fragment = target.partition("#")
            resolved = (page.parent / path).resolve() if path else page
            assert resolved.is_file(), f"{page.name} links {target}, which does not exist"
            if fragment.startswith("L") and resolved.suffix == ".txt":
                assert int(fragment[1:]) <= len(resolved.read_text(encoding="utf-8").splitlines())
            elif fragment:
                assert f'<a id="{fragment}"></a>' in resolved.read_text(encoding="utf-8"), \
                    f"{page.name} links {target}, which has no such anchor"
            checked += 1
    assert checked > 20


def test_the_markdown_parses_into_math_and_mermaid_blocks(demo):
    out, _, _ = demo
    tokens = MarkdownIt("commonmark").enable("table").parse((out / "report-demo.md").read_text(encoding="utf-8"))
    fences = [t.info for t in tokens if t.type == "fence"]
    assert "math" in fences and "text" in fences and "sh" in fences
    assert any(t.type == "table_open" for t in tokens)
    index = MarkdownIt("commonmark").parse((out / "README.md").read_text(encoding="utf-8"))
    assert [t.info for t in index if t.type == "fence"].count("mermaid") == 1


def test_every_quoted_erratum_stands_verbatim_in_the_cited_line_of_the_material(demo):
    out, _, derivations = demo
    text = (out / "report-demo.md").read_text(encoding="utf-8")
    quoted = re.findall(r"\*\*Printed at\*\* \[`([^`:]+):(\d+)`\]\(([^)#]+)#L(\d+)\):\n\n```text\n(.*?)\n```",
                        text)
    errata = [c for c in derivations["report-demo"].claims if c.source is not None]
    assert len(quoted) == len(errata) == 1
    for file, line, target, anchor_line, quote in quoted:
        assert line == anchor_line and (file, int(line), quote) == (QUOTE_FILE, QUOTE_LINE, QUOTE)
        seed = ((out / "report-demo.md").parent / target).resolve()
        assert seed == (ROOT / "regverify" / "material" / QUOTE_FILE).resolve()
        assert quote in seed.read_text(encoding="utf-8").splitlines()[int(line) - 1]


def test_an_erratum_links_the_claim_that_corrects_it_and_shows_both_counterexamples(demo):
    out, _, _ = demo
    section = (out / "report-demo.md").read_text(encoding="utf-8").split("### `shrinkage-squared`")[1]
    section = section.split("### ")[0]
    assert "| corrected by | [`shrinkage`](#shrinkage) |" in section
    assert "**Reading:** the factor, read as squared" in section
    assert "Exact counterexample: at `" in section and "Counterexample (indices count from 0" in section
    assert "| premise | text: εα \\< 1; holds: `True` |" in section


# --- deterministic output -----------------------------------------------------------------------------
def test_timings_never_reach_a_report(demo):
    out, _, _ = demo
    for page in out.glob("*.md"):
        text = page.read_text(encoding="utf-8")
        assert "seconds" not in text and "0.123" not in text, page.name


def test_two_runs_with_the_same_seed_give_byte_identical_files_whatever_the_jobs(demo, tmp_path):
    out, _, _ = demo
    again = tmp_path / "again"
    again.mkdir()
    script = ("import sys; sys.path.insert(0, %r)\n"
              "from tests.report_demo import demo_derivations\n"
              "from regverify import registry\nfrom regverify.cli import main\n"
              "registry._REGISTRY.update({d.id: d for d in demo_derivations()})\n"
              "registry.discover = lambda: None\n"
              "sys.exit(main(['report', '--out', %r, '--jobs', '2']))\n") % (str(ROOT), str(again))
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                          env={**os.environ, "PYTHONHASHSEED": "123"})
    assert done.returncode == 0, done.stderr
    # the demo fixture ran with quick training; the command runs the full one: compare what
    # does not depend on the run's length, and then a quick rerun byte for byte
    first = report.generate(demo_derivations(), again, seed=0, quick=False, jobs=1)
    files = {str(p.relative_to(again)): p.read_bytes() for p in again.rglob("*") if p.is_file()}
    assert files == first.files
    rerun = report.generate(demo_derivations(), out, seed=0, quick=True, jobs=1)
    assert report.compare(rerun, out, full=True) == []


def test_a_figure_that_cannot_be_drawn_is_named_and_the_reports_are_still_written(demo, monkeypatch):
    from regverify import figures

    def broken(results):
        raise RuntimeError("no such curve")

    monkeypatch.setattr(figures, "_FIGURES",
                        [*figures._FIGURES, figures.FigureSpec("report-demo-b", "broken", "x", broken)])
    out, _, _ = demo
    rendered = report.generate(demo_derivations()[1:], out, seed=0, quick=True, catalog=demo_derivations())
    assert rendered.problems == ["figure report-demo-b/broken could not be drawn: RuntimeError: no such curve"]
    assert "could not be drawn" in rendered.files["report-demo-b.md"].decode()


# --- the command --------------------------------------------------------------------------------------
def test_check_passes_when_fresh_and_names_each_file_that_differs(demo_registry, tmp_path, capsys):
    out = tmp_path / "reports"
    assert main(["report", "--out", str(out), "--jobs", "1"]) == 0
    assert sorted(p.name for p in out.iterdir()) == ["README.md", "figures", "report-demo-b.md",
                                                    "report-demo.md"]
    assert main(["report", "--out", str(out), "--jobs", "1", "--check"]) == 0
    capsys.readouterr()
    figure = out / "figures" / "report-demo-loss.png"
    figure.write_bytes(figure.read_bytes() + b"\0")
    (out / "report-demo-b.md").write_text("stale\n")
    (out / "figures" / "gone.png").write_bytes(PNG)
    assert main(["report", "--out", str(out), "--jobs", "1", "--check"]) == 1
    err = capsys.readouterr().err
    assert f"{figure}: differs: image differs" in err
    assert f"{out / 'report-demo-b.md'}: differs at line 1\n    committed: stale\n    fresh:     # " in err
    assert f"{out / 'figures' / 'gone.png'}: not generated any more" in err
    assert f"stale: {out / 'report-demo.md'}:" not in err
    # the extra file is counted apart: 2 of the 4 generated differ, 1 more is no longer generated
    assert "of the 4 file(s) generated, 2 differ and 0 are missing; 1 committed file is not generated" in err


def test_check_of_a_missing_folder_names_every_file_as_missing(demo_registry, tmp_path, capsys):
    assert main(["report", "--out", str(tmp_path / "nothing"), "--check", "--jobs", "1"]) == 1
    assert capsys.readouterr().err.count(": missing") == 4


def test_chosen_ids_get_their_reports_and_leave_the_index_alone(demo_registry, tmp_path):
    assert main(["report", "report-demo-b", "--out", str(tmp_path), "--jobs", "1"]) == 0
    assert sorted(p.name for p in tmp_path.iterdir()) == ["report-demo-b.md"]
    text = (tmp_path / "report-demo-b.md").read_text(encoding="utf-8")
    assert "✅ verified with everything it uses" in text, "its ancestor in report-demo was verified too"


def test_report_files_follow_the_users_umask(demo_registry, tmp_path):
    previous = os.umask(0o027)
    try:
        assert main(["report", "report-demo", "--out", str(tmp_path), "--jobs", "1"]) == 0
    finally:
        os.umask(previous)
    for path in (tmp_path / "report-demo.md", tmp_path / "figures" / "report-demo-loss.png"):
        assert stat.S_IMODE(path.stat().st_mode) == 0o640, path


@pytest.mark.parametrize("out", ["no/such/parent/reports", "pyproject.toml"])
def test_an_output_folder_that_cannot_be_written_is_a_usage_error(demo_registry, out, capsys, monkeypatch):
    monkeypatch.chdir(ROOT)
    assert main(["report", "--out", out]) == 2
    assert f"cannot write reports to {out}" in capsys.readouterr().err


@pytest.mark.slow
def test_the_committed_reports_are_fresh():
    if not (ROOT / "reports" / "README.md").is_file():
        pytest.skip("this checkout has no committed reports/ folder; generate it with "
                    "`regverify report` and commit it")
    done = subprocess.run([sys.executable, "-m", "regverify", "report", "--check"], cwd=ROOT,
                          capture_output=True, text=True)
    assert done.returncode == 0, done.stderr


# --- the same reports on every machine ----------------------------------------------------------------
def test_a_figure_at_rounding_level_is_printed_as_its_bound_and_others_at_stable_digits():
    floor = report.FLOORS["evaluation"]
    assert report.measured(2.7e-16, floor) == report.measured(1e-16, floor) == "$< 10^{-12}$"
    assert report.measured(2.7e-16, floor, tex=False) == "< 1e-12"
    assert report.measured(-1.1e-15, floor, tex=False) == "< 1e-12", "a signed figure: its size"
    assert report.measured(0.4836833293250738, floor) == "0.48"
    assert report.measured(3.3042226499355465) == "3.304"
    assert report.measured(0.1) == "0.1" and report.measured(2.0) == "2" and report.measured(7) == "7"
    assert report.measured(1.124e-14, report.FLOORS["differences"], tex=False) == "< 1e-9"
    assert report.floor_of("max_param_rel_gap") == floor and report.floor_of("tolerance") is None
    assert report.floor_of("max_rel_error", {"method": "richardson"}) == report.FLOORS["differences"]
    assert report.floor_of("max_rel_error", {"method": "coordinate descent, golden-section search"}) \
        == report.FLOORS["line search"]


def test_the_perturbation_moves_every_float_and_puts_noise_anywhere_under_its_floor():
    result = {"numeric": {"verdict": "passed", "method": "complex-step", "max_rel_error": 2e-16,
                          "tolerance": 1e-11, "counterexample": {"params": {"H": [[1.5, 2.0]]}}},
              "training": {"verdict": "passed", "max_loss_rel_gap": 3e-16, "steps": 40,
                           "curves": {"loss": [4.0, 2.0], "distance": [1.0, 3e-15]}}}
    moved = report.perturbed(result, 1e-13, "d/c")
    assert moved["numeric"]["max_rel_error"] != 2e-16 and moved["numeric"]["max_rel_error"] < 1e-12
    assert moved["training"]["curves"]["distance"][1] not in (3e-15, 0) and moved["training"]["steps"] == 40
    assert abs(moved["numeric"]["counterexample"]["params"]["H"][0][0] / 1.5 - 1) == pytest.approx(1e-13, rel=1e-2)
    assert moved["numeric"]["tolerance"] != 1e-11 and moved["training"]["curves"]["loss"] != [4.0, 2.0]


def demo_results(derivations):
    from regverify.verifier import verify
    return verify(derivations, seed=0, quick=True)


def test_reports_rendered_from_perturbed_results_are_the_same_files(demo, tmp_path):
    """Fast variant on the demo derivations: every measured float moved by a relative 1e-13 and
    every error under its floor replaced; the check still passes."""
    out, _, _ = demo
    derivations = demo_derivations()
    results = demo_results(derivations)
    plain = report.render(derivations, results, 0, out)
    assert report.compare(plain, out, full=True) == []
    shaken = report.render(derivations, results, 0, out, perturb=1e-13)
    assert report.compare(shaken, out, full=True) == []
    # the perturbation is applied: moved by 1 %, the printed figures move
    assert report.compare(report.render(derivations, results, 0, out, perturb=1e-2), out, full=True) != []


def test_the_perturbation_is_taken_from_the_environment(demo, monkeypatch):
    out, _, _ = demo
    derivations = demo_derivations()
    results = demo_results(derivations)
    monkeypatch.setenv(report.PERTURB_VARIABLE, "1e-2")
    assert report.compare(report.render(derivations, results, 0, out), out, full=True) != []
    monkeypatch.setenv(report.PERTURB_VARIABLE, "1e-13")
    assert report.compare(report.render(derivations, results, 0, out), out, full=True) == []


def test_the_stamp_names_pythons_minor_version_only():
    import platform
    assert f"Python {'.'.join(platform.python_version_tuple()[:2])}," in report.versions()
    assert platform.python_version() not in report.versions() or platform.python_version().count(".") < 2


def test_a_changed_formula_makes_the_check_fail_and_names_the_file_and_line(demo, monkeypatch):
    import dataclasses
    out, _, _ = demo
    derivations = demo_derivations()
    first = derivations[0]
    index = next(i for i, c in enumerate(first.claims) if c.name == "square-of-sum")
    changed = dataclasses.replace(first.claims[index], rhs=lambda p: p["x"] ** 2 + 2.5 * p["a"] * p["x"] + p["a"] ** 2)
    first.claims[index] = changed
    rendered = report.render(derivations, demo_results(derivations), 0, out)
    differences = report.compare(rendered, out, full=True)
    assert any(d.startswith(f"{out / 'report-demo.md'}: differs at line") and "committed:" in d
               and "fresh:" in d for d in differences), differences


def test_figures_print_no_noise_and_clip_log_curves_at_the_floor():
    from regverify.figures import clipped, shown
    assert shown(3.2e-16, report.FLOORS["evaluation"]) == shown(1.7e-15, report.FLOORS["evaluation"]) == "< 1e-12"
    curve = clipped([1.0, 1e-6, 3.4e-15, 2.4e-15], 1.0)
    assert list(curve[2:]) == [report.PLOT_FLOOR] * 2 and curve[1] == 1e-6


def test_a_small_matrix_is_shown_whole_and_a_large_one_summarised():
    small = [[1.0, -1.3], [0.5, 2.0]]
    assert report.summarise(small, "H", whole=True) == "[1, -1.3; 0.5, 2]"
    assert report.summarise([[0.1] * 5] * 5, "H", whole=True).count(";") == 4
    assert report.summarise([[0.1] * 9] * 9, "X", whole=True) == "9×9 values from 0.1 to 0.1"


def test_every_decorated_symbol_gets_its_accent():
    assert report.decorated(r"\frac{\rho}{\rho_{hat}} + x_{tilde} - \alpha_{bar}") == \
        r"\frac{\rho}{\hat{\rho}} + \tilde{x} - \bar{\alpha}"
    assert report.decorated(r"\rho_{l}") == r"\rho_{l}"


def test_the_catalog_reports_read_as_an_instructor_reads_them(catalog):
    out, _, derivations = catalog
    for page in sorted(out.glob("*.md")):
        text = page.read_text(encoding="utf-8")
        assert "_{hat}" not in text and "CATALOG" not in text, page.name
        for block in re.findall(r"```text\n(.*?)\n```", text, re.S):
            assert not block.endswith("…"), f"{page.name}: a residual cut off: {block[-80:]}"
        if page.name != "README.md":
            assert "How to read this report" in text and "indices count from 0" in text or \
                "Counterexample" not in text, page.name
    pinsker = (out / "kl-sparsity.md").read_text(encoding="utf-8")
    assert "| [`pinsker`](#pinsker) | inequality |" in pinsker


def test_a_non_conformable_printed_form_is_refuted_in_words(catalog):
    _, rendered, _ = catalog
    reason = rendered.results["l2-shrinkage/printed-quadratic-form"]["numeric"]["reason"]
    assert reason.startswith("the printed product is undefined: factor 1 (") and "×1) times factor 2 (" in reason
    transposed = rendered.results["backprop/printed-da-dh"]["numeric"]["reason"]
    assert "where the definition gives" in transposed and "transposed, it equals the definition" in transposed


def test_a_minimizer_counterexample_shows_its_gap_at_the_printed_digits(catalog):
    _, rendered, _ = catalog
    for key in ("ridge/printed-minimizer", "output-units/printed-cost"):
        found = rendered.results[key]["numeric"]["counterexample"]
        assert report.number(found["value"]) != report.number(found["better_value"]), key


def test_the_shrinkage_gap_figure_and_claim_print_one_value(catalog):
    from regverify.derivations.early_stopping import figures as early_stopping
    from regverify.figures import shown
    _, _, derivations = catalog
    statement = derivations["early-stopping"].claim("largest-shrinkage-gap").statement
    assert f"s ≈ {shown(early_stopping.S_BEST, digits=3)}" in statement
    assert f"≈ {shown(early_stopping.GAP_BEST, digits=3)}" in statement
    assert f"s ≈ {shown(early_stopping.S_BEST, digits=3)}" in (ROOT / "README.md").read_text(encoding="utf-8")


def test_a_report_written_alone_links_no_index_it_did_not_write(demo_registry, tmp_path):
    assert main(["report", "report-demo-b", "--out", str(tmp_path), "--jobs", "1"]) == 0
    assert "README.md" not in (tmp_path / "report-demo-b.md").read_text(encoding="utf-8")
    assert main(["report", "--out", str(tmp_path), "--jobs", "1"]) == 0
    assert "[all reports](README.md)" in (tmp_path / "report-demo-b.md").read_text(encoding="utf-8")


@pytest.mark.slow
def test_the_committed_reports_survive_a_perturbed_run_and_not_a_changed_formula():
    """Every measured float of a full run moved by a relative 1e-13 (and every error under its
    floor replaced): the committed reports are still fresh. One claim's formula changed: its
    report is stale, named with its first differing line."""
    import dataclasses

    from regverify.verifier import verify
    committed = ROOT / "reports"
    derivations = registry.all_derivations()
    results = verify(derivations, seed=0, jobs=2)
    shaken = report.render(derivations, results, 0, committed, perturb=1e-13)
    assert report.compare(shaken, committed, full=True) == []
    page = registry.get("l2-shrinkage")
    index = next(i for i, c in enumerate(page.claims) if c.name == "update-rule")
    original = page.claims[index]
    page.claims[index] = dataclasses.replace(original, rhs=sympy.Rational(1001, 1000) * original.rhs)
    try:
        again = [r for r in results if r.derivation != "l2-shrinkage"] + verify([page], seed=0)
        differences = report.compare(report.render(derivations, again, 0, committed), committed, full=True)
    finally:
        page.claims[index] = original
    assert any(d.startswith(f"{committed / 'l2-shrinkage.md'}: differs at line") for d in differences), differences
