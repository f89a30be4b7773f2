"""Shared helpers over values and terms: sample values of a sort (CEGIS seed points, the
final re-check, coupled candidates) and the one walker collecting subterms of constraints."""

from __future__ import annotations

import random
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass

from .terms import App, Call, Function, Sort, SortKind, Term, Value, substitute


@dataclass(frozen=True)
class ValueRange:
    """How wide random values are: Ints in ``[-ints, ints]``, strings of at most
    ``max_len`` characters over ``alphabet``; BV and Bool values are uniform."""

    ints: int = 10
    alphabet: str = "ab "
    max_len: int = 3


NARROW = ValueRange()
"""Seed points of CEGIS: small values, where most specs change behaviour."""
WIDE = ValueRange(ints=20, alphabet="ab01 ", max_len=4)
"""The re-check of answers: a little wider than the seeds."""


def zero_value(sort: Sort) -> Value:
    """The zero of a sort: 0, #b0..0, false or the empty string."""
    zeros: dict[SortKind, Value] = {SortKind.INT: 0, SortKind.BV: 0, SortKind.BOOL: False,
                                    SortKind.STRING: ""}
    return zeros[sort.kind]


def random_value(sort: Sort, rng: random.Random, spread: ValueRange = NARROW) -> Value:
    """A random value of ``sort`` drawn from ``rng`` within ``spread``."""
    if sort.kind is SortKind.INT:
        return rng.randint(-spread.ints, spread.ints)
    if sort.kind is SortKind.BV:
        return rng.getrandbits(sort.width)
    if sort.kind is SortKind.BOOL:
        return rng.random() < 0.5
    return "".join(rng.choice(spread.alphabet) for _ in range(rng.randint(0, spread.max_len)))


def collect_apps(roots: Iterable[Term], keep: Callable[[App], bool],
                 descend_kept: bool = True) -> list[App]:
    """Distinct operator applications under ``roots`` (through call arguments, not into
    macro bodies) for which ``keep`` holds, in discovery order; below a kept application the
    walk goes on only when ``descend_kept``."""
    out: dict[App, None] = {}
    stack = list(roots)
    while stack:
        t = stack.pop()
        if isinstance(t, Call):
            stack.extend(t.args)
        if not isinstance(t, App):
            continue
        if keep(t):
            out[t] = None
            if not descend_kept:
                continue
        stack.extend(t.args)
    return list(out)


def calls_any(t: Term) -> bool:
    """Does ``t`` call any function (a macro or a function being synthesized)?"""
    if isinstance(t, Call):
        return True
    if isinstance(t, App):
        return any(calls_any(a) for a in t.args)
    return False


def expand(t: Term, macros: Mapping[str, Function], depth: int = 0) -> Term:
    """Inline every macro call (bounded depth)."""
    if depth > 40:
        return t
    if isinstance(t, App):
        return App(t.op, tuple(expand(a, macros, depth + 1) for a in t.args), t.sort,
                   t.indices)
    if isinstance(t, Call):
        args = tuple(expand(a, macros, depth + 1) for a in t.args)
        if t.func in macros:
            f = macros[t.func]
            body = substitute(f.body, {p.name: a for p, a in zip(f.params, args)})
            return expand(body, macros, depth + 1)
        return Call(t.func, args, t.sort)
    return t


__all__ = ["NARROW", "WIDE", "ValueRange", "calls_any", "collect_apps", "expand",
           "random_value", "zero_value"]
