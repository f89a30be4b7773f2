"""Seeded numeric diagrams: coordinates for every point of a problem.

For each clause in order: check the prerequisites of its constructions on the points drawn
so far, sketch the loci of its constructions (``sketches.SKETCHES``), intersect them (or
sample a point on a single locus), honour ``name@x_y`` pins, reject degenerate draws (a new
point too close to an existing one or too far from the diagram, AlphaGeometry's 0.1x / 4x
heuristics) and check that every premise holds numerically. A failed clause is redrawn a
few times, then the whole build restarts, up to ``max_tries`` builds or a deadline. If
every build succeeds but the goal is numerically false, ``FalseGoalError``; if no build
succeeds, ``DiagramError`` naming the clause that kept failing. Randomness comes only from
the generator passed in, so a seed fixes the diagram.
"""

from __future__ import annotations

import math
import time
from collections import Counter
from dataclasses import dataclass

import numpy as np

from .errors import DiagramError, FalseGoalError
from .loci import (
    ON_TOL,
    Circle,
    Line,
    Locus,
    PointSet,
    Ray,
    SketchError,
    Vec,
    contains,
    intersect,
    norm,
)
from .predicates import holds
from .problem import Clause, Problem
from .sketches import SKETCHES

__all__ = ["Circle", "Diagram", "Line", "Locus", "PointSet", "Ray", "build_diagram",
           "draw_clause", "sample"]

TOO_CLOSE = 0.1  # x the smallest distance of an existing point to the centroid
TOO_FAR = 4.0  # x the largest distance of an existing point to the centroid
MIN_SEP = 1e-3  # absolute floor on the distance between two points (diagram scale ~1)
CLAUSE_TRIES = 3  # redraws of one clause before the whole build restarts


@dataclass(frozen=True, eq=False)
class Diagram:
    """Coordinates of every point of a problem, and how many builds it took."""

    coords: dict[str, Vec]
    tries: int = 1

    def __getitem__(self, name: str) -> Vec:
        return self.coords[name]

    @property
    def points(self) -> tuple[str, ...]:
        return tuple(self.coords)


class DrawRejected(Exception):
    """One draw of one clause failed; ``reason`` says why."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class _Scale:
    """Where the existing points are: centroid and the too-close / too-far limits, and the
    points themselves as an array (in the order given), which every drawing check reads."""

    center: Vec
    near: float
    far: float
    xy: np.ndarray

    @staticmethod
    def of(points: list[Vec]) -> _Scale:
        if not points:
            return _Scale(np.zeros(2), MIN_SEP, math.inf, np.zeros((0, 2)))
        pts = np.array(points, dtype=np.float64).reshape(-1, 2)
        center = pts.mean(axis=0)
        dist = np.hypot(pts[:, 0] - center[0], pts[:, 1] - center[1])
        far = TOO_FAR * float(dist.max()) if len(points) >= 2 else math.inf
        return _Scale(center, max(TOO_CLOSE * float(dist.min()), MIN_SEP), far, pts)


def sample(locus: Locus, existing: list[Vec], rng: np.random.Generator, n: int = 5) -> Vec:
    """A random point on ``locus`` near the existing points (AG1 ``sample_within``).

    Of ``n`` random candidates within the existing points' bounding circle, the one
    farthest from every existing point wins.
    """
    if isinstance(locus, PointSet):
        return locus.points[int(rng.integers(len(locus.points)))]
    pts = np.array(existing) if existing else np.zeros((1, 2))
    center = pts.mean(axis=0)
    radius = max(float(np.max(np.hypot(pts[:, 0] - center[0], pts[:, 1] - center[1]))), 0.5)
    if isinstance(locus, Circle):
        ang = rng.uniform(0.0, 2 * math.pi, n)
        cands = locus.c + locus.r * np.stack((np.cos(ang), np.sin(ang)), axis=1)
    elif isinstance(locus, Ray):
        t = rng.uniform(0.0, norm(locus.p - center) + radius, n)
        cands = locus.p + t[:, None] * locus.d
    else:
        t = rng.uniform(-radius, radius, n)
        cands = locus.foot(center) + t[:, None] * locus.d
    dist = np.hypot(cands[:, None, 0] - pts[None, :, 0], cands[:, None, 1] - pts[None, :, 1])
    return cands[int(np.argmax(dist.min(axis=1)))].copy()


def _sketch_clause(clause: Clause, coords: dict[str, Vec], rng: np.random.Generator
                   ) -> tuple[dict[str, Vec], dict[str, list[Locus]]]:
    """Run the sketches of a clause: points drawn directly, and loci of the others."""
    new: dict[str, Vec] = {p: np.array(xy, dtype=float) for p, xy in clause.pins.items()}
    loci: dict[str, list[Locus]] = {}
    for step in clause.steps:
        c = step.construction
        m = step.mapping
        for sk in c.sketches:
            args = tuple(float(m[a]) if a in c.numeric_args else coords[m[a]] for a in sk.args)
            try:
                out = SKETCHES[sk.name](args, rng)
            except SketchError as e:
                raise DrawRejected(f"{step}: {e}") from None
            if not isinstance(out, tuple):
                if len(c.new_points) != 1:
                    raise TypeError(f"sketch {sk.name} gives a locus for {c.name}, "
                                    "which creates several points")
                loci.setdefault(m[c.new_points[0]], []).append(out)
                continue
            for formal, xy in zip(c.new_points, out, strict=True):
                name = m[formal]
                if name in clause.pins:
                    continue
                if name in new and norm(new[name] - xy) > ON_TOL:
                    raise DrawRejected(f"{step}: {name} is drawn at two places")
                new[name] = xy
    return new, loci


def draw_clause(clause: Clause, coords: dict[str, Vec], rng: np.random.Generator,
                scale: _Scale | None = None) -> dict[str, Vec]:
    """Draw the new points of one clause given the points drawn so far (not checked);
    ``scale``: theirs (``diagram_scale``), when the caller has it."""
    new, plan = _sketched(clause, coords, rng)
    return _placed(clause, coords, new, plan, rng, scale)


_Plan = dict  # point -> ("loci", its loci) or ("meet", where they meet) or ("error", why)


def _sketched(clause: Clause, coords: dict[str, Vec], rng: np.random.Generator
              ) -> tuple[dict[str, Vec], _Plan]:
    """What drawing a clause reads off its inputs: the points sketched directly, and for
    each other point its locus (or none), or the points where its loci meet."""
    new, loci = _sketch_clause(clause, coords, rng)
    plan: _Plan = {}
    for name in clause.points:
        if name in new:
            continue
        ls = loci.get(name, [])
        if len(ls) < 2:
            plan[name] = ("loci", ls)
            continue
        ls = sorted(ls, key=lambda x: not isinstance(x, PointSet))
        try:
            cands = intersect(ls[0], ls[1])
            for other in ls[2:]:
                cands = [p for p in cands if contains(other, p)]
        except SketchError as e:  # raised in its turn, as drawing the points in order would
            plan[name] = ("error", e)
            continue
        plan[name] = ("meet", cands)
    return new, plan


def _placed(clause: Clause, coords: dict[str, Vec], new: dict[str, Vec], plan: _Plan,
            rng: np.random.Generator, scale: _Scale | None) -> dict[str, Vec]:
    """Place the points of a clause not sketched directly (``_sketched``), in order: a free
    point at random, one on a single locus sampled near the diagram, one on several where
    they meet away from the existing points (at random among those places)."""
    existing = list(coords.values())
    near = (scale or _Scale.of(existing)).near
    for name in clause.points:
        if name in new:
            continue
        kind, found = plan[name]
        if kind == "error":
            raise found
        if kind == "loci":
            if not found:  # no construction at all: a free point
                new[name] = rng.uniform(-1.0, 1.0, 2)
            else:
                new[name] = sample(found[0], existing + list(new.values()), rng)
            continue
        cands = found
        if not cands:
            raise DrawRejected(f"the loci of {name} do not meet")
        others = [(float(q[0]), float(q[1])) for q in existing + list(new.values())]
        cands = [p for p in cands if _clear_of(p, others, near)]
        if not cands:
            raise DrawRejected(f"the loci of {name} meet only at existing points")
        new[name] = cands[int(rng.integers(len(cands)))] if len(cands) > 1 else cands[0]
    return new


def _clear_of(p: Vec, others: list[tuple[float, float]], near: float) -> bool:
    """Whether ``p`` is at least ``near`` from each of ``others``: ``norm(p - q) >= near``
    for each, on plain floats (the same differences, the same ``math.hypot``)."""
    px, py = float(p[0]), float(p[1])
    hypot = math.hypot
    return all(hypot(px - qx, py - qy) >= near for qx, qy in others)


def diagram_scale(coords: dict[str, Vec]) -> _Scale:
    """Where the points of ``coords`` are, as drawing a clause on them reads it."""
    return _Scale.of(list(coords.values()))


def draw_checked(clause: Clause, coords: dict[str, Vec], rng: np.random.Generator,
                 scale: _Scale | None = None) -> dict[str, Vec]:
    """Draw the new points of one clause and check them as a build does (prerequisites,
    degenerate draws, premises); raises ``DrawRejected`` saying why it failed. ``scale``:
    ``diagram_scale(coords)``, when the caller has it."""
    _check_prerequisites(clause, coords)
    scale = scale or diagram_scale(coords)
    new = draw_clause(clause, coords, rng, scale)
    _check_drawn(clause, coords, new, scale)
    return new


DrawMemo = dict
"""What drawing a clause reads off its inputs alone (``draw_remembered``): (the clause up
to the names of its new points, its inputs' coordinates) -> its direct points and the plan
for the others (``_sketched``, by the index of the point), or None when the inputs alone
reject it."""

_NEW = "·"  # the new points of a clause, in a memo key


def draw_remembered(clause: Clause, coords: dict[str, Vec], rng: np.random.Generator,
                    scale: _Scale | None, memo: DrawMemo) -> dict[str, Vec]:
    """``draw_checked``, remembering what the draw reads off the clause's inputs alone: the
    prerequisites, the sketches and where loci meet, when they draw no randomness. These are
    the same on any diagram that places the inputs alike (a search's nodes keep their
    parent's points), so they are worked out once; the rest (sampling, the choice among
    meeting points, the checks against the other points) is done every time, as
    ``draw_checked`` does it, and the premises once per placement of the new points: the
    same points, the same randomness drawn, rejected by ``DrawRejected`` exactly when it
    would be."""
    points = clause.points
    if clause.pins:
        return draw_checked(clause, coords, rng, scale)
    inputs = sorted({a for step in clause.steps
                     for a, f in zip(step.args, step.construction.args)
                     if a not in points and f not in step.construction.numeric_args})
    key = (tuple((step.construction.name,
                  tuple(_NEW + str(points.index(a)) if a in points else a for a in step.args))
                 for step in clause.steps),
           tuple(coords[a].tobytes() for a in inputs))
    found = memo.get(key, False)
    if found is None:
        raise DrawRejected("its inputs reject it")
    if found is False:  # not seen: draw as ``draw_checked`` does, keeping what it read
        try:
            _check_prerequisites(clause, coords)
        except DrawRejected:
            memo[key] = None
            raise
        before = rng.bit_generator.state
        try:
            new, plan = _sketched(clause, coords, rng)
        except DrawRejected:
            if rng.bit_generator.state == before:
                memo[key] = None
            raise
        if rng.bit_generator.state == before:
            memo[key] = ({points.index(p): xy for p, xy in new.items()},
                         {points.index(p): v for p, v in plan.items()})
    else:
        new = {points[i]: xy for i, xy in found[0].items()}
        plan = {points[i]: v for i, v in found[1].items()}
    scale = scale or diagram_scale(coords)
    new = _placed(clause, coords, new, plan, rng, scale)
    # the premises read the inputs and the new points only: checked once per placement
    placed = (key, tuple(new[p].tobytes() for p in points))
    holding = memo.get(placed)
    if holding is None:
        try:
            _check_drawn(clause, coords, new, scale)
        except DrawRejected as e:
            if e.reason.startswith("premise "):  # the placement passed, a premise failed
                memo[placed] = e
            raise
        memo[placed] = True
        return new
    _check_drawn(clause, coords, new, scale, premises=False)
    if holding is not True:
        raise DrawRejected(holding.reason)
    return new


def _check_drawn(clause: Clause, coords: dict[str, Vec], new: dict[str, Vec],
                 scale: _Scale | None = None, premises: bool = True) -> None:
    """Reject degenerate draws and draws on which a premise does not hold (``premises``:
    whether to check those)."""
    scale = scale or diagram_scale(coords)
    names = list(coords)
    placed = scale.xy  # the points of ``coords``, in its order
    last = len(new) - 1
    for i, (name, p) in enumerate(new.items()):
        if not all(map(math.isfinite, p)):
            raise DrawRejected(f"{name} is not finite")
        if name not in clause.pins:
            close = np.hypot(p[0] - placed[:, 0], p[1] - placed[:, 1]) < scale.near
            if close.any():  # norm(p - q) for some q placed
                raise DrawRejected(f"{name} is too close to {names[int(np.argmax(close))]}")
            if norm(p - scale.center) > scale.far:
                raise DrawRejected(f"{name} is too far from the diagram")
        if i < last:  # the next points are checked against this one too
            names.append(name)
            placed = np.vstack((placed, np.asarray(p, dtype=np.float64).reshape(1, 2)))
    if premises:
        _check_premises(clause, coords, new)


def _check_premises(clause: Clause, coords: dict[str, Vec], new: dict[str, Vec]) -> None:
    everything = {**coords, **new}
    for step in clause.steps:
        for atom in step.premises:
            if not holds(atom.pred, atom.args, everything):
                raise DrawRejected(f"premise {atom} of {step} does not hold")


def _check_prerequisites(clause: Clause, coords: dict[str, Vec]) -> None:
    for step in clause.steps:
        for atom in step.prerequisites:
            if not holds(atom.pred, atom.args, coords):
                raise DrawRejected(f"prerequisite {atom} of {step} fails")


class _BuildFailed(Exception):
    def __init__(self, clause: int, reason: str) -> None:
        super().__init__(reason)
        self.clause = clause
        self.reason = reason


def _build_once(problem: Problem, rng: np.random.Generator) -> dict[str, Vec]:
    coords: dict[str, Vec] = {}
    _draw_clauses(problem, 0, coords, rng)
    return coords


def _draw_clauses(problem: Problem, start: int, coords: dict[str, Vec],
                  rng: np.random.Generator) -> None:
    """Draw clauses ``start:`` into ``coords`` (which holds the earlier clauses' points)."""
    for k in range(start, len(problem.clauses)):
        clause = problem.clauses[k]
        try:
            _check_prerequisites(clause, coords)
        except DrawRejected as e:  # redrawing this clause cannot help
            raise _BuildFailed(k, e.reason) from None
        reason = ""
        scale = diagram_scale(coords)
        for _ in range(CLAUSE_TRIES):
            try:
                new = draw_clause(clause, coords, rng, scale)
                _check_drawn(clause, coords, new, scale)
            except DrawRejected as e:
                reason = e.reason
                continue
            coords.update((p, new[p]) for p in clause.points)
            break
        else:
            raise _BuildFailed(k, reason)


def extend_diagram(diagram: Diagram, problem: Problem, start: int,
                   rng: np.random.Generator) -> Diagram:
    """Draw clauses ``start:`` of ``problem`` on ``diagram``, a drawing of its first ``start``
    clauses whose points stay where they are (so what was read off it stays true).

    Raises ``DiagramError`` when a clause cannot be drawn on this diagram (its prerequisites
    fail there, or its draws keep failing); drawing the whole problem anew may still work.
    """
    coords = dict(diagram.coords)
    try:
        _draw_clauses(problem, start, coords, rng)
    except _BuildFailed as e:
        raise DiagramError(f"clause {e.clause + 1} '{problem.clauses[e.clause]}' cannot be "
                           f"drawn on the diagram: {e.reason}", file=problem.file,
                           line=problem.line, problem=problem.name) from None
    return Diagram(coords, diagram.tries)


def _goal_holds(problem: Problem, coords: dict[str, Vec]) -> bool:
    goal = problem.goal
    try:
        return any(holds(p, goal.args, coords) for p in goal.pred.goal_cases or (goal.pred,))
    except (TypeError, ValueError, KeyError) as e:
        raise FalseGoalError(f"goal {goal} cannot be checked numerically: {e}",
                             file=problem.file, line=problem.line,
                             problem=problem.name) from None


def build_diagram(problem: Problem, rng: np.random.Generator, *, max_tries: int = 100,
                  deadline: float | None = None, check_goal: bool = True) -> Diagram:
    """Draw ``problem`` with ``rng``; retry whole builds until one works (and, with
    ``check_goal``, the goal holds numerically).

    At most ``max_tries`` builds (at least one), and none started after ``deadline``
    (a ``time.monotonic()`` value). Raises ``FalseGoalError`` if builds succeeded but the
    goal was false on all of them, ``DiagramError`` if no build succeeded.
    """
    failures: Counter[tuple[int, str]] = Counter()
    false_goals = 0
    tries = 0
    while tries < max(1, max_tries):
        if tries and deadline is not None and time.monotonic() > deadline:
            break
        tries += 1
        try:
            coords = _build_once(problem, rng)
        except _BuildFailed as e:
            failures[(e.clause, e.reason)] += 1
            continue
        if not check_goal or _goal_holds(problem, coords):
            return Diagram(coords, tries)
        false_goals += 1
    if false_goals:
        raise FalseGoalError(f"goal {problem.goal} is numerically false on all {false_goals} "
                             f"diagrams built ({tries} tries)", file=problem.file,
                             line=problem.line, problem=problem.name)
    raise DiagramError(_explain(problem, failures, tries), file=problem.file,
                       line=problem.line, problem=problem.name)


def _explain(problem: Problem, failures: Counter[tuple[int, str]], tries: int) -> str:
    by_clause: Counter[int] = Counter()
    for (k, _), n in failures.items():
        by_clause[k] += n
    k, n = by_clause.most_common(1)[0]
    reason = max((r for r in failures.items() if r[0][0] == k), key=lambda r: r[1])[0][1]
    return (f"no diagram in {tries} tries: clause {k + 1} '{problem.clauses[k]}' failed "
            f"{n} times, most often because {reason}")
