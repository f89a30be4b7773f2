"""What a domain is (``Domain``); the registry of domains is ``reasoner.domains``."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..result import Result, Status

if TYPE_CHECKING:
    from ..batch import WorkItem

Reader = Callable[[Path], "list[WorkItem]"]
Solver = Callable[..., Result]
"""``solver(problem, *, name, file, config)``: never raises for bad input (an ``error``
result instead)."""


class InputError(Exception):
    """A path that cannot be used (unreadable, not a problem file); its message is one line
    naming the path."""


def _no_fields(result: Result) -> dict[str, Any]:
    return {}


@dataclass(frozen=True)
class Domain:
    """One kind of problem the system solves."""

    name: str                              # the ``domain`` field of results and JSON rows
    suffixes: tuple[str, ...]              # problem files of this domain, e.g. (".sl",)
    statuses: tuple[Status, ...]           # the statuses its results may carry
    read: Reader                           # file -> work items; problems that cannot be read
                                           # become error items, an unreadable file InputError
    solve: Solver                          # one problem, in this process
    accepts: Callable[[object], bool]      # is this (parsed or raw) problem of the domain?
    preload: tuple[str, ...] = ()          # modules a batch imports (and warms) before forking
    json_fields: Callable[[Result], dict[str, Any]] = field(default=_no_fields)
    # its solve can share a search among several workers (``SolveConfig.worker``, ``workers``)
    searches: bool = False

    def to_json(self, result: Result, with_proof: bool = False) -> dict[str, Any]:
        """The result's JSON row: the common fields, then the domain's own."""
        return {**result.to_json(with_proof=with_proof), **self.json_fields(result)}
