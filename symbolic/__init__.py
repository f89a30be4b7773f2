"""Symbolic engines: the geometry deduction engine (DD+AR) and the SyGuS synthesizer."""
