"""The material's README lists, for each of its files, every derivation that cites it; and every
file a derivation cites is one the project has."""
import re
from importlib import resources

from regverify import material
from regverify.registry import all_derivations

FOLDER = resources.files(material.__package__)
NAMES = sorted(p.name for p in FOLDER.iterdir() if p.name.endswith(".txt"))


def cited_files(derivation) -> set[str]:
    files = {s.file for s in derivation.sources if s.file.endswith(".txt")}
    for claim in derivation.claims:
        if claim.source is not None:
            files.add(claim.source.file)
        for prefix in re.findall(r"\b(00\d):\d", claim.statement):
            files |= {n for n in NAMES if n.startswith(prefix + "_")}
    return files


def test_every_cited_file_is_one_the_project_has():
    for derivation in all_derivations():
        assert cited_files(derivation) <= set(NAMES), derivation.id


def test_the_readme_lists_each_files_derivations():
    text = (FOLDER / "README.md").read_text(encoding="utf-8")
    listed = {name: re.findall(r"`([a-z0-9-]+)`", rest)
              for name, rest in re.findall(r"^\| (\d{3}_[0-9a-f]+\.txt) \| (`.*) \|$", text, flags=re.M)}
    expected = {name: [d.id for d in all_derivations() if name in cited_files(d)] for name in NAMES}
    assert listed == expected
