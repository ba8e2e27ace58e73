"""The answer key: one folder per derivation of the course material (the folder is the derivation
id with _ for -, as `regverify list` shows the id).

A folder's page, its ``__init__.py``, declares the claims and calls ``register``; beside it
``proofs.py`` may hold a long page's SymPy side, ``twins.py`` its numeric twins and training runs,
``figures.py`` its figures. The registry finds the folders here, so adding a derivation means adding
one folder (and its id to CATALOG_ORDER below, where the catalog has it).
"""

# The catalog's order, the order of `regverify list`, of `verify` and of the reports' index: the
# six closed forms of the design card, the rest of the material, then what goes beyond it. A page
# not listed here comes after these, by id.
CATALOG_ORDER = ("l2-shrinkage", "l1-soft-threshold", "kl-sparsity", "contractive", "tied-weights",
                 "early-stopping", "ae-weight-decay", "denoising", "max-activation", "linear-ae-svd", "ridge",
                 "parameter-tying", "xor", "output-units", "hidden-units", "backprop", "backprop-graph", "dropout-linear", "tanh-linearisation")
