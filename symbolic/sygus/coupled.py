"""Specs whose constraints couple several functions: fix one function to a small candidate
program (as a macro), solve the rest, and backtrack over a few candidates.

Candidates come from the function's own grammar in enumeration (cost) order, made distinct by
observational equivalence on random inputs. The whole answer is verified by the caller.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable, Iterator
from dataclasses import replace

from .defaults import constant_pool, grammar_of
from .enumerate import Enumerator, Exhausted, Timeout, productions
from .samples import random_value
from .smt import SmtSpec, Verdict
from .spec import Spec, SynthFun
from .terms import Function, calls
from .vector import to_array

CANDIDATES = 12
SAMPLE_INPUTS = 8

Solve = Callable[[Spec, float], dict[str, Function] | None]


def coupled_function(spec: Spec) -> SynthFun:
    """The first function that shares a constraint with another one."""
    names = {f.name for f in spec.funs}
    for c in spec.constraints:
        used = {k.func for k in calls(c, names)}
        if len(used) > 1:
            return next(f for f in spec.funs if f.name in used)
    return spec.funs[0]


def candidates(spec: Spec, f: SynthFun, deadline: float, seed: int = 0) -> Iterator[Function]:
    """Small, semantically distinct programs of ``f``'s grammar, cheapest first."""
    grammar = grammar_of(f, spec)
    if grammar.start.sort != f.sort:
        return
    sorts = {nt.name: nt.sort for nt in grammar.nonterminals}
    rng = random.Random(seed)
    inputs = {p.name: to_array([random_value(p.sort, rng) for _ in range(SAMPLE_INPUTS)], p.sort)
              for p in f.params}
    prods = productions(grammar, constant_pool(spec, sorts.values()), f.params, {})
    enum = Enumerator(prods, sorts, inputs, SAMPLE_INPUTS, spec.macros, deadline)
    count = 0
    try:
        for block in enum.levels():
            if block.nt != grammar.start.name:
                continue
            for j in range(len(block.recipes)):
                yield Function(f.name, f.params, f.sort, enum.build(block.nt, block.base + j))
                count += 1
                if count >= CANDIDATES:
                    return
    except (Timeout, Exhausted):
        return


def solve_coupled(spec: Spec, deadline: float, solve: Solve, depth: int = 0
                  ) -> dict[str, Function] | None:
    """Fix one coupled function to each candidate in turn and solve the rest with ``solve``."""
    if depth > 3:
        return None
    f = coupled_function(spec)
    for cand in candidates(spec, f, deadline):
        now = time.monotonic()
        if now >= deadline:
            return None
        rest = replace(spec, funs=tuple(g for g in spec.funs if g.name != f.name),
                       macros={**spec.macros, f.name: cand})
        found = solve(rest, min(deadline, now + max(0.5, (deadline - now) / 3)))
        if found is None:
            continue
        full = {f.name: cand, **found}
        left = max(0.1, deadline - time.monotonic())
        if SmtSpec(spec).check(full, timeout_ms=int(1000 * left)).verdict is Verdict.VERIFIED:
            return full
    return None


__all__ = ["candidates", "coupled_function", "solve_coupled"]
