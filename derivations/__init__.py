"""The answer key: one lecture page per derivation of the course material (module name = the
derivation id, as `regverify list` shows it).

Each module declares its symbols, claims and numeric twins and calls ``register``; the registry
finds the modules here, so adding a derivation means adding one file (and its id to
CATALOG_ORDER below, where the catalog has it).
"""

# The catalog's order, the order of `regverify list`, of `verify` and of the reports' index: the
# six closed forms of the design card, the rest of the material, then what goes beyond it. A page
# not listed here comes after these, by id.
CATALOG_ORDER = ("l2-shrinkage", "l1-soft-threshold", "kl-sparsity", "contractive", "tied-weights",
                 "early-stopping", "ae-weight-decay", "denoising", "max-activation", "linear-ae-svd", "ridge",
                 "parameter-tying", "xor", "output-units", "hidden-units", "backprop", "backprop-graph", "dropout-linear", "tanh-linearisation")
