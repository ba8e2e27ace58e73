"""The mutation benchmark plants changes in the key, and only in the key."""
import ast
import importlib.util
import sys
from pathlib import Path

SPEC = importlib.util.spec_from_file_location(
    "mutation_score", Path(__file__).parent.parent / "benchmarks" / "mutation_score.py")
mutation_score = sys.modules["mutation_score"] = importlib.util.module_from_spec(SPEC)
SPEC.loader.exec_module(mutation_score)

PAGE = '''
"""A page."""
def sample(rng, trial):
    return {"x": 3.0 * rng.normal()}


def closed_form(p):
    return 2 * p["x"].T + p["y"] ** 2


CLAIM = Identity(name="c", statement="s", sample=sample, rtol=1e-9, trials=6,
                 lhs=lambda p: np.sum(p["x"], axis=0), rhs=closed_form)
'''


def test_every_mutation_kind_is_planted_in_the_key(tmp_path):
    page = tmp_path / "page.py"
    page.write_text(PAGE)
    found = {m.description for m in mutation_score.mutants(page)}
    assert found == {"constant 2 → 4", "+ → − in 2 * p['x'].T + p['y'] ** 2", "drop the term p['y'] ** 2",
                     "drop the term 2 * p['x'].T", "* → / in 2 * p['x'].T", "drop the transpose of p['x']",
                     "**2 → **1", "axis=0 → axis=1"}


def test_samplers_settings_and_docstrings_are_left_alone(tmp_path):
    page = tmp_path / "page.py"
    page.write_text(PAGE)
    for mutant in mutation_score.mutants(page):
        text = ast.unparse(mutant.tree)
        assert "3.0 * rng.normal()" in text and "rtol=1e-09" in text and "trials=6" in text


def test_each_mutant_differs_from_the_page_in_one_place(tmp_path):
    page = tmp_path / "page.py"
    page.write_text(PAGE)
    original = ast.unparse(ast.parse(PAGE))
    texts = [ast.unparse(m.tree) for m in mutation_score.mutants(page)]
    assert all(t != original for t in texts) and len(set(texts)) == len(texts)


def test_a_sampler_taking_rng_and_a_caption_are_left_alone(tmp_path):
    page = tmp_path / "page.py"
    page.write_text('def draw(rng, trial):\n    return 2.0 * rng.normal()\n\n\n'
                    'SCOPE = "sizes 2 and 3, " + KINDS\nVALUE = 5 * x\n')
    found = [m.description for m in mutation_score.mutants(page)]
    assert sorted(found) == ["* → / in 5 * x", "constant 5 → 10"]


def test_a_judged_survivor_is_matched_by_page_fragment_and_mutation(tmp_path):
    listing = tmp_path / "equivalent.txt"
    listing.write_text("# comment\npage | steps = 40 | constant 40 → 80 | setting | the step count\n")
    known = mutation_score.judgements(listing)
    mutant = mutation_score.Mutant("page", 2, "constant 40 → 80", None, text="    steps = 40 if quick else 9")
    judged = mutation_score.judged_equivalent(mutant, known)
    assert judged.kind == "setting" and judged.why == "the step count"
    other = mutation_score.Mutant("page", 1, "constant 40 → 80", None, text="x = 1")
    assert mutation_score.judged_equivalent(other, known) is None


def test_a_derivation_folder_is_planted_in_its_page_and_twins_not_its_figures(tmp_path):
    page = tmp_path / "demo"
    page.mkdir()
    (page / "__init__.py").write_text("A = 2 * x\n")
    (page / "twins.py").write_text("def f(x):\n    return 3 * x\n")
    (page / "figures.py").write_text("SIZE = 5 * 4\n")
    found = {(m.module, m.path.name, m.description) for m in mutation_score.derivation_mutants(page)}
    assert found == {("demo", "__init__.py", "constant 2 → 4"), ("demo", "__init__.py", "* → / in 2 * x"),
                     ("demo", "twins.py", "constant 3 → 6"), ("demo", "twins.py", "* → / in 3 * x")}


def test_a_malformed_judgement_is_refused_naming_its_line(tmp_path):
    listing = tmp_path / "equivalent.txt"
    listing.write_text("page | fragment | mutation | a kind that is not one | why\n")
    try:
        mutation_score.judgements(listing)
    except SystemExit as error:
        assert "equivalent.txt:1" in str(error)
    else:
        raise AssertionError("a line without its reason was accepted")


def test_the_committed_judgements_all_have_a_reason():
    assert all(j.why for j in mutation_score.judgements())


def test_every_committed_judgement_names_a_mutant_that_is_still_planted():
    folder = Path(__file__).parent.parent / "derivations"
    stale = mutation_score.stale_judgements(folder, mutation_score.judgements())
    assert not stale, [f"{j.module} | {j.fragment} | {j.description}" for j in stale]


def test_pass_marks_and_random_draws_are_left_alone_but_what_they_compare_is_not(tmp_path):
    page = tmp_path / "page.py"
    page.write_text('def run(seed):\n    start = rng.normal(0, 0.1, (3, 2))\n'
                    '    return 3 * gap < 1e-10\n')
    found = sorted(m.description for m in mutation_score.mutants(page))
    assert found == ["* → / in 3 * gap", "constant 3 → 6"]


def test_a_change_planted_in_a_pages_twins_reaches_the_verification():
    """The page is loaded again over the changed twins (it imported their names), so the change
    is what verify sees: the soft threshold without its α/h is refuted."""
    from regverify import registry
    registry.all_derivations()
    folder = Path(__file__).parent.parent / "derivations" / "l1_soft_threshold"
    planted = [m for m in mutation_score.derivation_mutants(folder)
               if m.path.name == "twins.py" and m.description == "drop the term p['alpha'] / p['h']"]
    assert len(planted) == 1
    assert mutation_score.run_mutant(planted[0], 120) == "killed: soft-threshold refuted"
