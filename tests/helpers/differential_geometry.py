"""Differential checks of the geometry prover (DD+AR).

A case is a random small construction sequence (``neural.data.sample_clauses``: a base
triangle, then clauses drawn from the definition table) and a goal picked on one drawing of it:
most often a statement that holds there, sometimes one that does not. ``check`` proves it with
``symbolic.geometry.prover.prove`` and judges the answer with what the prover does not decide:

- a proved goal: the proof is replayed (``check_proof``) against a diagram drawn afresh from an
  independent seed, and the goal must hold there;
- every case: every fact of DD+AR's whole closure of the clauses must hold on a fresh
  diagram;
- a false goal (false on the drawing it was picked on): ``prove`` must not prove it, and the
  closure on a drawing where it is false must not hold it.

The prover reads facts off its drawing, so a fact is claimed for the configuration of that
drawing only (a point on a line and a circle may land on either intersection). A statement
that fails on a fresh drawing is wrong only when it fails on every one of at least
``CONFIRM`` fresh drawings where its points are placed as on the drawing it was derived on
(the orientation of every triple, the order of collinear ones, up to a reflection).
"""

from __future__ import annotations

import dataclasses
import random
import time
from dataclasses import dataclass

import numpy as np
from differential import WRONG, Verdict

PROVED = "proved+replayed"
NOT_PROVED = "not proved"
REJECTED = "false goal rejected"
TIMEOUT = "timeout"
UNDRAWABLE = "undrawable"
OUTCOMES = (PROVED, NOT_PROVED, REJECTED, TIMEOUT, UNDRAWABLE, WRONG)

TRUE_SHARE = 0.75  # cases whose goal holds on the drawing it was picked on
MIN_CLAUSES, MAX_CLAUSES = 3, 6  # clauses after the base triangle
GOALS = ("coll", "para", "perp", "cong", "cyclic", "midp", "eqangle", "eqratio",
         "simtri", "simtri2", "contri", "contri2")
SAMPLES_PER_PREDICATE = 200  # random statements tried per predicate when looking for a goal
CONFIRM = 3  # fresh drawings in the statement's configuration needed to call it false
FRESH = 24  # fresh drawings searched for them
PROBES_PER_PREDICATE = 60  # random statements asked of each closure, per predicate


@dataclass(frozen=True)
class GeometryCase:
    """A problem line, whether its goal held on the drawing it was picked on, the seed the
    prover draws with."""

    problem: str
    goal_held: bool
    seed: int

    def text(self) -> str:
        return self.problem


# ------------------------------------------------------------------ generating


def _statement(name: str, points: list[str], rng: random.Random) -> tuple[str, ...]:
    """Random arguments for goal predicate ``name``: distinct points within a segment, a
    triangle or a collinear/concyclic set."""
    if name == "coll":
        return tuple(rng.sample(points, 3))
    if name == "cyclic":
        return tuple(rng.sample(points, 4))
    if name == "midp":
        return tuple(rng.sample(points, 3))
    if name in ("para", "perp", "cong"):
        return tuple(rng.sample(points, 2) + rng.sample(points, 2))
    if name in ("eqangle", "eqratio"):
        return tuple(p for _ in range(4) for p in rng.sample(points, 2))
    return tuple(rng.sample(points, 3) + rng.sample(points, 3))  # triangles


def trivial(name: str, args: tuple[str, ...]) -> bool:
    """Whether the statement says nothing whatever the figure (a segment paired with itself,
    an angle or a ratio with itself, a triangle with itself)."""
    if name in ("coll", "cyclic", "midp"):
        return False
    if name in ("para", "perp", "cong"):
        return {args[0], args[1]} == {args[2], args[3]}
    if name in ("eqangle", "eqratio"):
        segs = [frozenset(args[i:i + 2]) for i in range(0, 8, 2)]
        return segs[0] == segs[1] or segs[2] == segs[3] or {segs[0], segs[1]} == {segs[2],
                                                                                   segs[3]}
    return args[:3] == args[3:] or set(args[:3]) == set(args[3:])


def statements(rng: random.Random, points, per_predicate: int = PROBES_PER_PREDICATE
               ) -> list[tuple]:
    """Random non-trivial, non-degenerate statements of every goal predicate over ``points``,
    as ``(predicate, args)``."""
    from symbolic.geometry.predicates import PREDICATES

    out = []
    for name in GOALS:
        pred = PREDICATES[name]
        for _ in range(per_predicate):
            args = _statement(name, list(points), rng)
            if not trivial(name, args) and not pred.degenerate(pred.canonical(args)):
                out.append((pred, args))
    return out


def pick_goal(coords: dict, rng: random.Random, want_true: bool,
              given: frozenset = frozenset()) -> str | None:
    """A non-trivial goal statement (text) that holds on ``coords`` (or fails there, with
    ``want_true`` False) and is not one of the ``given`` facts, predicates tried in random
    order; None if none was found."""
    from symbolic.geometry.facts import Fact
    from symbolic.geometry.predicates import PREDICATES

    points = sorted(coords)
    for name in rng.sample(GOALS, len(GOALS)):
        pred = PREDICATES[name]
        for _ in range(SAMPLES_PER_PREDICATE):
            args = _statement(name, points, rng)
            if trivial(name, args) or pred.degenerate(pred.canonical(args)):
                continue
            try:
                ok = pred.holds(args, coords)
            except (ValueError, ZeroDivisionError):
                continue
            if ok == want_true and Fact.make(pred, args) not in given:
                return " ".join((name, *args))
    return None


def generate(rng: random.Random, k: int) -> GeometryCase:
    """A drawable random problem and a goal picked on one drawing of it."""
    from neural.data import DataConfig, sample_clauses
    from symbolic.geometry.dd import given_facts
    from symbolic.geometry.errors import GeometryError
    from symbolic.geometry.numeric import build_diagram
    from symbolic.geometry.predicates import COLL
    from symbolic.geometry.problem import make_problem
    from symbolic.geometry.tables import Atom

    config = DataConfig(min_clauses=MIN_CLAUSES, max_clauses=MAX_CLAUSES)
    want_true = rng.random() < TRUE_SHARE
    while True:  # almost every draw succeeds within a few tries
        np_rng = np.random.default_rng(rng.getrandbits(63))
        clauses = sample_clauses(np_rng, config)
        try:
            problem = make_problem(f"diff_{k}", clauses, Atom(COLL, ("a", "b", "c")))
            diagram = build_diagram(problem, np_rng, max_tries=10, check_goal=False)
        except GeometryError:
            continue
        given = frozenset(f for f, _ in given_facts(problem))
        goal = pick_goal(dict(diagram.coords), rng, want_true, given)
        if goal is not None:
            text = problem.text().rsplit(" ? ", 1)[0] + " ? " + goal
            return GeometryCase(text, want_true, rng.getrandbits(31))


# ------------------------------------------------------------------ checking


def _fresh_states(problem, seed: int, n: int) -> list:
    """Proof states over ``n`` drawings of ``problem`` from a stream no prover call uses."""
    from symbolic.geometry.numeric import build_diagram
    from symbolic.geometry.state import ProofState

    rng = np.random.default_rng([seed, 7919])
    return [ProofState(build_diagram(problem, rng, check_goal=False).coords) for _ in range(n)]


def _shape(coords, points: tuple[str, ...]) -> tuple[tuple[int, ...], tuple[int, ...]]:
    """The configuration of ``points`` on a drawing: the orientation of every triple, and
    for a collinear one the order of its points along the line."""
    from symbolic.geometry.predicates.measure import TOL

    turns: list[int] = []
    orders: list[int] = []
    for i, a in enumerate(points):
        for j in range(i + 1, len(points)):
            for c in points[j + 1:]:
                p, q, r = (np.asarray(coords[x], dtype=float) for x in (a, points[j], c))
                u, v = q - p, r - p
                cross = float(u[0] * v[1] - u[1] * v[0])
                if abs(cross) > TOL * max(1.0, float(np.dot(u, u) + np.dot(v, v))):
                    turns.append(1 if cross > 0 else -1)
                else:
                    turns.append(0)
                    orders += [int(np.sign(np.dot(u, v))), int(np.sign(np.dot(p - q, r - q)))]
    return tuple(turns), tuple(orders)


def _mirrored(shape: tuple[tuple[int, ...], tuple[int, ...]]) -> tuple:
    return tuple(-x for x in shape[0]), shape[1]


def refuted(facts, coords, problem, seed: int) -> str | None:
    """The first statement of ``facts`` (``(predicate, args)`` pairs, true on ``coords``)
    that is false on every one of the fresh drawings (at least ``CONFIRM``) where its points
    sit as on ``coords`` (up to a reflection); else None. A statement is only claimed for the
    configuration it was derived on: two intersections of a line and a circle can make it
    true on one side and false on the other."""
    from symbolic.geometry.predicates import PREDICATES

    states = _fresh_states(problem, seed, 1)
    suspects = [(p, a) for p, a in facts if p.replay_checked and not states[0].holds(p, a)]
    if not suspects:
        return None
    more = _fresh_states(problem, seed + 1, FRESH)
    for p, a in suspects:
        n = PREDICATES[p.name].numeric_args if p.name in PREDICATES else 0
        points = tuple(dict.fromkeys(a[:len(a) - n]))
        shape = _shape(coords, points)
        same = [s for s in [*states, *more]
                if _shape(s.coords, points) in (shape, _mirrored(shape))]
        if len(same) >= CONFIRM and not any(s.holds(p, a) for s in same):
            return " ".join((p.name, *a))
    return None


def check(case: GeometryCase, timeout: float) -> Verdict:
    from symbolic.geometry.errors import DiagramError, FalseGoalError
    from symbolic.geometry.problem import parse_problem
    from symbolic.geometry.prover import ProverConfig, prove

    problem = parse_problem(case.problem, name="diff")
    try:
        outcome = prove(problem, ProverConfig(seed=case.seed, timeout=timeout))
    except FalseGoalError:
        outcome = None  # false on every drawing the prover made
    except DiagramError as e:
        return Verdict(UNDRAWABLE, str(e))
    try:
        wrong = _closure_error(problem, case, timeout)
        if wrong is None and outcome is not None and outcome.proved:
            wrong = _proof_error(problem, outcome, case)
    except DiagramError as e:  # a fresh drawing failed: rare, and no verdict either way
        return Verdict(UNDRAWABLE, str(e))
    if wrong is not None:
        return Verdict(WRONG, wrong)
    if outcome is not None and outcome.proved:
        return Verdict(PROVED, f"{len(outcome.proof.steps)} steps")
    if not case.goal_held:
        return Verdict(REJECTED)
    if outcome is not None and outcome.timed_out:
        return Verdict(TIMEOUT)
    return Verdict(NOT_PROVED)


def _proof_error(problem, outcome, case: GeometryCase) -> str | None:
    """What is wrong with a proof the prover returned: a false goal, a step that fails its
    replay on a fresh drawing, a goal or step false on fresh drawings; None if nothing."""
    from symbolic.geometry.proof import ProofCheckError, check_proof

    proof = outcome.proof
    if not case.goal_held:
        return "proved a goal that is false on the drawing it was picked on"
    from symbolic.geometry.numeric import build_diagram

    coords = outcome.diagram.coords
    # a fresh drawing where the goal holds (as the prover's own check draws one), from a
    # stream the prover does not use
    fresh = build_diagram(problem, np.random.default_rng([case.seed, 104729]))
    try:
        check_proof(proof, fresh.coords, coords)
    except ProofCheckError as e:
        return f"the proof fails its replay on a fresh drawing: {e}"
    goal = problem.goal
    cases = [(p, goal.args) for p in goal.pred.goal_cases or (goal.pred,)
             if p.holds(goal.args, coords)]
    bad = refuted([(s.conclusion.pred, s.conclusion.args) for s in proof.steps] + cases[:1],
                  coords, problem, case.seed)
    return None if bad is None else f"the proof concludes {bad}, false on fresh drawings"


def _closure_error(problem, case: GeometryCase, timeout: float) -> str | None:
    """DD+AR's whole closure of the problem's clauses (a goal it cannot reach: the base
    triangle collinear) on the prover's drawing: a fact false on fresh drawings, or a goal
    that is false yet derived, is an error; None if there is none."""
    from symbolic.geometry.dd import DDARConfig, goal_fact, saturate
    from symbolic.geometry.numeric import build_diagram
    from symbolic.geometry.predicates import COLL
    from symbolic.geometry.tables import Atom

    first = problem.clauses[0].points
    bare = dataclasses.replace(problem, goal=Atom(COLL, first[:3]))
    diagram = build_diagram(problem, np.random.default_rng(case.seed), check_goal=False)
    run = saturate(bare, diagram.coords, DDARConfig(deadline=time.monotonic() + timeout))
    goal = problem.goal
    if not case.goal_held and any(goal_fact(run.state, Atom(p, goal.args)) is not None
                                  for p in goal.pred.goal_cases or (goal.pred,)):
        return f"DD+AR derived the false goal {goal}"
    facts = [(f.pred, f.args) for f in run.state.facts]
    # statements the closure holds without storing them (AR tables, facts known by parts)
    probes = [(pred, args) for pred, args in statements(random.Random(case.seed), problem.points)
              if goal_fact(run.state, Atom(pred, args)) is not None]
    false_here = [" ".join((pred.name, *args)) for pred, args in probes
                  if not pred.holds(args, diagram.coords)]
    if false_here:
        return f"DD+AR derived {false_here[0]}, false on its own drawing"
    bad = refuted(facts + probes, diagram.coords, problem, case.seed)
    return None if bad is None else f"DD+AR derived {bad}, false on fresh drawings"


def warm_up() -> None:
    """Import the prover and load its numba kernels in the parent of forked workers
    (``symbolic.runner`` preload), so that no case pays for the load under its limit."""
    import neural.data  # noqa: F401
    import symbolic.geometry.prover  # noqa: F401
    from symbolic.geometry.kernels import warm_up as kernels

    kernels()
