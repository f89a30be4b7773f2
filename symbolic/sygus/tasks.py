"""From a ``Spec`` to synthesis tasks: one per independent synth-fun, with its call sites.

Every application of the function in the (macro-inlined) constraints becomes a *slot*; the
formula keeps the slots as variables ``__slot<k>``. At a point (values of the declared
variables) slot ``k``'s arguments are evaluated, giving the enumerator's example inputs; a
candidate's value vector fills the slots and the formula is evaluated vectorised. This keeps
observational equivalence sound for specs that call the function at several argument tuples.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from enum import Enum

import numpy as np

from .errors import UnsupportedError
from .semantics import evaluate
from .spec import Spec, SynthFun
from .terms import BOOL, App, Call, Function, Lit, Term, Value, Var, calls, rewrite
from .vector import eval_vec, to_array


class Kind(str, Enum):
    PBE = "pbe"          # ground input/output examples: f(c...) = v
    SINGLE = "single"    # one call site f(args) in every constraint: point-wise
    GENERAL = "general"  # several call sites per point (or inv): CEGIS on whole points


class Infeasible(Exception):
    """The spec has no solution (e.g. one input with two required outputs)."""


@dataclass(frozen=True)
class Task:
    """Synthesize ``fun`` so that ``formula`` holds at every point."""

    fun: SynthFun
    formula: Term
    slots: tuple[tuple[Term, ...], ...]
    kind: Kind
    variables: tuple[Var, ...]
    macros: Mapping[str, Function]
    target: np.ndarray | None = None  # PBE: required output per slot
    constraints: tuple[Term, ...] = ()  # the task's constraints, macros with f inlined
    assumes: tuple[Term, ...] = ()

    def sub_spec(self, spec: Spec) -> Spec:
        """The spec restricted to this task's function and constraints (for z3)."""
        from dataclasses import replace

        return replace(spec, funs=(self.fun,), constraints=self.constraints,
                       assumes=self.assumes)

    def slot_name(self, k: int) -> str:
        return f"__slot{k}"


def split_tasks(spec: Spec) -> list[Task]:
    """One task per synth-fun; raises ``UnsupportedError`` when functions are coupled."""
    names = {f.name for f in spec.funs}
    constraints = [inline(c, spec.macros, names) for c in spec.constraints]
    assumes = [inline(a, spec.macros, names) for a in spec.assumes]
    if any(calls(a, names) for a in assumes):
        raise UnsupportedError("assume mentioning a function to synthesize")
    groups: dict[str, list[Term]] = {f.name: [] for f in spec.funs}
    for c in constraints:
        used = {k.func for k in calls(c, names)}
        if len(used) > 1:
            raise UnsupportedError("constraints coupling several functions to synthesize")
        if used:
            groups[used.pop()].append(c)
    return [_task(spec, f, groups[f.name], assumes) for f in spec.funs]


def inline(term: Term, macros: Mapping[str, Function], names: set[str]) -> Term:
    """Expand the macros whose bodies (transitively) call a function in ``names``."""
    memo: dict[str, bool] = {}

    def needs(name: str) -> bool:
        if name not in memo:
            memo[name] = False
            body = macros[name].body
            memo[name] = bool(calls(body, names)) or any(
                c.func in macros and needs(c.func) for c in calls(body, set(macros)))
        return memo[name]

    def walk(t: Term) -> Term:
        if isinstance(t, App):
            return App(t.op, tuple(walk(a) for a in t.args), t.sort, t.indices)
        if isinstance(t, Call):
            args = tuple(walk(a) for a in t.args)
            if t.func in macros and needs(t.func):
                f = macros[t.func]
                from .terms import substitute
                return walk(substitute(f.body, {p.name: a for p, a in zip(f.params, args)}))
            return Call(t.func, args, t.sort)
        return t

    return walk(term)


def _task(spec: Spec, f: SynthFun, constraints: Sequence[Term],
          assumes: Sequence[Term]) -> Task:
    slots: dict[tuple[Term, ...], int] = {}

    def slot(t: Term) -> Term | None:
        if isinstance(t, Call) and t.func == f.name:
            if any(calls(a, {f.name}) for a in t.args):
                raise UnsupportedError(f"nested calls of {f.name}")
            k = slots.setdefault(t.args, len(slots))
            return Var(f"__slot{k}", f.sort)
        return None

    body = [rewrite(c, slot) for c in constraints]
    formula = body[0] if len(body) == 1 else App("and", tuple(body), BOOL) if body \
        else Lit(True, BOOL)
    if assumes:
        formula = App("=>", (App("and", tuple(assumes), BOOL) if len(assumes) > 1
                             else assumes[0], formula), BOOL)
    order = tuple(sorted(slots, key=lambda args: slots[args]))
    target = _pbe_target(spec, f, body, order)
    if target is not None:
        kind = Kind.PBE
    elif len(order) == 1 and not f.is_inv:
        kind = Kind.SINGLE
    else:
        kind = Kind.GENERAL
    return Task(f, formula, order, kind, spec.variables, spec.macros, target,
                tuple(constraints), tuple(assumes))


def _pbe_target(spec: Spec, f: SynthFun, body: Sequence[Term],
                order: Sequence[tuple[Term, ...]]) -> np.ndarray | None:
    """For ground examples ``(= (f c...) v)``: the required output per slot."""
    if not body or not all(isinstance(a, Lit) for s in order for a in s):
        return None
    out: dict[int, Value] = {}
    for c in body:
        if not (isinstance(c, App) and c.op == "=" and len(c.args) == 2):
            return None
        a, b = c.args
        if isinstance(b, Var) and isinstance(a, Lit):
            a, b = b, a
        if not (isinstance(a, Var) and a.name.startswith("__slot") and isinstance(b, Lit)):
            return None
        k = int(a.name[6:])
        if k in out and out[k] != b.value:
            raise Infeasible(f"{f.name} must map one input to both {out[k]!r} and {b.value!r}")
        out[k] = b.value
    return to_array([out[k] for k in range(len(order))], f.sort)


# ---------------------------------------------------------------- points and examples


def example_inputs(task: Task, points: Sequence[Mapping[str, Value]]) -> dict[str, np.ndarray]:
    """The function's parameters at every (slot, point), slot-major: length S * P."""
    cols: dict[str, list[Value]] = {p.name: [] for p in task.fun.params}
    for args in task.slots:
        for pt in points:
            for p, a in zip(task.fun.params, args):
                cols[p.name].append(evaluate(a, pt, task.macros))
    return {p.name: to_array(cols[p.name], p.sort) for p in task.fun.params}


def point_arrays(task: Task, points: Sequence[Mapping[str, Value]]) -> dict[str, np.ndarray]:
    return {v.name: to_array([pt[v.name] for pt in points], v.sort) for v in task.variables}


class Checker:
    """The task's formula at fixed points, with every slot-free subterm evaluated once."""

    def __init__(self, task: Task, points: Sequence[Mapping[str, Value]]) -> None:
        self.task = task
        self.p = len(points)
        self.cache: dict[str, np.ndarray] = {}
        if task.target is None:
            env = point_arrays(task, points)
            self.formula = self._fold(task.formula, env)

    def _fold(self, t: Term, env: Mapping[str, np.ndarray]) -> Term:
        if not _has_slot(t):
            name = f"__pre{len(self.cache)}"
            self.cache[name] = eval_vec(t, env, self.task.macros, self.p)
            return Var(name, t.sort)
        if isinstance(t, App):
            return App(t.op, tuple(self._fold(a, env) for a in t.args), t.sort, t.indices)
        if isinstance(t, Call):
            return Call(t.func, tuple(self._fold(a, env) for a in t.args), t.sort)
        return t

    def __call__(self, values: np.ndarray) -> np.ndarray:
        """Which (candidate, point) pairs satisfy the formula: a (B, P) bool matrix."""
        if self.task.target is not None:
            return values == self.task.target[None, :]
        b, p = values.shape[0], self.p
        full = {k: np.tile(v, b) for k, v in self.cache.items()}
        for k in range(len(self.task.slots)):
            full[self.task.slot_name(k)] = values[:, k * p:(k + 1) * p].reshape(-1)
        out = eval_vec(self.formula, full, self.task.macros, b * p)
        return np.asarray(out, dtype=bool).reshape(b, p)


def _has_slot(t: Term) -> bool:
    if isinstance(t, Var):
        return t.name.startswith("__slot")
    if isinstance(t, (App, Call)):
        return any(_has_slot(a) for a in t.args)
    return False


def satisfied(task: Task, values: np.ndarray,
              points: Sequence[Mapping[str, Value]]) -> np.ndarray:
    """Which (candidate, point) pairs satisfy the formula: a (B, P) bool matrix."""
    return Checker(task, points)(values)
