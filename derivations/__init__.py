"""The answer key: one lecture page per derivation of the course material (module name = the
derivation id, as `regverify list` shows it).

Each module declares its symbols, claims and numeric twins and calls ``register``; the registry
finds the modules here, so adding a derivation means adding one file and nothing else.
"""
