"""Checkers for the labs: one module per lab (``lab01`` ...), each defining ``ex1``, ``ex2`` ..."""
