"""Goals that need auxiliary points, and the traceback that splits a proof's clauses.

A random construction sequence is saturated prefix by prefix (``prefix_closures``: each
prefix's DD+AR closure continues its parent's, so all of them cost about one closure of the
whole sequence). A statement about the points of prefix ``k`` that the whole sequence's
closure proves but prefix ``k``'s does not (``needed_goals``) cannot be proved from the
clauses that construct its points (they all lie in the prefix, and DD+AR on fewer premises
proves no more on the same diagram): it needs a later point. Candidates are the facts the
closure recorded and the statements the diagram shows numerically (``numeric_goals``: an
angle or ratio that AR implies is usually not recorded as a fact), so goals on early points
whose proofs go through later ones are found without a closure per candidate statement.

The traceback (``trace``) is AlphaGeometry's dependency difference with minimal premises: the
*statement* is the clauses that construct the goal's points (closed over dependencies, the
base triangle always included) and only those; every other clause the goal's proof uses (a
point a fact of the proof mentions, a construction a given fact of the proof comes from,
closed over dependencies) is *auxiliary*.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Sequence
from dataclasses import dataclass
from itertools import combinations

from symbolic.geometry.dd import DDARConfig, DDARRun, saturate
from symbolic.geometry.facts import Fact, Rules
from symbolic.geometry.numeric_index import NumericIndex, cluster
from symbolic.geometry.predicates import (
    COLL,
    CONG,
    CYCLIC,
    EQANGLE,
    MIDP,
    PARA,
    PERP,
    SIMTRI,
    SIMTRI2,
)
from symbolic.geometry.problem import Clause, Problem, canonical_names
from symbolic.geometry.proof import extract_proof
from symbolic.geometry.state import ProofState
from symbolic.geometry.tables import Atom

GOALS = ("coll", "para", "perp", "cong", "cyclic", "midp", "eqangle", "eqratio",
         "simtri", "simtri2", "contri", "contri2")
ANGLE_TOL = 1e-6


@dataclass(frozen=True)
class Split:
    """A goal's clauses: ``statement`` (those constructing its points) and ``auxiliary``
    (the others its proof uses), indices into the problem's clauses in order."""

    goal: Fact
    statement: tuple[int, ...]
    auxiliary: tuple[int, ...]

    def clauses(self, problem: Problem) -> tuple[tuple[Clause, ...], tuple[Clause, ...], Atom]:
        """Statement clauses, auxiliary clauses and goal, as named in ``problem``."""
        return (tuple(problem.clauses[i] for i in self.statement),
                tuple(problem.clauses[i] for i in self.auxiliary),
                Atom(self.goal.pred, self.goal.args))

    def renamed(self, problem: Problem) -> tuple[tuple[Clause, ...], tuple[Clause, ...], Atom]:
        """Statement clauses, auxiliary clauses and goal with points renamed ``a, b, c, ...``
        in that order (AlphaGeometry's training format)."""
        order = self.statement + self.auxiliary
        pts = [p for i in order for p in problem.clauses[i].points]
        mapping = dict(zip(pts, canonical_names(len(pts))))
        renamed = tuple(problem.clauses[i].rename(mapping) for i in order)
        n = len(self.statement)
        return renamed[:n], renamed[n:], Atom(self.goal.pred, self.goal.args).rename(mapping)


def dependencies(problem: Problem) -> tuple[dict[str, int], list[set[int]]]:
    """The clause making each point, and the clauses each clause's inputs come from."""
    clause_of = {p: i for i, c in enumerate(problem.clauses) for p in c.points}
    deps = [{clause_of[a] for s in c.steps for a in s.args if a in clause_of} - {i}
            for i, c in enumerate(problem.clauses)]
    return clause_of, deps


def closure(start: set[int], deps: Sequence[set[int]]) -> set[int]:
    out: set[int] = set()
    todo = list(start)
    while todo:
        i = todo.pop()
        if i not in out:
            out.add(i)
            todo.extend(deps[i] - out)
    return out


def statement_of(goal: Fact, problem: Problem) -> set[int]:
    """The clauses constructing the goal's points, closed over dependencies, and clause 0."""
    clause_of, deps = dependencies(problem)
    return closure({clause_of[p] for p in goal.points if p in clause_of} | {0}, deps)


def trace(problem: Problem, state: ProofState, goal: Fact) -> Split:
    """The goal's statement and auxiliary clauses, from its proof in ``state`` (a closure of
    ``problem`` that holds the goal). ``auxiliary`` is empty when the proof uses no clause
    beyond the statement."""
    clause_of, deps = dependencies(problem)
    stated = closure({clause_of[p] for p in goal.points if p in clause_of} | {0}, deps)
    step_clause = {str(s): i for i, c in enumerate(problem.clauses) for s in c.steps}
    proof = extract_proof(dataclasses.replace(problem, goal=Atom(goal.pred, goal.args)),
                          state, goal)
    mentioned = {goal} | {f for f, _ in proof.given} | {s.conclusion for s in proof.steps}
    need = {clause_of[p] for f in mentioned for p in f.points if p in clause_of}
    need |= {step_clause[c] for _, c in proof.given if c in step_clause}
    aux = closure(need | stated, deps) - stated
    return Split(goal, tuple(sorted(stated)), tuple(sorted(aux)))


def prefix_closures(problem: Problem, coords: dict, config: DDARConfig,
                    done: Sequence[DDARRun] = ()) -> list[DDARRun] | None:
    """The DD+AR closure of each prefix of ``problem``'s clauses (``[k]``: the first
    ``k + 1``) on the diagram ``coords``, each continuing the one before; None when
    ``config.deadline`` passes first (a partial closure depends on the machine's speed).
    ``done``: the closures of the first prefixes, on the same drawing of their points (of
    another sequence with the same first clauses), taken as they are."""
    runs: list[DDARRun] = list(done)
    parent = runs[-1].saturation if runs else None
    for k in range(len(runs) + 1, len(problem.clauses) + 1):
        prefix = dataclasses.replace(problem, clauses=problem.clauses[:k])
        pts = set(prefix.points)
        run = saturate(prefix, {p: xy for p, xy in coords.items() if p in pts}, config,
                       parent)
        if run.timed_out:
            return None
        runs.append(run)
        parent = run.saturation
    return runs


def numeric_goals(coords: dict) -> list[Fact]:
    """Statements the diagram shows numerically: three points on a line, four on a circle,
    midpoints, parallel, perpendicular and equal segments, equal angles between lines, and
    similar triangles (either orientation). Not checked for degeneracy."""
    ix = NumericIndex(coords)
    out: list[tuple] = []
    for line in ix.lines:
        out.extend((COLL, t) for t in combinations(sorted(line), 3))
    for circle in ix.circles:
        out.extend((CYCLIC, t) for t in combinations(sorted(circle), 4))
    out.extend((MIDP, (m, a, b)) for m, a, b in ix.midpoints)
    segs = [(a, b) for a, b in combinations(ix.names, 2) if ix.dist[(a, b)] > 1e-6]
    classes = [sorted({(a, b) for a, b in g if a < b}) for g in ix.parallel_classes()]
    for g in classes:
        for s, t in combinations(g, 2):
            if not ix.collinear(*sorted(set(s) | set(t))):
                out.append((PARA, s + t))
    for s, t in combinations(segs, 2):
        if ix.perpendicular(*s, *t):
            out.append((PERP, s + t))
    for group in cluster([(ix.dist[s], s) for s in segs]):
        out.extend((CONG, s + t) for s, t in combinations(sorted(group), 2))
    # one segment per direction; the angle from one direction to another, mod pi
    in_class = {s for g in classes for s in g}
    lines = [g[0] for g in classes] + [s for s in segs if s not in in_class]
    angles = []
    for u in lines:
        for w in lines:
            v = (ix.direction(*w) - ix.direction(*u)) % math.pi
            if u != w and ANGLE_TOL < v < math.pi - ANGLE_TOL:
                angles.append((v, (u, w)))
    for pairs in cluster(angles, ANGLE_TOL):
        for (u1, w1), (u2, w2) in combinations(sorted(pairs), 2):
            if {u1, w1} != {u2, w2}:
                out.append((EQANGLE, u1 + w1 + u2 + w2))
    for tri1, tri2 in ix.similar_pairs():
        out.append((SIMTRI if _same_orientation(coords, tri1, tri2) else SIMTRI2,
                    tuple(tri1) + tuple(tri2)))
    return [Fact.make(pred, args) for pred, args in out if not pred.degenerate(args)]


def _same_orientation(coords: dict, t1: Sequence[str], t2: Sequence[str]) -> bool:
    def signed(t: Sequence[str]) -> float:
        (ax, ay), (bx, by), (cx, cy) = (coords[p] for p in t)
        return (bx - ax) * (cy - ay) - (by - ay) * (cx - ax)
    return signed(t1) * signed(t2) > 0


def recorded_goals(state: ProofState) -> list[Fact]:
    """The facts the closure derived (not given) that make goals, sorted."""
    return sorted(f for f, d in state.facts.items()
                  if d.rule != Rules.GIVEN and f.pred.name in GOALS
                  and not f.pred.degenerate(f.args))


def needed_goals(problem: Problem, runs: Sequence[DDARRun], coords: dict,
                 config: DDARConfig | None = None, numeric: bool = True,
                 earlier: bool = True) -> list[Fact]:
    """Statements that the whole sequence's closure proves and the closure of their own
    statement (``statement_of``) does not, sorted (``runs``: the sequence's
    ``prefix_closures``). Candidates are the facts the last closure recorded and, with
    ``numeric``, the statements the diagram shows (``numeric_goals``).

    A candidate on the points of prefix ``k`` that prefix's closure does not prove needs a
    later point (the statement lies in the prefix); one it proves needs an earlier clause
    off the statement's dependencies, if any: the statement's closure decides (one per
    statement, continuing the longest prefix it contains, on the same diagram; ``config``
    limits it, and a statement whose closure runs out of time gives no goals). Without
    ``earlier``, only the goals that need a later point are sought (no closure is run)."""
    clause_of, deps = dependencies(problem)
    states = [r.state for r in runs]
    final = states[-1]
    cands = set(recorded_goals(final))
    if numeric:
        cands.update(numeric_goals(coords))
    closures: dict[frozenset[int], ProofState | None] = {}
    out = []
    for f in sorted(cands):
        pts = f.points
        if not all(p in clause_of for p in pts):
            continue
        k = max(clause_of[p] for p in pts)
        stated = frozenset(closure({clause_of[p] for p in pts} | {0}, deps))
        if len(stated) == len(states) or final.derive_fact(f) is None:
            continue  # nothing is left to be auxiliary, or nothing proves it
        if states[k].derive_fact(f) is None:
            out.append(f)
            continue
        if len(stated) == k + 1 or not earlier:
            continue  # the statement is the prefix, which proves it (or not sought)
        if stated not in closures:
            closures[stated] = _closure_of(problem, stated, runs, coords, config)
        state = closures[stated]
        if state is not None and state.derive_fact(f) is None:
            out.append(f)
    return out


def _closure_of(problem: Problem, stated: frozenset[int], runs: Sequence[DDARRun],
                coords: dict, config: DDARConfig | None) -> ProofState | None:
    """The closure of the clauses ``stated`` (in order) on ``coords``, continuing the
    closure of the longest prefix among them; None if it runs out of time."""
    order = sorted(stated)
    j = 0
    while j + 1 < len(order) and order[j + 1] == j + 1:
        j += 1
    sub = dataclasses.replace(problem, clauses=tuple(problem.clauses[i] for i in order))
    pts = set(sub.points)
    run = saturate(sub, {p: xy for p, xy in coords.items() if p in pts},
                   config or DDARConfig(), runs[j].saturation)
    return None if run.timed_out else run.state
