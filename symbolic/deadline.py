"""Cooperative deadlines: the time by which the work under way must stop.

A search sets its deadline once (``until``) and every long loop under it, however deep
(a heuristic's candidate list, the incidence counts of a pool, a rule's matcher over a large
diagram), calls ``check()`` between items: past the deadline it raises ``Deadline``, which
the code that set the deadline catches. Code in between never has to pass a time around, and
a part that takes long on a big figure cannot make a search overrun its limit (a batch
worker is killed half a second past it, losing the search's statistics, or a proof being
checked).

Deadlines nest: an inner ``until`` (one candidate's DD+AR budget) never extends an outer one.
The deadline is a ``ContextVar``, so threads do not see each other's. A ``check()`` costs a
context-variable read and, when a deadline is set, a clock read: cheap enough for a loop's
every item, but a loop of very short items should check every few dozen.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

__all__ = ["Deadline", "check", "left", "lifted", "until"]


class Deadline(Exception):
    """The deadline set by ``until`` has passed."""


_DEADLINE: ContextVar[float | None] = ContextVar("deadline", default=None)


@contextmanager
def until(deadline: float | None) -> Iterator[None]:
    """Run the block under ``deadline`` (a ``time.monotonic()`` value; None: no deadline of
    its own), or under the enclosing block's deadline if that is earlier."""
    outer = _DEADLINE.get()
    if deadline is None or (outer is not None and outer <= deadline):
        yield
        return
    token = _DEADLINE.set(deadline)
    try:
        yield
    finally:
        _DEADLINE.reset(token)


@contextmanager
def lifted() -> Iterator[None]:
    """Run the block with no deadline, whatever encloses it: work that must end once begun
    (checking a proof that was found)."""
    token = _DEADLINE.set(None)
    try:
        yield
    finally:
        _DEADLINE.reset(token)


def check() -> None:
    """Raise ``Deadline`` if the current deadline has passed."""
    deadline = _DEADLINE.get()
    if deadline is not None and time.monotonic() > deadline:
        raise Deadline


def left() -> float | None:
    """Seconds to the current deadline (negative once past it); None without one."""
    deadline = _DEADLINE.get()
    return None if deadline is None else deadline - time.monotonic()
