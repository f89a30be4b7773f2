"""Typed errors of the verifier: every bad input is an ``InputError`` with a one-line message."""

from __future__ import annotations


class VerifyError(Exception):
    """Base class of the verifier's errors."""


class InputError(VerifyError):
    """An input (ONNX model, VNNLIB property, instances file) that cannot be used."""


class OnnxError(InputError):
    """An ONNX model that cannot be loaded: unreadable, or an operator or pattern not supported."""


class VnnlibError(InputError):
    """A VNNLIB file that does not parse or states something outside VNNLIB 1.0's box form.

    ``line`` / ``column`` locate the problem (1-based) when known.
    """

    def __init__(self, message: str, file: str = "", line: int | None = None,
                 column: int | None = None) -> None:
        where = file or "<vnnlib>"
        if line is not None:
            where += f":{line}:{column or 1}"
        super().__init__(f"{where}: {message}")
        self.file, self.line, self.column = file, line, column
