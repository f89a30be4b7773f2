"""Lark grammars for every input language, and the grammar-constrained decoder.

Grammars are package data (``*.lark``); open them with :func:`grammars.load.grammar_text`
or get a ready parser with :func:`grammars.load.parser`.
"""
