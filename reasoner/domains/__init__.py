"""The registry of problem domains: the one place that says what a domain is.

A ``Domain`` names its file suffixes, the reader that turns a file into work items, the solver
of one problem, the statuses its results can carry (``Status`` is one shared enum; each domain
documents its subset and maps its engine's verdicts to it explicitly), the modules a batch
preloads before forking workers, and the extra JSON fields of its result rows. The CLI, the API
and the batch runner all look domains up here; nothing dispatches on type names or suffixes
elsewhere.

Adding a domain: write ``reasoner/domains/NAME.py`` with its reader, solver and ``DOMAIN``,
and add it to ``DOMAINS`` below.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..result import Result
from .base import Domain, InputError

if TYPE_CHECKING:
    from ..config import SolveConfig


def _domains() -> tuple[Domain, ...]:
    from .geometry import DOMAIN as GEOMETRY
    from .sygus import DOMAIN as SYGUS

    return (GEOMETRY, SYGUS)


DOMAINS: tuple[Domain, ...] = _domains()
"""Every domain, the default (geometry) first."""

DEFAULT = DOMAINS[0]
"""The domain of a file named explicitly with a suffix no domain claims, and of problem text."""


def by_name(name: str) -> Domain:
    for domain in DOMAINS:
        if domain.name == name:
            return domain
    raise KeyError(f"unknown domain {name!r} (known: {', '.join(d.name for d in DOMAINS)})")


def by_suffix(suffix: str) -> Domain | None:
    """The domain whose files carry ``suffix``, or None."""
    for domain in DOMAINS:
        if suffix in domain.suffixes:
            return domain
    return None


def of_problem(problem: object) -> Domain:
    """The domain a problem object belongs to (problem text: the default domain)."""
    for domain in DOMAINS:
        if domain.accepts(problem):
            return domain
    return DEFAULT


def suffixes() -> tuple[str, ...]:
    """Every suffix of a problem file, in registry order."""
    return tuple(s for d in DOMAINS for s in d.suffixes)


def solve(problem: object, *, name: str = "problem", file: str = "<string>",
          config: SolveConfig | None = None) -> Result:
    """Solve one problem of any domain in this process."""
    return of_problem(problem).solve(problem, name=name, file=file, config=config)


__all__ = ["DEFAULT", "DOMAINS", "Domain", "InputError", "by_name", "by_suffix", "of_problem",
           "solve", "suffixes"]
