"""The generator's search over construction sequences (``neural.data`` describes it):
fresh sequences, variants of productive ones (*parents*) in bounded families, each attempt
a variant continuing the drawing and closures of the clauses it shares with its parent."""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

import numpy as np

from symbolic.geometry.problem import Clause

from .examples import DataConfig, Drawn, Example, Outcome, _attempt
from .heuristic_aux import heuristic_attempt
from .sequences import mutate, sample_clauses


@dataclass
class _Parent:
    """A sequence that gave new examples, kept to draw variants of (``mutate``)."""

    clauses: tuple[Clause, ...]
    used: tuple[int, ...]  # the clauses its new examples state or construct aux points with
    depth: int        # variants between it and a fresh random sequence
    tries_left: int
    family: int       # the attempt that drew the fresh sequence it descends from
    drawn: Drawn | None = None  # its drawing and closures, for variants to start from


def _shared(a: Sequence[Clause], b: Sequence[Clause]) -> int:
    """How many first clauses ``a`` and ``b`` share."""
    n = 0
    while n < min(len(a), len(b)) and a[n] == b[n]:
        n += 1
    return n


@dataclass
class Search:
    """The generator's state between attempts (``generate``): its random generator, the
    productive sequences it draws variants of, the variants left to each family, the
    canonical texts of the examples it has checked (``known``), and its counts. An attempt
    that ran to its end leaves a state to resume from (``neural.shards``)."""

    rng: np.random.Generator
    config: DataConfig
    parents: list[_Parent] = dataclasses.field(default_factory=list)
    family_left: dict[int, int] = dataclasses.field(default_factory=dict)
    known: set[str] = dataclasses.field(default_factory=set)
    seen: set[str] = dataclasses.field(default_factory=set)
    attempts: int = 0

    def step(self, deadline: float | None = None) -> list[Example]:
        """One attempt: a variant of a parent (with probability ``mutate_probability``) or
        a fresh sequence; its new examples."""
        config = self.config
        sub = np.random.default_rng(int(self.rng.integers(2**63)))
        self.attempts += 1
        if config.aux == "heuristic":
            return self._new(heuristic_attempt(sub, config, deadline, None, self.known))
        depth, family, start = 0, self.attempts, None
        if self.parents and sub.random() < config.mutate_probability:
            j = int(sub.integers(len(self.parents)))
            parent = self.parents[j]
            clauses = mutate(parent.clauses, parent.used, sub, config)
            depth, family = parent.depth + 1, parent.family
            if parent.drawn is not None and config.reuse_drawings:
                start = parent.drawn.prefix(parent.clauses, _shared(parent.clauses, clauses))
            parent.tries_left -= 1
            self.family_left[family] -= 1
            if self.family_left[family] <= 0:
                self.parents = [p for p in self.parents if p.family != family]
            elif parent.tries_left <= 0:
                self.parents.pop(j)
        else:
            clauses = sample_clauses(sub, config)
        outcome = _attempt(sub, config, deadline, clauses, self.known, start,
                           fresh=depth == 0)
        used: set[int] = set()
        new = self._new(outcome, used)
        if not used and depth == 0 and config.near_parents:
            # a fresh sequence with needed goals that gave no new example (its examples were
            # checked before, failed the check or were over a cap): its variants are new
            # examples about ten times as often as fresh sequences (docs/journal/neural.md)
            used.update(outcome.traced)
        self.family_left.setdefault(family, config.family_variants)
        if used and depth < config.max_depth and config.mutations \
                and self.family_left[family] > 0:
            self.parents.append(_Parent(tuple(clauses), tuple(sorted(used)), depth,
                                        config.mutations, family,
                                        outcome.drawn if config.reuse_drawings else None))
        return new

    def _new(self, outcome: Outcome, used: set[int] | None = None) -> list[Example]:
        """The examples of ``outcome`` not seen before (now seen); the clauses they use are
        added to ``used``."""
        new = []
        for ex, clause_ids in outcome.found:
            if ex.problem not in self.seen:
                self.seen.add(ex.problem)
                if used is not None:
                    used.update(clause_ids)
                new.append(ex)
        return new


def generate(count: int, rng: np.random.Generator, config: DataConfig | None = None,
             progress=None, max_attempts: int | None = None,
             deadline: float | None = None, search: Search | None = None
             ) -> Iterator[Example]:
    """Up to ``count`` distinct examples (distinct canonical texts, ``neural.canonical``).
    ``progress(n, attempts)`` is called after each attempt; ``max_attempts`` bounds the work
    (default 2000 * count), ``deadline`` (a ``time.monotonic()`` value) the time; ``search``:
    a state to continue from (then ``rng`` and ``config`` are its own).

    Sequences that need auxiliary points are rare (about one random sequence in 500 with
    DD+AR's closures today) and cluster: a variant of one is one again about a third of the
    time. So a sequence that gave new examples becomes a *parent*: with probability
    ``mutate_probability`` an attempt draws a variant of a parent (``mutate``) instead of a
    fresh sequence, starting from the parent's drawing and closures of the clauses they
    share; each parent gives ``mutations`` variants, productive variants become parents up
    to ``max_depth`` variants from a fresh sequence, and all those descending from one fresh
    sequence (a family, one kind of configuration) number ``family_variants`` at most, so
    that no family fills the data. (Without ``require_needed`` productive sequences are
    common and a variant mostly repeats its parent's examples: the CLI then draws every
    sequence fresh.)"""
    search = search or Search(rng, config or DataConfig())
    limit = max_attempts if max_attempts is not None else 2000 * max(count, 1)
    n = 0
    while n < count and search.attempts < limit and (deadline is None
                                                     or time.monotonic() < deadline):
        for ex in search.step(deadline)[:count - n]:
            n += 1
            yield ex
        if progress is not None:
            progress(n, search.attempts)
