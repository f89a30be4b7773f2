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

A named construction of one point is such a meet too when its first group of premises is two
facts, each the one a locus construction (``LOCI``) states: the circumcentre is where two
perpendicular bisectors meet, the foot where a line meets a perpendicular, the midpoint where
the line meets the perpendicular bisector, the incentre where two angle bisectors do
(``meet``). Such a z is restated the same way, with K the locus of one fact and D the other
fact, whose locus is L. The statement's z satisfies both facts (its construction states
them), and ``same_point`` checks on the diagram that K and L meet at it: two different curves
there, which meet at finitely many points. The restated z lies on G and K and is proved to
satisfy D: it is one of the points where K meets D's locus (L, and for equal angles the other
bisector too, which the diagram shows is not K either), and being where the statement has z,
it is the statement's z.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from itertools import product

import numpy as np

from .errors import GeometryError
from .facts import Fact
from .numeric import DrawRejected, Vec, draw_checked
from .problem import Clause, Problem, Step, make_problem
from .tables import Atom, definitions

TRIES = 8  # draws of the restated clause (each meet's branches) to find the statement's point

# Constructions of one point on one locus, each stating the fact that defines its locus first
# (``on_bline`` states the base angles of the isosceles triangle besides, which follow):
# what a fact of a named construction is read as when that construction is restated as a
# meet of two loci (``meet``). The checker keeps its own list.
LOCI = ("on_line", "on_circle", "on_tline", "on_pline", "on_circum", "on_bline",
        "angle_bisector", "on_dia")


@dataclass(frozen=True)
class Restatement:
    """``problem``: the statement with ``point`` constructed where the goal's locus meets
    ``kept`` (one of the two loci the point's clause meets), asking whether it satisfies
    ``dropped``, the fact of the other. ``original``: the statement."""

    original: Problem
    problem: Problem
    index: int  # of the point's clause in both
    point: str
    kept: Step
    dropped: Atom
    other: Step  # the locus of ``dropped``, which meets ``kept`` at the statement's point

    def text(self) -> str:
        """One line for a proof: what was restated and why it proves the statement."""
        z, clause = self.point, self.problem.clauses[self.index]
        return (f"{clause} (the statement: {self.original.clauses[self.index]}); proved to "
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


def locus_of(fact: Atom, z: str) -> Step | None:
    """The construction of ``LOCI`` that puts ``z`` where ``fact`` holds (its first premise
    is the fact, up to spelling; its other points the fact's), or None."""
    key = Fact.make(fact.pred, fact.args)
    points = sorted(set(fact.args) - {z})
    if len(points) == len(fact.args):  # z is not in it
        return None
    for name in LOCI:
        cons = definitions()[name]
        (x,) = cons.new_points
        first = cons.premise_groups[0][0]
        if first.pred is not fact.pred:
            continue
        others = [a for a in cons.args if a != x]
        for chosen in product(points, repeat=len(others)):
            if len(set(chosen)) < len(chosen):
                continue  # (a locus of distinct points)
            mapping = {x: z, **dict(zip(others, chosen))}
            atom = first.rename(mapping)
            if Fact.make(atom.pred, atom.args) == key:
                return Step(cons, tuple(mapping[a] for a in cons.args))
    return None


@lru_cache(maxsize=256)
def _meets(name: str) -> tuple[tuple[Step, Atom], tuple[Step, Atom]] | None:
    """``meet`` over the construction's own argument names."""
    cons = definitions()[name]
    groups = cons.premise_groups
    if len(cons.new_points) != 1 or not groups or len(groups[0]) != 2:
        return None
    (x,) = cons.new_points
    found = [(locus_of(f, x), f) for f in groups[0]]
    (k1, f1), (k2, f2) = found
    if k1 is None or k2 is None:
        return None
    return (k1, f1), (k2, f2)


def meet(step: Step) -> tuple[tuple[Step, Atom], tuple[Step, Atom]] | None:
    """A step of a named construction of one point whose first premise group is two facts,
    each the one a construction of ``LOCI`` states: the two loci, each with its fact, on the
    step's points; None for any other step."""
    found = _meets(step.construction.name)
    if found is None:
        return None
    m = step.mapping
    (k1, f1), (k2, f2) = found
    return (k1.rename(m), f1.rename(m)), (k2.rename(m), f2.rename(m))


def restatements(problem: Problem) -> list[Restatement]:
    """The statement restated around each goal point its clause constructs as the meet of
    two loci (two steps, or one step that ``meet`` reads so; each of the two left out in
    turn), when the goal asks for that point on a locus through points constructed before
    it. Those that do not make a valid statement are left out; none is drawn here."""
    goal = problem.goal
    target = Fact.make(goal.pred, goal.args)
    out: list[Restatement] = []
    defined: set[str] = set()
    for i, clause in enumerate(problem.clauses):
        before = set(defined)
        defined.update(clause.points)
        if len(clause.points) != 1:
            continue
        (z,) = clause.points
        if z not in goal.args or not set(goal.args) - {z} <= before:
            continue
        locus = goal_locus(goal, z)
        if locus is None:
            continue
        if len(clause.steps) == 2:  # the loci are the steps, each stating one fact
            pairs = tuple((step, _fact(step)) for step in clause.steps)
        elif len(clause.steps) == 1 and (found := meet(clause.steps[0])) is not None:
            pairs = found
        else:
            continue
        for (kept, kept_fact), (other, fact) in (pairs, pairs[::-1]):
            if fact is None or kept_fact is None or str(kept) == str(locus) \
                    or Fact.make(kept_fact.pred, kept_fact.args) == target:
                continue
            new = Clause((z,), (locus, kept), clause.pins)
            clauses = problem.clauses[:i] + (new,) + problem.clauses[i + 1:]
            try:
                restated = make_problem(problem.name, clauses, fact, problem.file,
                                        problem.line)
            except GeometryError:
                continue
            out.append(Restatement(problem, restated, i, z, kept, fact, other))
    return out


def same_point(r: Restatement, coords: dict[str, Vec], rng: np.random.Generator,
               tol: float = 1e-6) -> bool:
    """Whether the restated construction puts its point where ``coords`` (a drawing of the
    statement) has it, and the two loci it was restated from (``kept`` and ``other``) meet
    there: of ``TRIES`` draws of each, from the points constructed before it, one lands
    there (relative to the diagram's size). (Where the statement's clause is those two loci,
    it put the point there.)"""
    index = r.index
    earlier = {p: coords[p] for c in r.original.clauses[:index] for p in c.points}
    target = np.asarray(coords[r.point], dtype=np.float64)
    xy = np.array(list(coords.values()), dtype=np.float64)
    size = max(float(np.ptp(xy, axis=0).max()), 1.0)

    def lands(clause: Clause) -> bool:
        for _ in range(TRIES):
            try:
                drawn = draw_checked(clause, earlier, rng)
            except (DrawRejected, GeometryError):
                continue
            if float(np.hypot(*(np.asarray(drawn[r.point]) - target))) <= tol * size:
                return True
        return False

    if not lands(r.problem.clauses[index]):
        return False
    return len(r.original.clauses[index].steps) == 2 \
        or lands(Clause((r.point,), (r.kept, r.other)))
