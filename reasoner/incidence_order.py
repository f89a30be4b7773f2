"""How the search's trajectories draw candidates, and HAGeo's non-trivial incidences in the
order of candidates (``reasoner.search``).

HAGeo (Duan et al., 2025) keeps only auxiliary constructions whose new point lands, on the
numeric diagram, on a line or circle of the figure that its construction does not put it on
(``symbolic.geometry.incidence``). The search uses the count two ways, both soft: a
trajectory's draws weigh candidates by it (``weigh``), and the statement's best-first list of
a source reaches past its first candidates to the tied ones among the next (``pool``). A
count only orders candidates; truth is decided by the prover. A trajectory draws among a
node's candidates by cost (``draw``).
"""

from __future__ import annotations

import math
from collections import Counter
from typing import Any

import numpy as np

from symbolic.deadline import check
from symbolic.geometry.incidence import Incidences
from symbolic.geometry.proposal import Candidate

Options = list[tuple[float, Candidate]]


def weigh(options: Options, coords: dict[str, Any], memo: dict, seed: int,
          temperature: float, counts: Counter[str]) -> Options:
    """``options`` (cost, candidate) drawn on the diagram ``coords``: one that cannot be drawn
    there is dropped (counted as ``not_drawn_on_node``), one whose points land on ``k`` lines
    or circles of the figure beyond what its construction states is ``1 + k`` times likelier
    at ``temperature`` (its cost lowered by ``temperature * log(1 + k)``), one with none ten
    times less likely. ``memo`` holds draws shared between diagrams that place their points
    alike (``numeric.draw_remembered``)."""
    ties = Incidences(coords, memo)
    rng = np.random.default_rng(seed)
    out = []
    for cost, cand in options:
        check()
        k = ties.count(cand.clauses, rng)
        if k is None:
            counts["not_drawn_on_node"] += 1
            continue
        out.append((cost - temperature * math.log(1 + k if k else 0.1), cand))
    return out


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


def draw(options: Options, temperature: float, rng: np.random.Generator) -> Candidate | None:
    """Draw one candidate of ``options`` and remove it: weight ``exp(-(cost - best) /
    temperature)``. None if there is none."""
    if not options:
        return None
    costs = np.array([c for c, _ in options])
    w = np.exp(-(costs - costs.min()) / temperature)
    i = int(rng.choice(len(options), p=w / w.sum()))
    return options.pop(i)[1]
