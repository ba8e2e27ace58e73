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


def test_within_a_derivation_folder_the_page_imports_its_proofs_and_twins_never_the_other_way():
    """The figures draw what the page states (they may import it); nothing the page imports does."""
    for path in sources():
        if path.parent.parent.name == "derivations" and path.name not in ("__init__.py", "figures.py"):
            page = module_of(path.parent / "__init__.py")
            assert not [t for _, t in imported(path) if t == page], f"{path.relative_to(ROOT)} imports its page"
        if path.parent.parent.name == "derivations" and path.name == "__init__.py":
            assert not [t for _, t in imported(path) if t.endswith(".figures")], path


@pytest.mark.parametrize("folder", ["regverify", "numerics", "grading"])
def test_architecture_md_names_every_module(folder):
    text = (ROOT / "ARCHITECTURE.md").read_text(encoding="utf-8")
    unnamed = [str(p.relative_to(ROOT / folder)) for p in sources() if p.is_relative_to(ROOT / folder)
               and p.name != "__init__.py" and not re.search(rf"\b{re.escape(p.stem)}\b", text)]
    assert unnamed == [], f"ARCHITECTURE.md does not place {unnamed}"


def test_every_lecture_page_is_at_most_250_lines():
    long = {str(p.relative_to(ROOT)): n for p in (ROOT / "derivations").glob("*/__init__.py")
            if (n := len(p.read_text(encoding="utf-8").splitlines())) > 250}
    assert long == {}
