"""The numeric witness: sampling, finite differences, training runs, datasets."""
