"""The NumPy reference engine: every number the tutor shows or checks comes from here.

Imports NumPy and the standard library only, so it is fast to test and
usable from a notebook.
"""
