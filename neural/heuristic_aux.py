"""Examples whose auxiliary construction is one the heuristic source proposes
(``neural.data --aux heuristic``).

The traced generator (``neural.examples``) finds auxiliary points among a random sequence's
own clauses, so its auxiliary constructions are the random mix's: in the shipped data nearly
half are midpoints, reflections through a point and single ``on_line`` points. Olympiad proofs
use other kinds: of the auxiliary clauses the search found for ``hageo_dev.txt`` problems, a
fifth are parallels meeting a line and a tenth lines meeting circles (docs/journal/neural.md).
This generator asks instead which of the constructions a solver would try completes a proof:

1. draw a random statement (``sample_clauses``, the mix as configured), its diagram and its
   DD+AR closure (one saturation of the whole statement);
2. list what the diagram shows numerically (``numeric_goals``) that the closure does not
   prove: the statement's *open* facts; a statement with none is skipped;
3. take one open fact as the goal (its kind drawn first, ``_target``; a statement that
   leaves only similar-triangle pairs open is skipped, ``_open_facts``) and the heuristic
   source's candidates for it (``HeuristicProposer``: goal points first), those whose new
   point lands on the most lines and circles of the figure first (HAGeo's non-trivial
   incidences, ``Incidences``), and try the first ``aux_candidates``: each is drawn on the
   statement's diagram and saturated continuing the statement's closure (the search's
   incremental step);
4. every open fact (and every newly recorded fact on the statement's points) the extended
   closure proves is a goal that needs the candidate: its proof is traced back (``trace``)
   to statement and auxiliary clauses, spelled canonically, deduplicated, and checked like
   every example (``check_example``: re-proved on a fresh diagram, the replay check, and
   DD+AR fails without the auxiliary clauses).

Measured (docs/journal/neural.md, "Olympiad-like auxiliary points"): with the ``hageo_dev.txt``
mix the auxiliary kinds are spread like olympiad proofs' and most (statement, auxiliary) pairs
are distinct; fine-tuning on them more than halves the shipped model's loss on held-out olympiad
auxiliary clauses without any benchmark answer (it does not make the model a ranker).
"""

from __future__ import annotations

import dataclasses
import time
from collections import Counter
from collections.abc import Sequence
from itertools import zip_longest

import numpy as np

from symbolic.geometry.dd import DDARRun, saturate
from symbolic.geometry.errors import GeometryError
from symbolic.geometry.facts import Fact
from symbolic.geometry.heuristics import HeuristicProposer
from symbolic.geometry.incidence import Incidences
from symbolic.geometry.numeric import Diagram, build_diagram, extend_diagram
from symbolic.geometry.predicates import COLL, SIMTRI, SIMTRI2
from symbolic.geometry.problem import Clause, Problem, make_problem
from symbolic.geometry.state import ProofState
from symbolic.geometry.tables import Atom

from .examples import DataConfig, Example, Outcome, check_split
from .sequences import sample_clauses
from .traceback import numeric_goals, recorded_goals, trace

# candidates listed per one tried: those with the most incidences are tried first
LISTED_PER_TRIED = 4
# incidences beyond this many do not order candidates further
MAX_TIES = 3
# examples checked per candidate at most (the rest of its goals are usually its variants)
CHECKS_PER_CANDIDATE = 4

_HEURISTICS = HeuristicProposer()


def heuristic_attempt(rng: np.random.Generator, config: DataConfig, deadline: float | None,
                      clauses: Sequence[Clause] | None = None,
                      known: set[str] | None = None) -> Outcome:
    """One statement (``clauses``, or a random one) and the checked examples that the
    heuristic source's candidates give on it (see the module docstring); the texts checked
    are added to ``known`` and never checked again."""
    if clauses is None:
        clauses = sample_clauses(rng, config)
    try:
        problem = make_problem("synthetic", clauses, Atom(COLL, ("a", "b", "c")))
        coords = build_diagram(problem, rng, max_tries=10, check_goal=False).coords
    except GeometryError:
        return Outcome([])
    whole = saturate(problem, coords, config.ddar())
    if whole.timed_out:
        return Outcome([])
    # queries record what they derive: ask a copy, so every candidate continues the same
    # closure however many were asked before
    asked = whole.state.extended(whole.state.coords)
    open_facts = _open_facts(numeric_goals(coords), asked, rng, config.similar_only)
    if not open_facts:
        return Outcome([])
    target = _target(open_facts, rng)
    asks = dataclasses.replace(problem, goal=Atom(target.pred, target.args))
    candidates = incidence_candidates(asks, coords, rng, config.aux_candidates)
    seed = int(rng.integers(2**31))
    points = set(problem.points)
    found: list[tuple[Example, tuple[int, ...]]] = []
    checks = 0
    per_split: Counter[tuple] = Counter()  # examples per (statement, aux) and (statement, goal)
    for candidate in candidates:
        if checks >= config.checks_per_diagram or _late(deadline):
            break
        tried_on = continued(problem, coords, candidate.clauses, whole, config, rng)
        if tried_on is None:
            continue
        extended, state = tried_on[0], tried_on[1].state
        goals = sorted({f for f in recorded_goals(state)
                        if set(f.points) <= points and asked.derive_fact(f) is None}
                       | {f for f in open_facts if state.derive_fact(f) is not None})
        tried = 0
        for goal in _by_kind(goals, rng):
            if tried >= CHECKS_PER_CANDIDATE or checks >= config.checks_per_diagram \
                    or _late(deadline):
                break
            split = trace(extended, state, goal)
            if not split.auxiliary:
                continue
            ran, ex = check_split(extended, split, seed, config, known, per_split)
            tried += ran
            checks += ran
            if ex is not None:
                found.append((ex, split.statement + split.auxiliary))
    return Outcome(found)


def continued(problem: Problem, coords: dict, clauses: Sequence[Clause], whole: DDARRun,
              config: DataConfig, rng: np.random.Generator) -> tuple[Problem, DDARRun] | None:
    """``problem`` with the auxiliary ``clauses``, drawn on its diagram ``coords`` and
    saturated continuing its closure ``whole`` (the search's incremental step); None when
    they cannot be drawn or the saturation runs out of time."""
    try:
        extended = problem.with_auxiliary(clauses)
        drawn = extend_diagram(Diagram(coords, 1), extended, len(problem.clauses), rng).coords
    except GeometryError:
        return None
    run = saturate(extended, drawn, config.ddar(), whole.saturation)
    return None if run.timed_out else (extended, run)


def _open_facts(shown: Sequence[Fact], asked: ProofState, rng: np.random.Generator,
                similar_only: float) -> list[Fact]:
    """The facts ``shown`` on the diagram that the closure (``asked``) does not prove; none
    for a statement whose open facts are all similar-triangle pairs, but for a share
    ``similar_only`` of them (their pairs asked only then).

    Most statements leave only similar-triangle pairs open: the diagram shows many that
    the closure does not record as such. The heuristic candidates for them seldom prove
    anything new about the statement's points, so they took most of the generator's time
    for few examples (docs/journal/neural.md, "Four times the olympiad-like examples": 3 of 857
    statements whose goal was such a pair gave an example, 10 of 117 whose goal was an equal
    angle)."""
    similar = [f for f in shown if _kind(f) == SIMTRI.name]
    out = [f for f in shown if _kind(f) != SIMTRI.name and asked.derive_fact(f) is None]
    if not out and rng.random() >= similar_only:
        return []
    return out + [f for f in similar if asked.derive_fact(f) is None]


def _target(open_facts: Sequence[Fact], rng: np.random.Generator) -> Fact:
    """One open fact as the goal: its kind drawn first, uniformly among the kinds open
    (similar triangles of either orientation one kind), then one fact of that kind, so
    that the many similar-triangle pairs of a figure do not crowd out the rest."""
    kinds = sorted({_kind(f) for f in open_facts})
    kind = kinds[int(rng.integers(len(kinds)))]
    of_kind = [f for f in open_facts if _kind(f) == kind]
    return of_kind[int(rng.integers(len(of_kind)))]


def _by_kind(goals: Sequence[Fact], rng: np.random.Generator) -> list[Fact]:
    """``goals`` in random order, the kinds taking turns (in a random order of kinds), so
    that a candidate's few checks (``CHECKS_PER_CANDIDATE``) are not all spent on the kind
    its closure adds most of (equal angles, mostly)."""
    groups: dict[str, list[Fact]] = {}
    for i in rng.permutation(len(goals)):
        groups.setdefault(_kind(goals[int(i)]), []).append(goals[int(i)])
    turns = [groups[k] for k in sorted(groups)]
    turns = [turns[int(i)] for i in rng.permutation(len(turns))]
    return [g for rank in zip_longest(*turns) for g in rank if g is not None]


def _kind(fact: Fact) -> str:
    return SIMTRI.name if fact.pred is SIMTRI2 else fact.pred.name


def incidence_candidates(problem: Problem, coords: dict, rng: np.random.Generator,
                         k: int) -> list:
    """The heuristic source's first ``k`` candidates for ``problem`` among its first
    ``LISTED_PER_TRIED * k``, those whose new points land on the most lines and circles of
    the figure beyond what their construction states first (up to ``MAX_TIES``; the source's
    order among equals); those that cannot be drawn on ``coords`` left out."""
    listed = _HEURISTICS.propose(problem, LISTED_PER_TRIED * k)
    ties = Incidences(coords)
    scored = []
    for place, candidate in enumerate(listed):
        count = ties.count(candidate.clauses, rng)
        if count is not None:
            scored.append((-min(count, MAX_TIES), place, candidate))
    scored.sort(key=lambda t: t[:2])
    return [candidate for *_, candidate in scored[:k]]


def _late(deadline: float | None) -> bool:
    return deadline is not None and time.monotonic() > deadline
