"""The layout ARCHITECTURE.md states is the code's: imports flow one way, each derivation is one
folder, and every module is where the document says it is."""
import ast
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).parent.parent
FOLDERS = {"regverify": "regverify", "derivations": "regverify.derivations", "numerics": "regverify.numerics",
           "grading": "regverify.grading"}
COMMANDS = ("cli", "notebook", "report", "web", "__main__")
# numerics ← engine ← derivations and grading ← commands: an import may only go down (or stay level)
LAYERS = {"numerics": 0, "engine": 1, "derivations": 2, "grading": 2, "commands": 3}


def sources():
    for folder in FOLDERS:
        for path in sorted((ROOT / folder).rglob("*.py")):
            if "__pycache__" not in path.parts:
                yield path


def module_of(path: Path) -> str:
    relative = path.relative_to(ROOT)
    parts = [*relative.parts[1:-1], path.stem] if path.stem != "__init__" else list(relative.parts[1:-1])
    return ".".join([FOLDERS[relative.parts[0]], *parts])


def layer(module: str) -> str:
    if module == "regverify":
        return "commands"          # the package's face: the notebook API
    for prefix in ("numerics", "derivations", "grading"):
        if module.startswith(f"regverify.{prefix}"):
            return prefix
    return "commands" if module.split(".")[1:2] and module.split(".")[1] in COMMANDS else "engine"


def imported(path: Path):
    """(line, module) for each regverify module ``path`` imports, relative imports resolved."""
    here = module_of(path).split(".")
    package = here if path.name == "__init__.py" else here[:-1]
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            yield from ((node.lineno, alias.name) for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = package[:len(package) - node.level + 1] if node.level else []
            module = ".".join(base + ([node.module] if node.module else []))
            for alias in node.names:     # `from regverify import registry` imports the registry
                yield node.lineno, f"{module}.{alias.name}" if not node.module or module == "regverify" else module


def test_imports_flow_one_way():
    upward = [f"{path.relative_to(ROOT)}:{line} ({layer(module_of(path))}) imports {target} ({layer(target)})"
              for path in sources() for line, target in imported(path)
              if target.startswith("regverify") and LAYERS[layer(target)] > LAYERS[layer(module_of(path))]]
    assert upward == []


def test_a_planted_upward_import_is_found(tmp_path, monkeypatch):
    planted = ROOT / "numerics" / "gradcheck.py"
    lines = [(line, target) for line, target in imported(planted)]
    assert all(layer(t) == "numerics" for _, t in lines if t.startswith("regverify"))
    fake = tmp_path / "numerics" / "planted.py"
    fake.parent.mkdir()
    fake.write_text("from ..registry import get\nfrom regverify.cli import main\n")
    monkeypatch.setattr(f"{__name__}.ROOT", tmp_path)
    assert [layer(t) for _, t in imported(fake)] == ["engine", "commands"]


PARTS = {"__init__.py", "proofs.py", "twins.py", "figures.py"}     # what a derivation folder may hold


def page_imports(path: Path) -> list[str]:
    """What ``path`` takes from its folder's page: the page itself, or a name defined on it."""
    page = module_of(path.parent / "__init__.py")
    siblings = {f"{page}.{p[:-3]}" for p in PARTS}
    return [t for _, t in imported(path) if t == page or (t.startswith(f"{page}.") and t not in siblings)]


def test_within_a_derivation_folder_the_page_imports_its_proofs_and_twins_never_the_other_way():
    """The figures draw what the page states (they may import it); nothing the page imports does."""
    for path in sources():
        if path.parent.parent.name == "derivations" and path.name not in ("__init__.py", "figures.py"):
            assert not page_imports(path), f"{path.relative_to(ROOT)} imports its page"
        if path.parent.parent.name == "derivations" and path.name == "__init__.py":
            assert not [t for _, t in imported(path) if t.endswith(".figures")], path


def test_a_twin_that_takes_a_name_from_its_page_is_found(tmp_path):
    twins = ROOT / "derivations" / "ridge" / "twins.py"
    planted = tmp_path / "twins.py"
    planted.write_text("from . import CLAIMS\nfrom .proofs import W\n")
    original = module_of
    globals()["module_of"] = lambda p: original(twins.parent / p.name) if p.parent == tmp_path else original(p)
    try:
        assert page_imports(planted) == ["regverify.derivations.ridge.CLAIMS"]
    finally:
        globals()["module_of"] = original


def test_every_derivation_folder_holds_only_its_page_proofs_twins_and_figures():
    for folder in (ROOT / "derivations").iterdir():
        if folder.is_dir() and folder.name != "__pycache__":
            assert {p.name for p in folder.glob("*.py")} <= PARTS, folder.name


def test_grading_takes_only_the_registry_of_the_engine_never_a_page():
    pages = [f"{path.relative_to(ROOT)}:{line} imports {target}" for path in sources()
             if path.is_relative_to(ROOT / "grading") for line, target in imported(path)
             if target.startswith("regverify.derivations")]
    assert pages == []


def layout_names() -> tuple[set[str], str]:
    """The names ARCHITECTURE.md's layout places (the first column of its tree), and the tree."""
    text = (ROOT / "ARCHITECTURE.md").read_text(encoding="utf-8")
    tree = text.split("```")[1]
    names = set()
    for line in tree.splitlines():
        found = re.match(r"\s+([\w/<>.]+(?:, [\w/<>.]+)*)(?:\s{2,}|$)", line)
        if found:
            names |= {n.strip("/") for n in found.group(1).split(", ")}
    return names, tree


@pytest.mark.parametrize("folder", ["regverify", "numerics", "grading"])
def test_architecture_md_places_every_module(folder):
    """A module directly in the folder is a name of the tree's first column; one of a subpackage
    (report/, web/) is named on its package's entry."""
    names, tree = layout_names()
    unplaced = []
    for path in sources():
        if not path.is_relative_to(ROOT / folder) or path.name == "__init__.py":
            continue
        if path.parent == ROOT / folder:
            placed = path.stem in names
        else:
            placed = path.parent.name in names and re.search(rf"\b{re.escape(path.stem)}\b", tree)
        if not placed:
            unplaced.append(str(path.relative_to(ROOT)))
    assert unplaced == [], f"ARCHITECTURE.md does not place {unplaced}"


def long_pages(root: Path) -> dict:
    return {str(p.relative_to(root)): n for p in (root / "derivations").glob("*/__init__.py")
            if (n := len(p.read_text(encoding="utf-8").splitlines())) > 250}


def test_every_lecture_page_is_at_most_250_lines(tmp_path):
    assert long_pages(ROOT) == {}
    (tmp_path / "derivations" / "planted").mkdir(parents=True)
    (tmp_path / "derivations" / "planted" / "__init__.py").write_text("x = 1\n" * 251)
    assert long_pages(tmp_path) == {"derivations/planted/__init__.py": 251}
