"""Typed errors of the SyGuS engine; each carries the file, line and column it is about."""

from __future__ import annotations


class SygusError(Exception):
    """Base class: a SyGuS file that cannot be read or solved as written. The message is kept
    on one line (line breaks it quotes from the input are shown as ``\\n``)."""

    def __init__(self, message: str, *, file: str | None = None, line: int | None = None,
                 column: int | None = None) -> None:
        # one line whatever the input held: a quoted symbol may span lines (``|a\nb|``)
        message = message.replace("\r", "\\r").replace("\n", "\\n")
        super().__init__(message)
        self.message = message
        self.file = file
        self.line = line
        self.column = column

    def located(self, file: str) -> SygusError:
        """Fill in the file name when it is still unknown; returns self."""
        self.file = self.file or file
        return self

    def __str__(self) -> str:
        loc = self.file or ""
        if self.line is not None:
            loc += f":{self.line}" + (f":{self.column}" if self.column is not None else "")
        return f"{loc}: {self.message}" if loc else self.message


class ParseError(SygusError):
    """The text is not a SyGuS-IF s-expression file (syntax), or a term is ill-sorted."""


class UnsupportedError(SygusError):
    """The file uses a SyGuS or SMT-LIB feature this engine does not implement."""
