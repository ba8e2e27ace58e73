"""regverify: a symbolic-plus-numeric verifier and answer key for the regularization lectures."""
__version__ = "0.1.0"
