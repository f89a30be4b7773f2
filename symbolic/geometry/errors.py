"""Typed errors of the geometry engine. Each carries where it happened and what was expected."""

from __future__ import annotations


class GeometryError(Exception):
    """Base class: a problem that cannot be read, drawn or solved as written."""

    def __init__(self, message: str, *, file: str | None = None, line: int | None = None,
                 column: int | None = None, problem: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.file = file
        self.line = line
        self.column = column
        self.problem = problem

    def located(self, *, file: str | None = None, line: int | None = None,
                problem: str | None = None) -> GeometryError:
        """Fill in location fields that are still unknown; returns self."""
        self.file = self.file or file
        self.line = self.line if self.line is not None else line
        self.problem = self.problem or problem
        return self

    def __str__(self) -> str:
        where = []
        if self.file:
            loc = self.file
            if self.line is not None:
                loc += f":{self.line}"
                if self.column is not None:
                    loc += f":{self.column}"
            where.append(loc)
        if self.problem:
            where.append(f"problem {self.problem}")
        prefix = ": ".join(where)
        return f"{prefix}: {self.message}" if prefix else self.message


class ParseError(GeometryError):
    """The text does not follow the grammar (syntax), or names something unknown."""


class ConstructionError(GeometryError):
    """A construction cannot be applied: wrong arity, undefined or duplicate point."""


class DiagramError(GeometryError):
    """No numeric diagram satisfies the constructions (impossible or degenerate)."""


class FalseGoalError(GeometryError):
    """The goal does not hold on the numeric diagram, so it cannot be proved."""
