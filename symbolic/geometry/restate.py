"""Restating a goal: construct its point the other way round and prove the locus left out.

A goal often says that a point lies on a locus: ``coll a b z`` (z on the line ab), ``cyclic a
b c z`` (on the circle abc), ``perp z p q r``, ``para z p q r``, ``cong z p z q``, ``cong o z o
p`` (``on_bline`` states an angle besides, so ``cong z p z q`` is not restated). When the
statement constructs z as the meet of two loci K and D (its clause has the one
point and two steps, D asserting one fact), the problem can be restated the way olympiad
proofs often go: construct z where the goal's locus G meets K, and prove that it lies on D.

Why the restated proof proves the statement: the restated z lies on G and K, and is proved to
lie on D, so it is a point of K ∩ D, as the statement's z is. Where K and D meet once (two
lines that are not parallel) the two are the same point; where they meet twice (a line and a
circle, two circles) they are the same point when the two constructions put them at the
same place, the branch every construction of a meet is read by (the statement means the
drawn one): ``same_point`` checks it on a diagram of the statement, and the proof checker
checks it again on its own. Either way z lies on G: the goal holds. The points constructed
after z are constructed from the same point in both statements.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .errors import GeometryError
from .numeric import DrawRejected, Vec, draw_checked
from .problem import Clause, Problem, Step, make_problem
from .tables import Atom

TRIES = 8  # draws of the restated clause (each meet's branches) to find the statement's point


@dataclass(frozen=True)
class Restatement:
    """``problem``: the statement with ``point`` constructed where the goal's locus meets
    ``kept`` (one of the point's two steps), asking whether it lies on ``dropped`` (the other).
    ``original``: the statement."""

    original: Problem
    problem: Problem
    index: int  # of the point's clause in both
    point: str
    kept: Step
    dropped: Step

    def text(self) -> str:
        """One line for a proof: what was restated and why it proves the statement."""
        z, clause = self.point, self.problem.clauses[self.index]
        return (f"{clause} (the statement: {z} = {self.kept}, {self.dropped}); proved to "
                f"satisfy {self.dropped}, this {z} is the statement's, so "
                f"{self.original.goal} holds")


def goal_locus(goal: Atom, z: str) -> Step | None:
    """The construction putting ``z`` on the locus the ``goal`` asks it to lie on (its one
    premise is the goal, up to the order of its arguments), or None."""
    args = goal.args
    name = goal.pred.name
    if args.count(z) != 1:
        return None
    if name == "coll":
        p, q = (a for a in args if a != z)
        return Step.of("on_line", z, p, q)
    if name == "cyclic":
        p, q, r = (a for a in args if a != z)
        return Step.of("on_circum", z, p, q, r)
    if name in ("perp", "para"):
        pairs = [args[:2], args[2:]]
        if z in pairs[1]:
            pairs.reverse()
        (u, v), (c, d) = pairs
        p = v if u == z else u
        return Step.of("on_tline" if name == "perp" else "on_pline", z, p, c, d)
    if name == "cong":
        (u, v), (c, d) = args[:2], args[2:]
        if z not in (u, v):
            (u, v), (c, d) = (c, d), (u, v)
        other = v if u == z else u
        if other in (c, d):  # o z = o p: z on the circle about o through p
            p = d if c == other else c
            return Step.of("on_circle", z, other, p) if p != other else None
        return None
    return None


def _fact(step: Step) -> Atom | None:
    """The one fact a step asserts, or None when it asserts more or fewer."""
    premises = step.premises
    return premises[0] if len(premises) == 1 else None


def restatements(problem: Problem) -> list[Restatement]:
    """The statement restated around each goal point its clause constructs as the meet of
    two loci (each of the two left out in turn), when the goal asks for that point on a locus
    through points constructed before it. Those that do not make a valid statement are left
    out; none is drawn here."""
    goal = problem.goal
    out: list[Restatement] = []
    defined: set[str] = set()
    for i, clause in enumerate(problem.clauses):
        before = set(defined)
        defined.update(clause.points)
        if len(clause.points) != 1 or len(clause.steps) != 2:
            continue
        (z,) = clause.points
        if z not in goal.args or not set(goal.args) - {z} <= before:
            continue
        locus = goal_locus(goal, z)
        if locus is None:
            continue
        for kept, dropped in (clause.steps, clause.steps[::-1]):
            fact = _fact(dropped)
            if fact is None or _fact(kept) is None or str(kept) == str(locus):
                continue
            new = Clause((z,), (locus, kept), clause.pins)
            clauses = problem.clauses[:i] + (new,) + problem.clauses[i + 1:]
            try:
                restated = make_problem(problem.name, clauses, fact, problem.file,
                                        problem.line)
            except GeometryError:
                continue
            out.append(Restatement(problem, restated, i, z, kept, dropped))
    return out


def same_point(r: Restatement, coords: dict[str, Vec], rng: np.random.Generator,
               tol: float = 1e-6) -> bool:
    """Whether the restated construction puts its point where ``coords`` (a drawing of the
    statement) has it: some of ``TRIES`` draws of it, from the points constructed before it,
    lands there (relative to the diagram's size)."""
    index = r.index
    earlier = {p: coords[p] for c in r.original.clauses[:index] for p in c.points}
    clause = r.problem.clauses[index]
    target = np.asarray(coords[r.point], dtype=np.float64)
    xy = np.array(list(coords.values()), dtype=np.float64)
    size = max(float(np.ptp(xy, axis=0).max()), 1.0)
    for _ in range(TRIES):
        try:
            drawn = draw_checked(clause, earlier, rng)
        except (DrawRejected, GeometryError):
            continue
        if float(np.hypot(*(np.asarray(drawn[r.point]) - target))) <= tol * size:
            return True
    return False
