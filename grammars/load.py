"""Open the package's ``*.lark`` grammars as package data and build cached parsers."""

from __future__ import annotations

from functools import cache
from importlib import resources
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import lark


def grammar_text(name: str) -> str:
    """Return the text of ``grammars/<name>.lark``."""
    return resources.files(__package__).joinpath(f"{name}.lark").read_text(encoding="utf-8")


@cache
def parser(name: str, start: str = "start") -> lark.Lark:
    """A LALR parser for ``grammars/<name>.lark`` (built once per process)."""
    import lark

    return lark.Lark(grammar_text(name), parser="lalr", start=start, propagate_positions=True)
