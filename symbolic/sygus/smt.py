"""The specification in z3, encoded once; candidates are substituted in and checked.

``SmtSpec(spec)`` builds ``assumes ⇒ constraints`` with the synth-funs as uninterpreted
functions. ``check(solution)`` substitutes candidate bodies (``z3.substitute_funs``) and asks
whether the negation is satisfiable: ``unsat`` means verified, a model is a counterexample
(a new point: values of the declared variables).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import Enum
from typing import Any

from .ops import OPS
from .spec import Spec
from .terms import App, Call, Function, Hole, Lit, Sort, SortKind, Term, Value, Var


class Verdict(str, Enum):
    VERIFIED = "verified"
    COUNTEREXAMPLE = "counterexample"
    UNKNOWN = "unknown"


@dataclass(frozen=True)
class Check:
    """Outcome of one verification; ``point`` holds the counterexample's variable values."""

    verdict: Verdict
    point: dict[str, Value] | None = None
    more: tuple[dict[str, Value], ...] = ()  # further, different counterexamples


def z3_sort(z3, sort: Sort):
    if sort.kind is SortKind.BV:
        return z3.BitVecSort(sort.width)
    return {SortKind.INT: z3.IntSort(), SortKind.BOOL: z3.BoolSort(),
            SortKind.STRING: z3.StringSort()}[sort.kind]


def z3_lit(z3, lit: Lit):
    k = lit.sort.kind
    if k is SortKind.INT:
        return z3.IntVal(lit.value)
    if k is SortKind.BOOL:
        return z3.BoolVal(bool(lit.value))
    if k is SortKind.STRING:
        return z3.StringVal(lit.value)
    return z3.BitVecVal(lit.value, lit.sort.width)


class Encoder:
    """Terms → z3 expressions; macros expanded by substitution, results memoised per node."""

    def __init__(self, z3, macros: Mapping[str, Function], uf: Mapping[str, Any]) -> None:
        self.z3 = z3
        self.macros = macros
        self.uf = uf

    def encode(self, term: Term, env: Mapping[str, Any]) -> Any:
        memo: dict[int, Any] = {}
        return self._enc(term, env, memo)

    def _enc(self, t: Term, env: Mapping[str, Any], memo: dict[int, Any]) -> Any:
        key = id(t)
        if key in memo:
            return memo[key]
        z3 = self.z3
        if isinstance(t, Lit):
            out = z3_lit(z3, t)
        elif isinstance(t, (Var, Hole)):
            out = env[t.name]
        elif isinstance(t, App):
            args = [self._enc(a, env, memo) for a in t.args]
            out = OPS[t.op].smt(z3, args, t.indices)
        else:
            assert isinstance(t, Call)
            args = [self._enc(a, env, memo) for a in t.args]
            if t.func in self.uf:
                out = self.uf[t.func](*args) if args else self.uf[t.func]
            else:
                f = self.macros[t.func]
                inner = dict(env)
                inner.update({p.name: a for p, a in zip(f.params, args)})
                out = self._enc(f.body, inner, {})
        memo[key] = out
        return out


class SmtSpec:
    """The conjecture in z3 with one uninterpreted function per synth-fun."""

    def __init__(self, spec: Spec, timeout_ms: int = 5000) -> None:
        import z3  # type: ignore[import-untyped]

        self.z3 = z3
        self.spec = spec
        self.timeout_ms = timeout_ms
        self.vars = {v.name: z3.Const(v.name, z3_sort(z3, v.sort)) for v in spec.variables}
        self.uf = {f.name: z3.Function(f.name, *[z3_sort(z3, p.sort) for p in f.params],
                                       z3_sort(z3, f.sort)) if f.params else
                   z3.Const(f.name, z3_sort(z3, f.sort)) for f in spec.funs}
        self.encoder = Encoder(z3, spec.macros, self.uf)
        body = z3.And(*[self.encoder.encode(c, self.vars) for c in spec.constraints])
        if spec.assumes:
            assume = z3.And(*[self.encoder.encode(a, self.vars) for a in spec.assumes])
            body = z3.Implies(assume, body)
        self.formula = body

    def body(self, f: Function) -> Any:
        """A candidate body over de Bruijn ``z3.Var(i)`` for ``substitute_funs``."""
        z3 = self.z3
        env = {p.name: z3.Var(i, z3_sort(z3, p.sort)) for i, p in enumerate(f.params)}
        return self.encoder.encode(f.body, env)

    def instantiate(self, solution: Mapping[str, Function]) -> Any:
        z3 = self.z3
        pairs = []
        consts = []
        for name, f in solution.items():
            if f.params:
                pairs.append((self.uf[name], self.body(f)))
            else:
                consts.append((self.uf[name], self.encoder.encode(f.body, {})))
        out = z3.substitute_funs(self.formula, *pairs) if pairs else self.formula
        return z3.substitute(out, *consts) if consts else out

    def check(self, solution: Mapping[str, Function], timeout_ms: int | None = None,
              extra: int = 0) -> Check:
        """Verify candidate definitions of every synth-fun against the whole spec; with
        ``extra`` > 0, also collect up to that many further counterexamples."""
        z3 = self.z3
        solver = z3.Solver()
        solver.set("timeout", int(timeout_ms or self.timeout_ms))
        solver.add(z3.Not(self.instantiate(solution)))
        result = solver.check()
        if result == z3.unsat:
            return Check(Verdict.VERIFIED)
        if result != z3.sat:
            return Check(Verdict.UNKNOWN)
        first = self.point(solver.model())
        more: list[dict[str, Value]] = []
        solver.set("timeout", 500)
        last = first
        for _ in range(extra):
            if not self.vars:
                break
            solver.add(z3.Or(*[self.vars[k] != to_z3(z3, v, self.vars[k])
                               for k, v in last.items()]))
            if solver.check() != z3.sat:
                break
            last = self.point(solver.model())
            more.append(last)
        return Check(Verdict.COUNTEREXAMPLE, first, tuple(more))

    def contradicts_at(self, point: Mapping[str, Value], timeout_ms: int = 200) -> bool:
        """Whether the constraints fail at ``point`` (values of the declared variables) for
        every interpretation of the functions to synthesize (they stay uninterpreted): then
        no solution exists. False when z3 finds values or cannot tell in time."""
        z3 = self.z3
        solver = z3.Solver()
        solver.set("timeout", timeout_ms)
        fixed = [(self.vars[k], to_z3(z3, v, self.vars[k])) for k, v in point.items()
                 if k in self.vars]
        solver.add(z3.substitute(self.formula, *fixed) if fixed else self.formula)
        return bool(solver.check() == z3.unsat)

    def witness(self, premise: Term, timeout_ms: int = 500) -> dict[str, Value] | None:
        """A point where ``premise`` (over declared variables) holds, or None."""
        z3 = self.z3
        solver = z3.Solver()
        solver.set("timeout", timeout_ms)
        solver.add(self.encoder.encode(premise, self.vars))
        if solver.check() != z3.sat:
            return None
        return self.point(solver.model())

    def point(self, model: Any) -> dict[str, Value]:
        out: dict[str, Value] = {}
        for v in self.spec.variables:
            out[v.name] = from_z3(self.z3, model.eval(self.vars[v.name],
                                                      model_completion=True), v.sort)
        return out


def show_point(point: Mapping[str, Value]) -> str:
    """``x = 3, y = -1``: a point of the declared variables, for messages."""
    return ", ".join(f"{k} = {v!r}" for k, v in point.items()) or "every point"


def to_z3(z3, value: Value, like: Any) -> Any:
    """``value`` as a z3 literal of the sort of the z3 expression ``like``."""
    if z3.is_bool(like):
        return z3.BoolVal(bool(value))
    if z3.is_bv(like):
        return z3.BitVecVal(int(value), like.size())
    if z3.is_string(like):
        return z3.StringVal(str(value))
    return z3.IntVal(int(value))


def from_z3(z3, value: Any, sort: Sort) -> Value:
    if sort.kind is SortKind.BOOL:
        return z3.is_true(value)
    if sort.kind is SortKind.STRING:
        return _unescape(value.as_string())
    return value.as_long()


def _unescape(s: str) -> str:
    import re

    return re.sub(r"\\u\{([0-9a-fA-F]+)\}", lambda m: chr(int(m.group(1), 16)), s)
