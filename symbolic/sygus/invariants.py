"""Invariant synthesis for the Inv track, first pass: Houdini over candidate atoms.

Atoms come from the comparisons of pre and post and from interval / octagon templates over
the state variables with the spec's constants. Starting from every atom, atoms that fail on
a counterexample are dropped until the conjunction is implied by pre and inductive under trans
(each z3 model is a positive or an implication example that refutes atoms); the result is an
answer when it implies post. When it does not, the caller falls back to enumerative CEGIS,
whose points cover pre, trans (pairs of states) and post counterexamples.
"""

from __future__ import annotations

import itertools
import time
from collections.abc import Sequence

from .defaults import spec_literals
from .samples import expand
from .smt import Encoder, SmtSpec
from .spec import InvProblem, Spec
from .terms import BOOL, INT, App, Call, Function, Lit, SortKind, Term, Var, free_vars

MAX_ATOMS = 600
MAX_PAIR_BASE = 12
MAX_DISJUNCTIONS = 300
MINIMIZE_SECONDS = 1.0


def atoms(inv: InvProblem, spec: Spec, disjunctive: bool = True) -> list[Term]:
    """Candidate conjuncts over the state variables, deduplicated, cheapest first."""
    state = {v.name for v in inv.state}
    out: dict[Term, None] = {}
    base: dict[Term, None] = {}
    for t in (inv.post, inv.pre, inv.trans):
        for a in _comparisons(t, spec, state):
            base[a] = None
    out.update(base)
    # disjunctions of two spec comparisons, tried after the templates:
    # invariants such as (or (>= x 1) (< n 0))
    pairs = list(base)[:2 * MAX_PAIR_BASE]
    disjunctions = [App("or", (a, b), BOOL) for a, b in itertools.combinations(pairs, 2)]
    ints = [v for v in inv.state if v.sort == INT]
    consts = sorted({0, 1, -1} | {int(lit.value) for lit in spec_literals(spec).get(INT, [])
                                  if abs(int(lit.value)) < 10**6}, key=abs)[:12]
    for v in inv.state:
        if v.sort == BOOL:
            out[v] = None
            out[App("not", (v,), BOOL)] = None
    kept = [v for v in ints if v.name not in havoc(inv, spec)]
    if len(kept) < len(ints):  # atoms over variables that survive a step come first
        _templates(out, kept, consts[:6], consts[:3])
    _templates(out, ints, consts, consts[:6])
    if not disjunctive:
        return list(out)[:MAX_ATOMS]
    return list(out)[:MAX_ATOMS] + [d for d in disjunctions if d not in out][:MAX_DISJUNCTIONS]


def _templates(out: dict[Term, None], ints: list[Var], interval: list[int],
               octagon: list[int]) -> None:
    """Interval atoms ``x <= c``, ``x >= c`` and octagon atoms ``x ± y <= c``, ``>= c``."""
    for x in ints:
        for c in interval:
            out[App(">=", (x, Lit(c, INT)), BOOL)] = None
            out[App("<=", (x, Lit(c, INT)), BOOL)] = None
    for x, y in itertools.combinations(ints, 2):
        for op in ("<=", ">=", "="):
            out[App(op, (x, y), BOOL)] = None
        for c in octagon:
            for expr in (App("+", (x, y), INT), App("-", (x, y), INT)):
                out[App("<=", (expr, Lit(c, INT)), BOOL)] = None
                out[App(">=", (expr, Lit(c, INT)), BOOL)] = None


def havoc(inv: InvProblem, spec: Spec) -> set[str]:
    """State variables whose primed copy trans never mentions (macros expanded): after a
    step they hold any value, so atoms over them rarely belong in an invariant."""
    used = free_vars(expand(inv.trans, spec.macros))
    return {v.name for v, p in zip(inv.state, inv.primed) if p.name not in used}


def _comparisons(t: Term, spec: Spec, state: set[str], depth: int = 0) -> list[Term]:
    """Atomic formulas over state variables inside ``t`` (macros expanded)."""
    if depth > 30:
        return []
    if isinstance(t, Call) and t.func in spec.macros:
        f = spec.macros[t.func]
        from .terms import substitute

        body = substitute(f.body, {p.name: a for p, a in zip(f.params, t.args)})
        return _comparisons(body, spec, state, depth + 1)
    if isinstance(t, App) and t.op in ("and", "or", "not", "=>") and t.sort == BOOL:
        return [a for x in t.args for a in _comparisons(x, spec, state, depth + 1)]
    if isinstance(t, App) and t.sort == BOOL and _over(t, state):
        return [t, App("not", (t,), BOOL)]
    return []


def _over(t: Term, names: set[str]) -> bool:
    if isinstance(t, Var):
        return t.name in names
    if isinstance(t, (App, Call)):
        return all(_over(a, names) for a in t.args)
    return True


def houdini(inv: InvProblem, spec: Spec, smt: SmtSpec, deadline: float) -> Term | None:
    """The strongest conjunction of atoms that is an inductive invariant, if it implies post:
    first over comparisons, then with disjunctions of two spec comparisons too."""
    for disjunctive in (False, True):
        found = _houdini(inv, spec, smt, deadline, disjunctive)
        if found is not None:
            return found
    return None


def _houdini(inv: InvProblem, spec: Spec, smt: SmtSpec, deadline: float,
             disjunctive: bool) -> Term | None:
    z3 = smt.z3
    enc = Encoder(z3, spec.macros, smt.uf)
    now_env = {v.name: smt.vars[v.name] for v in inv.state}
    next_env = {v.name: smt.vars[p.name] for v, p in zip(inv.state, inv.primed)}
    cands = [a for a in atoms(inv, spec, disjunctive) if a.sort == BOOL]
    now = [enc.encode(a, now_env) for a in cands]
    nxt = [enc.encode(a, next_env) for a in cands]
    pre = enc.encode(inv.pre, smt.vars)
    trans = enc.encode(inv.trans, smt.vars)
    post = enc.encode(inv.post, smt.vars)
    alive = list(range(len(cands)))
    solver = z3.Solver()
    solver.set("timeout", 2000)
    # pre => I : drop atoms refuted by reachable initial states
    alive = _refine(z3, solver, [pre], alive, now, deadline)
    while alive is not None:
        if time.monotonic() > deadline:
            return None
        solver.reset()
        solver.add(*[now[i] for i in alive], trans)
        solver.add(z3.Not(z3.And(*[nxt[i] for i in alive])) if alive else z3.BoolVal(False))
        r = solver.check()
        if r == z3.unknown:
            return None
        if r == z3.unsat:
            break
        model = solver.model()
        keep = [i for i in alive if z3.is_true(model.eval(nxt[i], model_completion=True))]
        if len(keep) == len(alive):
            return None
        alive = keep
    if alive is None:
        return None
    solver.reset()
    solver.add(*[now[i] for i in alive], z3.Not(post))
    if solver.check() != z3.unsat:
        return None
    alive = _minimize(z3, alive, now, nxt, pre, trans, post,
                      min(deadline, time.monotonic() + MINIMIZE_SECONDS))
    return _conj([cands[i] for i in alive])


def _minimize(z3, alive: list[int], now: list, nxt: list, pre, trans, post,
              deadline: float) -> list[int]:
    """Drop conjuncts one by one while the rest is still an invariant proving post."""

    def valid(*formulas) -> bool:
        s = z3.Solver()
        s.set("timeout", 300)
        s.add(*formulas)
        return s.check() == z3.unsat

    keep = list(alive)
    for i in list(alive):
        if time.monotonic() > deadline or len(keep) == 1:
            break
        rest = [j for j in keep if j != i]
        inv_now = z3.And(*[now[j] for j in rest])
        inv_next = z3.And(*[nxt[j] for j in rest])
        if valid(pre, z3.Not(inv_now)) and valid(inv_now, trans, z3.Not(inv_next)) \
                and valid(inv_now, z3.Not(post)):
            keep = rest
    return keep


def _refine(z3, solver, facts: Sequence, alive: list[int], now: list, deadline: float):
    while True:
        if time.monotonic() > deadline:
            return None
        solver.reset()
        solver.add(*facts)
        solver.add(z3.Not(z3.And(*[now[i] for i in alive])) if alive else z3.BoolVal(False))
        r = solver.check()
        if r == z3.unsat:
            return alive
        if r == z3.unknown:
            return None
        model = solver.model()
        keep = [i for i in alive if z3.is_true(model.eval(now[i], model_completion=True))]
        if len(keep) == len(alive):
            return None
        alive = keep


def _conj(parts: list[Term]) -> Term:
    if not parts:
        return Lit(True, BOOL)
    return parts[0] if len(parts) == 1 else App("and", tuple(parts), BOOL)


def as_function(inv: InvProblem, spec: Spec, body: Term) -> Function:
    f = spec.fun(inv.inv)
    return Function(f.name, f.params, f.sort, body)


__all__ = ["SortKind", "as_function", "atoms", "houdini"]
