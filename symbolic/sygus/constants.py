"""Constants solved by z3: programs with constant holes (sketches), holes filled over points.

Enumeration only reaches the constants of its pool (0, 1, the spec's literals); a solution
such as ``(+ x 37)`` or ``(ite (<= x 100) ...)`` needs another. A ``Sketch`` is a term whose
holes are variables ``?k`` standing for unknown literals. ``HoleSolver.fill`` asks z3 for hole
values under which the spec holds at every CEGIS point (the points are concrete, so each
instance is quantifier-free), verifies the filled program against the whole spec, adds the
counterexample as a point and repeats, until verified or the sketch has no fitting values.

Sketches come from two families: ``templates`` (DryadSynth-style decision trees over linear
guards with linear or Boolean leaves, for Int / Bool functions without a grammar) and
``grammar_sketches`` (small programs of a grammar in which every ``(Constant σ)`` is a hole).
"""

from __future__ import annotations

import itertools
import random
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

from .enumerate import compositions
from .samples import ValueRange, random_value
from .smt import Check, Encoder, SmtSpec, Verdict, from_z3, to_z3, z3_sort
from .spec import AnyConst, AnyVar, Grammar, SynthFun
from .terms import (
    BOOL,
    INT,
    App,
    Call,
    Function,
    Hole,
    Lit,
    Sort,
    SortKind,
    Term,
    Value,
    Var,
    rewrite,
)

HOLE = "?"
"""Hole variables are named ``?0, ?1, ...`` (no SyGuS symbol starts with ``?``)."""
ROUNDS = 15
FAR_POINTS = 6
FAR = ValueRange(ints=1000)
"""Counterexample rounds per sketch before giving up on it."""


@dataclass(frozen=True)
class Sketch:
    """A body over the function's parameters and hole variables; ``bounds`` restricts some
    Int holes to ``[lo, hi]`` (small guard coefficients generalise better)."""

    body: Term
    holes: tuple[Var, ...]
    bounds: tuple[tuple[str, int, int], ...] = ()


@dataclass
class FillStats:
    sketches: int = 0
    rounds: int = 0
    notes: list[str] = field(default_factory=list)


class HoleSolver:
    """Fill the holes of sketches of one function; the points list is shared with the
    caller's CEGIS loop and grows with every counterexample."""

    def __init__(self, smt: SmtSpec, fun: SynthFun, points: list[dict[str, Value]]) -> None:
        self.smt = smt
        self.z3 = smt.z3
        self.fun = fun
        self.points = points
        self._instances: dict[tuple, Any] = {}
        self.stats = FillStats()
        if points and points != [{}]:  # a few far points: counterexamples are often local
            rng = random.Random(len(points))
            variables = smt.spec.variables
            points += [{v.name: random_value(v.sort, rng, FAR) for v in variables}
                       for _ in range(FAR_POINTS)]

    def fill(self, sketch: Sketch, deadline: float) -> Function | None:
        """A verified program from the sketch, or None (no values fit, or out of time)."""
        z3 = self.z3
        self.stats.sketches += 1
        holes = {h.name: z3.Const(h.name, z3_sort(z3, h.sort)) for h in sketch.holes}
        body = self._encode(sketch.body, holes)
        solver = z3.Solver()
        for name, lo, hi in sketch.bounds:
            solver.add(holes[name] >= lo, holes[name] <= hi)
        done = 0
        for _ in range(ROUNDS):
            left = deadline - time.monotonic()
            if left <= 0.05:
                return None
            for pt in self.points[done:]:
                solver.add(self._plug(self._instance(pt), body))
            done = len(self.points)
            solver.set("timeout", int(1000 * min(left, 2.0)))
            verdict = solver.check()
            if verdict != z3.sat:
                self.stats.notes.append(f"holes: {verdict}")
                return None
            model = solver.model()
            values = {h.name: from_z3(z3, model.eval(holes[h.name], model_completion=True),
                                      h.sort) for h in sketch.holes}
            f = Function(self.fun.name, self.fun.params, self.fun.sort,
                         fold(plug_holes(sketch.body, values)))
            self.stats.rounds += 1
            left = max(0.1, deadline - time.monotonic())
            check: Check = self.smt.check({f.name: f}, timeout_ms=int(1000 * min(left, 5.0)),
                                          extra=1)
            if check.verdict is Verdict.VERIFIED:
                return f
            if check.verdict is Verdict.UNKNOWN or check.point is None:
                return None
            new = [p for p in (check.point, *check.more) if p not in self.points]
            if not new:
                self.stats.notes.append("counterexample repeated (semantics mismatch)")
                return None
            self.points += new
        return None

    def _encode(self, body: Term, holes: dict[str, Any]) -> Any:
        z3 = self.z3
        env = {p.name: z3.Var(i, z3_sort(z3, p.sort)) for i, p in enumerate(self.fun.params)}
        env.update(holes)
        return Encoder(z3, self.smt.spec.macros, self.smt.uf).encode(body, env)

    def _instance(self, point: dict[str, Value]) -> Any:
        """The spec with the point's values for the declared variables (cached)."""
        key = tuple(sorted(point.items()))
        if key not in self._instances:
            z3 = self.z3
            pairs = [(self.smt.vars[k], to_z3(z3, v, self.smt.vars[k]))
                     for k, v in point.items() if k in self.smt.vars]
            self._instances[key] = z3.substitute(self.smt.formula, *pairs) if pairs \
                else self.smt.formula
        return self._instances[key]

    def _plug(self, formula: Any, body: Any) -> Any:
        uf = self.smt.uf[self.fun.name]
        if self.fun.params:
            return self.z3.substitute_funs(formula, (uf, body))
        return self.z3.substitute(formula, (uf, body))




def plug_holes(term: Term, values: dict[str, Value]) -> Term:
    """The term with every hole variable replaced by the literal of its value."""
    return rewrite(term, lambda t: Lit(values[t.name], t.sort)
                   if isinstance(t, Var) and t.name in values else None)


def fold(term: Term) -> Term:
    """Tidy filled linear templates: ``(* 0 x)`` and ``0`` summands vanish, ``(* 1 x)`` is
    ``x``, a sum of one term is that term, ite on a literal condition takes its branch."""
    if not isinstance(term, App):
        return term
    args = tuple(fold(a) for a in term.args)
    if term.op == "*" and len(args) == 2 and isinstance(args[0], Lit):
        k = args[0].value
        if k == 0:
            return Lit(0, INT)
        if k == 1:
            return args[1]
    if term.op == "+":
        rest = tuple(a for a in args if not (isinstance(a, Lit) and a.value == 0)
                     and not (isinstance(a, App) and a.op == "*" and isinstance(a.args[0], Lit)
                              and a.args[0].value == 0))
        if not rest:
            return Lit(0, INT)
        return rest[0] if len(rest) == 1 else App("+", rest, term.sort)
    if term.op == "ite" and isinstance(args[0], Lit):
        return args[1] if args[0].value else args[2]
    return App(term.op, args, term.sort, term.indices)


# ---------------------------------------------------------------- linear templates


class _Holes:
    def __init__(self) -> None:
        self.vars: list[Var] = []
        self.bounds: list[tuple[str, int, int]] = []

    def new(self, sort: Sort, bound: int | None = None) -> Var:
        v = Var(f"{HOLE}{len(self.vars)}", sort)
        self.vars.append(v)
        if bound is not None:
            self.bounds.append((v.name, -bound, bound))
        return v


def _linear(xs: Sequence[Var], holes: _Holes, bound: int | None) -> Term:
    terms: list[Term] = [holes.new(INT)]
    terms += [App("*", (holes.new(INT, bound), x), INT) for x in xs]
    return terms[0] if len(terms) == 1 else App("+", tuple(terms), INT)


def _guard(xs: Sequence[Var], holes: _Holes, bound: int) -> Term:
    """``Σ d_i x_i <= d_0`` with the d_i in ``[-bound, bound]``."""
    if not xs:
        return holes.new(BOOL)
    lhs: Term = App("+", tuple(App("*", (holes.new(INT, bound), x), INT) for x in xs), INT) \
        if len(xs) > 1 else App("*", (holes.new(INT, bound), xs[0]), INT)
    return App("<=", (lhs, holes.new(INT)), BOOL)


def _tree(depth: int, fun: SynthFun, holes: _Holes, leaf_bound: int, guard_bound: int
          ) -> Term:
    xs = [p for p in fun.params if p.sort == INT]
    if depth == 0:
        return _linear(xs, holes, leaf_bound) if fun.sort == INT else holes.new(BOOL)
    guard = _guard(xs, holes, guard_bound)
    then = _tree(depth - 1, fun, holes, leaf_bound, guard_bound)
    other = _tree(depth - 1, fun, holes, leaf_bound, guard_bound)
    return App("ite", (guard, then, other), fun.sort)


def templates_apply(fun: SynthFun) -> bool:
    """Linear templates fit functions without a grammar from Int/Bool to Int/Bool."""
    return fun.grammar is None and fun.sort in (INT, BOOL) \
        and all(p.sort in (INT, BOOL) for p in fun.params) \
        and any(p.sort == INT for p in fun.params)


def templates(fun: SynthFun, max_depth: int = 3, big: int = 1000) -> Iterator[Sketch]:
    """Decision trees of growing depth over linear guards (coefficients in [-1, 1], then
    [-4, 4]) with linear leaves (Int functions; coefficients in [-1, 1], then in
    [-big, big]) or Boolean leaves (Bool functions). Constant terms are free."""
    tiers = [(1, 1), (big, 1)] if fun.sort == INT else [(1, 1)]
    for depth in range(max_depth + 1):
        for leaf_bound, guard_bound in tiers + ([(big, 4)] if depth else []):
            if depth == 0 and fun.sort == BOOL:
                continue  # a constant: enumeration tries true and false first
            holes = _Holes()
            body = _tree(depth, fun, holes, leaf_bound, guard_bound)
            yield Sketch(body, tuple(holes.vars), tuple(holes.bounds))


# ---------------------------------------------------------------- grammar sketches


def has_constant_holes(grammar: Grammar) -> bool:
    """Does the grammar offer ``(Constant σ)`` of a sort beyond Bool?"""
    return any(isinstance(r, AnyConst) and r.sort.kind is not SortKind.BOOL
               for nt in grammar.nonterminals for r in nt.rules)


def grammar_sketches(grammar: Grammar, params: Sequence[Var], max_size: int,
                     limit: int = 4000, max_terms: int = 50_000) -> Iterator[Sketch]:
    """Programs of the grammar up to ``max_size`` nodes, smallest first, in which every
    ``(Constant σ)`` is a fresh hole; only those with at least one hole, and none with a
    hole-only operator application (that is just another constant)."""
    by_size: dict[tuple[str, int], list[Term]] = {}
    count = stored = 0

    def rules_of(nt: str) -> list[Term]:
        out: list[Term] = []
        for r in grammar[nt].rules:
            if isinstance(r, AnyConst):
                out.append(Var(HOLE, r.sort))
            elif isinstance(r, AnyVar):
                out += [p for p in params if p.sort == r.sort]
            else:
                out.append(r)
        return out

    for size in range(1, max_size + 1):
        for nt in grammar.nonterminals:
            found: list[Term] = []
            for rule in rules_of(nt.name):
                found += _expand_rule(rule, size, by_size, max_terms)
            by_size[(nt.name, size)] = found
            stored += len(found)
        if stored > max_terms:
            return
        for t in by_size.get((grammar.start.name, size), []):
            numbered, n = _number(t)
            if n == 0:
                continue
            count += 1
            if count > limit:
                return
            yield Sketch(numbered, tuple(Var(f"{HOLE}{i}", s) for i, s in enumerate(
                _hole_sorts(numbered))))


def _expand_rule(rule: Term, size: int, by_size: dict[tuple[str, int], list[Term]],
                 cap: int) -> list[Term]:
    holes = _grammar_holes(rule)
    base = _nodes(rule) - len(holes)
    if not holes:
        return [rule] if base == size else []
    rest = size - base
    if rest < len(holes):
        return []
    out: list[Term] = []
    for split in compositions(rest, len(holes)):
        pools = [by_size.get((h.name, s), []) for h, s in zip(holes, split)]
        if any(not p for p in pools):
            continue
        for combo in itertools.product(*pools):
            t = _fill(rule, list(combo))
            if not _constant_only(t):
                out.append(t)
                if len(out) > cap:
                    return out
    return out


def _grammar_holes(t: Term) -> list[Hole]:
    if isinstance(t, Hole):
        return [t]
    if isinstance(t, (App, Call)):
        return [h for a in t.args for h in _grammar_holes(a)]
    return []


def _nodes(t: Term) -> int:
    if isinstance(t, (App, Call)):
        return 1 + sum(_nodes(a) for a in t.args)
    return 1


def _fill(t: Term, parts: list[Term]) -> Term:
    if isinstance(t, Hole):
        return parts.pop(0)
    if isinstance(t, App):
        return App(t.op, tuple(_fill(a, parts) for a in t.args), t.sort, t.indices)
    if isinstance(t, Call):
        return Call(t.func, tuple(_fill(a, parts) for a in t.args), t.sort)
    return t


def _constant_only(t: Term) -> bool:
    """An application whose leaves are all holes or literals (foldable into one constant)."""
    def leaves_constant(u: Term) -> bool:
        if isinstance(u, Var):
            return u.name.startswith(HOLE)
        if isinstance(u, Lit):
            return True
        if isinstance(u, (App, Call)):
            return all(leaves_constant(a) for a in u.args)
        return False

    return isinstance(t, (App, Call)) and leaves_constant(t) and _has_hole(t)


def _has_hole(t: Term) -> bool:
    if isinstance(t, Var):
        return t.name.startswith(HOLE)
    if isinstance(t, (App, Call)):
        return any(_has_hole(a) for a in t.args)
    return False


def _number(t: Term) -> tuple[Term, int]:
    """Rename the holes ``?`` to ``?0, ?1, ...`` left to right."""
    n = 0

    def hole(u: Term) -> Term | None:
        nonlocal n
        if isinstance(u, Var) and u.name == HOLE:
            n += 1
            return Var(f"{HOLE}{n - 1}", u.sort)
        return None

    out = rewrite(t, hole)
    return out, n


def _hole_sorts(t: Term) -> list[Sort]:
    found: dict[str, Sort] = {}

    def walk(u: Term) -> None:
        if isinstance(u, Var) and u.name.startswith(HOLE):
            found[u.name] = u.sort
        elif isinstance(u, (App, Call)):
            for a in u.args:
                walk(a)

    walk(t)
    return [found[f"{HOLE}{i}"] for i in range(len(found))]


__all__ = ["HoleSolver", "Sketch", "fold", "grammar_sketches", "has_constant_holes",
           "plug_holes", "templates", "templates_apply"]
