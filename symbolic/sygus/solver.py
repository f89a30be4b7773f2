"""Solve a SyGuS spec end to end: split into tasks, search, re-check, render the answer.

Every answer is checked twice before it leaves: by z3 against the whole spec, and by the
plain evaluator of ``semantics.py`` on the examples / random points. An answer failing either
check is withheld (``unknown``), never printed.
"""

from __future__ import annotations

import random
import time
from dataclasses import dataclass, field
from enum import Enum
from typing import Any

from .cegis import TaskSearch
from .errors import UnsupportedError
from .kernels import warm_up
from .pcfg import RuleProposer
from .render import answer
from .samples import WIDE, random_value, zero_value
from .semantics import EvalError, evaluate
from .smt import SmtSpec, Verdict, show_point
from .spec import Spec
from .tasks import Infeasible, Kind, split_tasks
from .terms import Function, calls


class Outcome(str, Enum):
    SOLVED = "solved"
    INFEASIBLE = "infeasible"
    UNKNOWN = "unknown"
    TIMEOUT = "timeout"


@dataclass(frozen=True)
class SynthConfig:
    """Options of one synthesis run; ``timeout`` in seconds is cooperative."""

    timeout: float = 10.0
    seed: int = 0
    proposer: RuleProposer | None = None
    check_points: int = 64


@dataclass(frozen=True)
class Synthesis:
    """The outcome: the verified functions and their SyGuS-IF text when solved."""

    outcome: Outcome
    functions: tuple[Function, ...] = ()
    text: str | None = None
    stats: dict[str, Any] = field(default_factory=dict)


def synthesize(spec: Spec, config: SynthConfig | None = None) -> Synthesis:
    config = config or SynthConfig()
    start = time.monotonic()
    deadline = start + config.timeout
    stats: dict[str, Any] = {}
    try:
        found = _solve(spec, deadline, config, stats)
    except Infeasible as e:
        return Synthesis(Outcome.INFEASIBLE, text="infeasible", stats={"reason": str(e)})
    except UnsupportedError as e:
        return Synthesis(Outcome.UNKNOWN, stats={"reason": e.message})
    if found is None:
        out = Outcome.TIMEOUT if time.monotonic() >= deadline else Outcome.UNKNOWN
        return Synthesis(out, stats=stats)
    functions = tuple(found[f.name] for f in spec.funs)
    problem = recheck(spec, functions, config)
    if problem:
        refuted = contradiction(spec, functions)
        if refuted is not None:
            return Synthesis(Outcome.INFEASIBLE, text="infeasible", stats={"reason": refuted})
        stats["withheld"] = problem
        return Synthesis(Outcome.UNKNOWN, stats=stats)
    return Synthesis(Outcome.SOLVED, functions, answer(functions), stats)


def _solve(spec: Spec, deadline: float, config: SynthConfig, stats: dict[str, Any],
           depth: int = 0) -> dict[str, Function] | None:
    """Definitions for every function of ``spec``, or None. Functions the spec defines
    outright are taken out first (``definitions.py``); coupled functions are fixed one at a
    time to small candidates (``coupled.py``)."""
    from .definitions import eliminate, find_definition, resolve

    definition = find_definition(spec) if not spec.assumes else None
    if definition is not None:
        found_rest = _solve(eliminate(spec, definition), deadline, config, stats, depth)
        if found_rest is None:
            return None
        defined = resolve(definition, spec, found_rest)
        if calls(defined.body, {g.name for g in spec.funs}):
            return None
        stats[defined.name] = {"kind": "defined", "strategy": "definition"}
        return {**found_rest, defined.name: defined}
    try:
        tasks = split_tasks(spec)
    except UnsupportedError as e:
        if "coupling" not in e.message or depth > 3:
            raise
        from .coupled import solve_coupled

        def rest(sub: Spec, until: float) -> dict[str, Function] | None:
            try:
                return _solve(sub, until, config, stats, depth + 1)
            except (UnsupportedError, Infeasible):
                return None

        stats["strategy"] = "coupled"
        return solve_coupled(spec, deadline, rest, depth)
    found: dict[str, Function] = {}
    for task in tasks:
        f = _inv_first(task, spec, deadline, stats) if task.fun.is_inv else None
        if f is None:
            search = TaskSearch(task, spec, deadline, config.proposer, config.seed)
            f = search.run()
            stats[task.fun.name] = {"kind": task.kind.value, "strategy": search.stats.strategy,
                                    "points": search.stats.points,
                                    "programs": search.stats.programs}
        if f is None:
            return None
        found[f.name] = f
    return found


BMC_STEPS = 4
HOUDINI_SHARE = 0.3
ICE_SHARE = 0.5
"""Shares of the time left: Houdini first, then ICE learning, then CEGIS enumeration."""


def _inv_first(task, spec: Spec, deadline: float, stats: dict[str, Any]) -> Function | None:
    from .ice import IceLearner, reaches_bad
    from .invariants import as_function, houdini

    inv = next((i for i in spec.inv if i.inv == task.fun.name), None)
    if inv is None:
        return None
    smt = SmtSpec(task.sub_spec(spec))
    try:
        bad = not spec.assumes and reaches_bad(inv, spec, smt, BMC_STEPS, min(
            deadline, time.monotonic() + 0.1 * (deadline - time.monotonic())))
    except Exception:  # z3 exceptions on unsupported encodings: no proof either way
        bad = False
    if bad:
        raise Infeasible(f"a state violating post is reachable in at most {BMC_STEPS} steps")
    if task.fun.grammar is not None:
        return None
    body = None
    for share, name in ((HOUDINI_SHARE, "houdini"), (ICE_SHARE, "ice")):
        budget = min(deadline, time.monotonic() + share * (deadline - time.monotonic()))
        try:
            if name == "houdini":
                body = houdini(inv, spec, smt, budget)
            else:
                body = IceLearner(inv, spec, smt).run(budget)
        except Exception:  # z3 exceptions on unsupported encodings: try the next engine
            body = None
        if body is not None:
            stats[task.fun.name] = {"kind": "inv", "strategy": name}
            return as_function(inv, spec, body)
    return None


def contradiction(spec: Spec, functions: tuple[Function, ...]) -> str | None:
    """When z3 refutes an answer at a point where the constraints fail for every function
    (e.g. ``(f x)`` required to be 1 and 2), the spec has no solution: say where; else None.
    (An answer read off a defining constraint is refuted by the others that way.)"""
    smt = SmtSpec(spec)
    check = smt.check({f.name: f for f in functions}, timeout_ms=5000)
    if check.point is None or not smt.contradicts_at(check.point):
        return None
    return f"no functions meet the constraints at {show_point(check.point)}"


def recheck(spec: Spec, functions: tuple[Function, ...], config: SynthConfig) -> str | None:
    """None when z3 and the evaluator both accept the answer, else what went wrong."""
    check = SmtSpec(spec).check({f.name: f for f in functions}, timeout_ms=20000)
    if check.verdict is not Verdict.VERIFIED:
        return f"z3 did not verify the answer ({check.verdict.value})"
    funcs = dict(spec.macros)
    funcs.update({f.name: f for f in functions})
    rng = random.Random(config.seed)
    points = [{v.name: zero_value(v.sort) for v in spec.variables}]
    if spec.variables:
        points += [{v.name: random_value(v.sort, rng, WIDE) for v in spec.variables}
                   for _ in range(config.check_points)]
    try:
        for pt in points:
            if spec.assumes and not all(evaluate(a, pt, funcs) for a in spec.assumes):
                continue
            for c in spec.constraints:
                if not evaluate(c, pt, funcs):
                    return "the evaluator refutes the answer at " + repr(pt)[:200]
    except (EvalError, RecursionError, ValueError, OverflowError) as e:
        return f"the evaluator failed: {e}"
    return None


__all__ = ["Kind", "Outcome", "Synthesis", "SynthConfig", "synthesize", "warm_up"]
