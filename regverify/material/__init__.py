"""The course material the key encodes, bundled so that every quote can be checked against it.

Files are cited as ``file:line`` (1-based line numbers of these files).
"""
from functools import lru_cache
from importlib import resources


@lru_cache(maxsize=None)
def lines(file: str) -> tuple[str, ...]:
    """The lines of one material file; a name that is not one of them is an error naming them."""
    folder = resources.files(__package__)
    names = sorted(p.name for p in folder.iterdir() if p.name.endswith(".txt"))
    if file not in names:
        raise FileNotFoundError(f"no material file {file!r}; the material is {', '.join(names)}")
    return tuple((folder / file).read_text(encoding="utf-8").splitlines())


def line(file: str, number: int) -> str:
    text = lines(file)
    if not 1 <= number <= len(text):
        raise IndexError(f"{file} has lines 1 to {len(text)}, not {number}")
    return text[number - 1]
