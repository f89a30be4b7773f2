"""How the search's trajectories draw candidates, and HAGeo's non-trivial incidences in the
order of candidates (``reasoner.search``).

HAGeo (Duan et al., 2025) keeps only auxiliary constructions whose new point lands, on the
numeric diagram, on a line or circle of the figure that its construction does not put it on
(``symbolic.geometry.incidence``). The search uses the count two ways, both soft: a
trajectory's draws weigh candidates by it (``Weigher``, counting only the candidates a draw
considers), and the statement's best-first list of a source reaches past its first
candidates to the tied ones among the next (``pool``). A count only orders candidates; truth
is decided by the prover. A trajectory draws among a node's candidates by cost and those
weights (``draw``).
"""

from __future__ import annotations

from collections import Counter
from typing import Any

import numpy as np

from symbolic.deadline import check
from symbolic.geometry.incidence import Incidences
from symbolic.geometry.proposal import Candidate

Options = list[tuple[float, Candidate]]


# the most ties a candidate is credited with: 6 was the most in 36,242 counts on the first 30
# HAGeo dev problems (k >= 3 in 2%), and the draws below need a bound on the factor
MAX_TIES = 6


class Weigher:
    """HAGeo's filter, made soft, on one node's diagram ``coords``, counted on demand: a
    candidate whose new points land on ``k`` lines or circles of the figure beyond what its
    construction states is ``1 + min(k, MAX_TIES)`` times likelier, one with none ten times
    less likely, one that cannot be drawn there never drawn. ``memo`` holds draws shared
    between diagrams that place their points alike (``numeric.draw_remembered``).

    A count draws the candidate on the diagram: a trajectory node has about a hundred
    candidates and gives out one or two, so ``draw`` counts only those it considers."""

    def __init__(self, coords: dict[str, Any], memo: dict, seed: int) -> None:
        self.ties = Incidences(coords, memo)
        self.rng = np.random.default_rng(seed)
        self.top = 1.0 + MAX_TIES  # the largest factor
        self._known: dict[int, float | None] = {}  # id(candidate) -> factor

    def factor(self, cand: Candidate) -> float | None:
        """How many times likelier ``cand`` is (None: it cannot be drawn here)."""
        key = id(cand)
        if key not in self._known:
            k = self.ties.count(cand.clauses, self.rng)
            self._known[key] = None if k is None else 1.0 + min(k, MAX_TIES) if k else 0.1
        return self._known[key]


def pool(got: list[Candidate], k: int, coords: dict[str, Any], seed: int,
         min_ties: int) -> tuple[list[Candidate], int]:
    """A source's first ``k`` candidates of ``got`` with, after every second one, one of the
    rest whose new points lie on ``min_ties`` or more lines and circles of the figure on
    ``coords`` beyond what their construction states (most ties first, then in the source's
    order), and the tied ones left over at the end; and how many were tied. A source's own
    order would never reach them in a list of ``k``."""
    ties = Incidences(coords, {})  # its own draws: trajectories' stay as they were
    rng = np.random.default_rng(seed)
    rich = []
    for place, cand in enumerate(got[k:]):
        check()
        n = ties.count(cand.clauses, rng)
        if n is not None and n >= min_ties:
            rich.append((-n, place, cand))
    extra = [cand for *_, cand in sorted(rich, key=lambda t: t[:2])]
    out: list[Candidate] = []
    for i, cand in enumerate(got[:k]):
        out.append(cand)
        if i % 2 == 1 and i // 2 < len(extra):
            out.append(extra[i // 2])
    out += extra[(len(got[:k]) // 2):]
    return out, len(extra)


def draw(options: Options, temperature: float, rng: np.random.Generator,
         weigher: Weigher | None = None, counts: Counter[str] | None = None
         ) -> Candidate | None:
    """Draw one candidate of ``options`` and remove it: weight ``exp(-(cost - best) /
    temperature)``, times ``weigher``'s factor when one is given. None if there is none.

    With a weigher, by rejection: a candidate drawn by cost alone is kept with probability
    its factor over the largest one, else drawn again; so only the candidates drawn are
    counted, and each is kept with exactly the probability of weighing them all first. One
    that cannot be drawn on the diagram leaves ``options`` (counted in ``counts`` as
    ``not_drawn_on_node``)."""
    cdf = None
    while options:
        if cdf is None:  # (what ``rng.choice(len(options), p=w)`` works out at every call)
            costs = np.array([c for c, _ in options])
            w = np.exp(-(costs - costs.min()) / temperature)
            w /= w.sum()
            cdf = w.cumsum()
            cdf /= cdf[-1]
        i = int(cdf.searchsorted(rng.random(), side="right"))  # ``choice``'s one draw
        if weigher is None:
            return options.pop(i)[1]
        check()
        f = weigher.factor(options[i][1])
        if f is None:
            if counts is not None:
                counts["not_drawn_on_node"] += 1
            options.pop(i)
            cdf = None
        elif rng.random() * weigher.top < f:
            return options.pop(i)[1]
    return None
