"""regverify: a symbolic-plus-numeric verifier and answer key for the regularization lectures.

Importing the package is cheap: SymPy and autograd load only with the parts that use them.
"""
__version__ = "0.2.0"
