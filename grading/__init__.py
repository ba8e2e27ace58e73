"""Grading student answers against the key."""
