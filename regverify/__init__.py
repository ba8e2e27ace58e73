"""regverify: a symbolic-plus-numeric verifier and answer key for the regularization lectures.

Importing the package is cheap: SymPy and autograd load only with the parts that use them, and
the notebook API (``grade``, ``check_steps``, ``show``) loads on first use.
"""
__version__ = "0.2.0"

_NOTEBOOK = ("grade", "check_steps", "show")


def __getattr__(name):
    if name in _NOTEBOOK:
        from . import notebook
        return getattr(notebook, name)
    raise AttributeError(f"module 'regverify' has no attribute {name!r}")


def __dir__():
    return sorted([*globals(), *_NOTEBOOK])
