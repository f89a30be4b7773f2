"""Default grammars (for synth-funs given without one) and the constants pools used for
``(Constant σ)`` and for default grammars: literals of the spec plus a few standard ones."""

from __future__ import annotations

from collections.abc import Iterable

from .spec import AnyConst, Grammar, NonTerminal, Spec, SynthFun
from .terms import BOOL, INT, App, Call, Hole, Lit, Sort, SortKind, Term, Var, bv


def spec_literals(spec: Spec) -> dict[Sort, list[Lit]]:
    """Every literal in constraints, assumes and macros, grouped by sort (first-seen order)."""
    out: dict[Sort, dict[Lit, None]] = {}
    stack: list[Term] = list(spec.constraints) + list(spec.assumes) + [
        m.body for m in spec.macros.values()]
    while stack:
        t = stack.pop()
        if isinstance(t, Lit):
            out.setdefault(t.sort, {})[t] = None
        elif isinstance(t, (App, Call)):
            stack.extend(t.args)
    return {s: list(v) for s, v in out.items()}


def constant_pool(spec: Spec, sorts: Iterable[Sort], limit: int = 24) -> dict[Sort, list[Lit]]:
    """Candidates for ``(Constant σ)``: standard values first, then the spec's literals."""
    found = spec_literals(spec)
    out: dict[Sort, list[Lit]] = {}
    for s in set(sorts):
        base: list[Lit] = []
        if s.kind is SortKind.INT:
            base = [Lit(v, s) for v in (0, 1)]
            more = [Lit(abs(int(v.value)), s) for v in found.get(s, [])
                    if abs(int(v.value)) < 2**31]
        elif s.kind is SortKind.BV:
            base = [Lit(v, s) for v in (0, 1, s.mask)]
            more = found.get(s, [])
        elif s.kind is SortKind.BOOL:
            base = [Lit(True, s), Lit(False, s)]
            more = []
        else:
            base = [Lit("", s)]
            more = found.get(s, [])
        seen = dict.fromkeys(base + more)
        out[s] = list(seen)[:limit]
    return out


def default_grammar(f: SynthFun, spec: Spec) -> Grammar:
    """Any term of the logic, for a synth-fun given without a grammar."""
    sorts = {p.sort for p in f.params} | {f.sort}
    int_like = [s for s in sorts if s.kind is SortKind.BV][:1] or [INT]
    num = int_like[0]
    S, B = Hole("Start" if f.sort == num else "N", num), Hole("B", BOOL)
    nts = []
    # constants first: on ties (a small value that equals a parameter at every example so
    # far) the literal generalises better in divide and conquer
    num_rules: list = [AnyConst(num)] + [p for p in f.params if p.sort == num]
    if num.kind is SortKind.INT:
        num_rules += [App("+", (S, S), num), App("-", (S, S), num)]
    else:
        num_rules += [App(op, (S, S), num) for op in ("bvadd", "bvsub", "bvand", "bvor",
                                                      "bvxor", "bvshl", "bvlshr")]
        num_rules += [App("bvnot", (S,), num)]
    num_rules.append(App("ite", (B, S, S), num))
    cmp = ("<=", "=") if num.kind is SortKind.INT else ("bvule", "bvslt", "=")
    bool_rules: list = [p for p in f.params if p.sort == BOOL]
    bool_rules += [App(op, (S, S), BOOL) for op in cmp]
    bool_rules += [App("and", (B, B), BOOL), App("or", (B, B), BOOL), App("not", (B,), BOOL)]
    if f.sort == BOOL:
        nts = [NonTerminal("B", BOOL, tuple(bool_rules)), NonTerminal(S.name, num,
                                                                       tuple(num_rules))]
    else:
        nts = [NonTerminal(S.name, num, tuple(num_rules)),
               NonTerminal("B", BOOL, tuple(bool_rules))]
    return Grammar(tuple(nts))


def grammar_of(f: SynthFun, spec: Spec) -> Grammar:
    return f.grammar if f.grammar is not None else default_grammar(f, spec)


__all__ = ["Var", "bv", "constant_pool", "default_grammar", "grammar_of", "spec_literals"]
