"""Functions the spec defines outright: a constraint ``(= (g v1 ... vn) E)`` over distinct
declared variables, with ``E`` free of ``g`` and of other variables, lets ``g`` be ``E``.

Such a ``g`` (without a grammar) is taken out of the problem: it becomes a macro over its
parameters, the defining constraint is dropped, and the rest is solved; ``g``'s answer is then
``E`` with the other answers (and the spec's macros) inlined. Chains of definitions such as
``f2 = f1 + f1, f3 = f2 - y`` then leave only the free functions to synthesize. Choosing
``g = E`` satisfies the defining constraint everywhere; the caller re-checks the whole answer.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace

from .samples import expand
from .spec import Spec, SynthFun
from .terms import App, Call, Function, Term, Var, calls, free_vars, substitute


@dataclass(frozen=True)
class Definition:
    """``fun`` is ``body`` (over its parameters; may call other functions and macros)."""

    fun: SynthFun
    body: Term
    constraint: int  # index of the defining constraint in the spec


def find_definition(spec: Spec) -> Definition | None:
    """The first function without a grammar defined by a constraint, if any."""
    names = {f.name for f in spec.funs}
    for i, c in enumerate(spec.constraints):
        if not (isinstance(c, App) and c.op == "=" and len(c.args) == 2):
            continue
        for side, other in ((c.args[0], c.args[1]), (c.args[1], c.args[0])):
            d = _as_definition(spec, side, other, names)
            if d is not None:
                return Definition(d.fun, d.body, i)
    return None


def _as_definition(spec: Spec, side: Term, other: Term, names: set[str]
                   ) -> Definition | None:
    if not (isinstance(side, Call) and side.func in names):
        return None
    fun = spec.fun(side.func)
    if fun.grammar is not None or fun.is_inv:
        return None
    args = [a for a in side.args if isinstance(a, Var)]
    if len(args) < len(side.args) or len({a.name for a in args}) < len(args):
        return None
    if not free_vars(other) <= {a.name for a in args}:
        return None
    if any(k.func == fun.name for k in calls(expand(other, spec.macros), names)):
        return None
    body = substitute(other, {a.name: p for a, p in zip(args, fun.params)})
    return Definition(fun, body, -1)


def eliminate(spec: Spec, d: Definition) -> Spec:
    """The spec without ``d.fun``: a macro in its place, its defining constraint dropped."""
    macro = Function(d.fun.name, d.fun.params, d.fun.sort, d.body)
    return replace(spec, funs=tuple(f for f in spec.funs if f.name != d.fun.name),
                   macros={**spec.macros, d.fun.name: macro},
                   constraints=tuple(c for i, c in enumerate(spec.constraints)
                                     if i != d.constraint))


def resolve(d: Definition, spec: Spec, found: Mapping[str, Function]) -> Function:
    """``d.fun``'s answer: its body with the solved functions and macros inlined."""
    return Function(d.fun.name, d.fun.params, d.fun.sort,
                    inline_all(d.body, {**spec.macros, **found}))


def inline_all(t: Term, funcs: Mapping[str, Function]) -> Term:
    """Every call of a function in ``funcs`` replaced by its body, to any depth."""
    if isinstance(t, App):
        return App(t.op, tuple(inline_all(a, funcs) for a in t.args), t.sort, t.indices)
    if isinstance(t, Call):
        args = tuple(inline_all(a, funcs) for a in t.args)
        f = funcs.get(t.func)
        if f is None:
            return Call(t.func, args, t.sort)
        return inline_all(substitute(f.body, {p.name: a for p, a in zip(f.params, args)}),
                          funcs)
    return t


__all__ = ["Definition", "eliminate", "find_definition", "resolve"]
