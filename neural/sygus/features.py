"""What the model sees: problem features, production descriptions and solution usage.

* ``problem_features(spec, fun, grammar)``: a bag of strings (logic, sorts, operators of the
  spec and of the grammar, sizes in log buckets);
* ``describe(grammar, spec)``: every production ``(nt, i)`` as a ``Production`` (its key in the
  model's vocabulary: the operator name, ``call``, ``var``, ``lit``, ``anyconst``, ``anyvar``
  or ``nt`` for a unit production) and its cross features with the problem (``cross``);
* ``usage(body)`` and ``labels``: which productions a solution uses (1/0), the targets.

Everything here is plain Python over ``symbolic.sygus`` terms: no torch.
"""

from __future__ import annotations

import math
from collections import Counter
from dataclasses import dataclass

from symbolic.sygus.pcfg import RuleId

KINDS = ("op", "call", "var", "lit", "anyconst", "anyvar")
_GROUPS = (("<=", ">=", "<", ">"), ("+", "-"), ("bvule", "bvuge", "bvult", "bvugt"),
           ("bvsle", "bvsge", "bvslt", "bvsgt"), ("bvadd", "bvsub"))
SYNONYMS = {op: frozenset(g) for g in _GROUPS for op in g}
"""Operators that stand in for each other in a solution (a teacher writing ``(>= x y)`` or
``(+ x (* (- 1) y))`` uses what a grammar offers as ``<=`` or ``-``): a production of one of
them counts as used when the solution uses any of the group."""
N_CROSS = len(KINDS) + 7


@dataclass(frozen=True)
class Production:
    """One grammar rule as the model sees it."""

    nt: str
    index: int
    kind: str  # op | call | var | lit | anyconst | anyvar | nt
    key: str  # vocabulary entry: operator name, or the kind for leaves and calls
    name: str  # operator / macro / variable name, literal value text; "" otherwise
    sort: str  # sort kind of the non-terminal
    arity: int


@dataclass(frozen=True)
class Usage:
    """What a solution body contains."""

    ops: Counter
    calls: frozenset[str]
    vars: frozenset[str]
    lits: frozenset[tuple[str, str]]  # (sort, value text)
    lit_sorts: frozenset[str]
    var_sorts: frozenset[str]


def _walk(terms):
    from symbolic.sygus.terms import App, Call

    stack = list(terms)
    seen: set[int] = set()  # terms share subterms (let): visit each object once
    while stack:
        t = stack.pop()
        if id(t) in seen:
            continue
        seen.add(id(t))
        yield t
        if isinstance(t, (App, Call)):
            stack.extend(t.args)


def usage(terms) -> Usage:
    from symbolic.sygus.terms import App, Call, Lit, Var

    ops: Counter = Counter()
    calls, names, lits, lsorts, vsorts = set(), set(), set(), set(), set()
    for t in _walk(terms):
        if isinstance(t, App):
            ops[t.op] += 1
        elif isinstance(t, Call):
            calls.add(t.func)
        elif isinstance(t, Var):
            names.add(t.name)
            vsorts.add(t.sort.kind.value)
        elif isinstance(t, Lit):
            lits.add((t.sort.kind.value, repr(t.value)))
            lsorts.add(t.sort.kind.value)
    return Usage(ops, frozenset(calls), frozenset(names), frozenset(lits), frozenset(lsorts),
                 frozenset(vsorts))


def spec_usage(spec) -> Usage:
    """Operators, calls and literals of the constraints, assumes and macro bodies."""
    return usage(list(spec.constraints) + list(spec.assumes)
                 + [m.body for m in spec.macros.values()])


def describe(grammar) -> dict[RuleId, Production]:
    from symbolic.sygus.spec import AnyConst, AnyVar
    from symbolic.sygus.terms import App, Call, Hole, Lit, Var

    out: dict[RuleId, Production] = {}
    for nt in grammar.nonterminals:
        sort = nt.sort.kind.value
        for i, rule in enumerate(nt.rules):
            if isinstance(rule, App):
                p = Production(nt.name, i, "op", rule.op, rule.op, sort, len(rule.args))
            elif isinstance(rule, Call):
                p = Production(nt.name, i, "call", "call", rule.func, sort, len(rule.args))
            elif isinstance(rule, Var):
                p = Production(nt.name, i, "var", "var", rule.name, sort, 0)
            elif isinstance(rule, Lit):
                p = Production(nt.name, i, "lit", "lit", repr(rule.value), sort, 0)
            elif isinstance(rule, AnyConst):
                p = Production(nt.name, i, "anyconst", "anyconst", "", rule.sort.kind.value, 0)
            elif isinstance(rule, AnyVar):
                p = Production(nt.name, i, "anyvar", "anyvar", "", rule.sort.kind.value, 0)
            else:
                assert isinstance(rule, Hole)
                p = Production(nt.name, i, "nt", "nt", rule.name, sort, 1)
            out[(nt.name, i)] = p
    return out


def _bucket(name: str, n: int) -> str:
    return f"{name}:{min(6, int(math.log2(n + 1)))}"


def problem_features(spec, fun, grammar) -> list[str]:
    """A bag of feature strings for one function to synthesize."""
    used = spec_usage(spec)
    feats = [f"logic:{spec.logic}", f"ret:{fun.sort.kind.value}",
             "grammar:" + ("given" if fun.grammar is not None else "default"),
             _bucket("nparams", len(fun.params)), _bucket("nconstraints", len(spec.constraints)),
             _bucket("nmacros", len(spec.macros)), _bucket("nfuns", len(spec.funs))]
    feats += sorted({f"param:{p.sort.kind.value}" for p in fun.params})
    if fun.is_inv or spec.inv:
        feats.append("inv")
    if not spec.variables:
        feats.append("novars")
    feats += sorted(f"spec_op:{op}" for op in used.ops)
    feats += sorted({f"spec_lit:{s}" for s in used.lit_sorts})
    prods = describe(grammar).values()
    feats += sorted({f"gram:{p.key}" for p in prods})
    feats.append(_bucket("nrules", len(prods)))
    return feats


def cross(p: Production, spec_used: Usage, start: str, n_in_nt: int) -> list[float]:
    """Features of a production relative to the problem (shared weights across keys)."""
    one_hot = [1.0 if p.kind == k else 0.0 for k in KINDS]
    count = sum(spec_used.ops.get(o, 0) for o in SYNONYMS.get(p.name, (p.name,))) \
        if p.kind == "op" else 0
    in_spec = (count > 0 if p.kind == "op" else
               p.name in spec_used.calls if p.kind == "call" else
               (p.sort, p.name) in spec_used.lits if p.kind == "lit" else
               p.sort in spec_used.lit_sorts if p.kind == "anyconst" else False)
    small = p.kind == "lit" and p.name in ("0", "1", "True", "False", "''")
    return one_hot + [float(in_spec), math.log1p(count) / 3, p.arity / 3,
                      float(p.nt == start), math.log2(n_in_nt + 1) / 5, float(small), 1.0]


def labels(prods: dict[RuleId, Production], sol: Usage) -> dict[RuleId, float]:
    """1.0 for each production the solution uses, else 0.0; unit productions left out."""
    out = {}
    for r, p in prods.items():
        if p.kind == "nt":
            continue
        if p.kind == "op":
            y = any(sol.ops.get(o) for o in SYNONYMS.get(p.name, (p.name,)))
        elif p.kind == "call":
            y = p.name in sol.calls
        elif p.kind == "var":
            y = p.name in sol.vars
        elif p.kind == "lit":
            y = (p.sort, p.name) in sol.lits
        elif p.kind == "anyconst":
            y = p.sort in sol.lit_sorts
        else:
            y = p.sort in sol.var_sorts
        out[r] = float(y)
    return out


def parse_solution(spec, text: str) -> dict[str, object]:
    """The bodies of a solver's answer (``(define-fun f ...)`` per function), parsed with our
    reader next to the spec's macros: function name -> body term."""
    from symbolic.sygus.render import define_fun
    from symbolic.sygus.spec import parse_spec

    body = text.strip()
    if body.startswith("(") and body[1:].lstrip().startswith("(define-fun"):
        body = body[1:body.rstrip().rfind(")")]
    import re

    from symbolic.sygus.terms import calls

    names = {f.name for f in spec.funs}
    macros = {n: m for n, m in spec.macros.items() if n not in names}
    need = {n for n in re.findall(r"[^\s()|]+", body) if n in macros}
    todo = list(need)
    while todo:  # the macros the answer calls, and the macros they call
        for c in calls(macros[todo.pop()].body, set(macros)):
            if c.func not in need:
                need.add(c.func)
                todo.append(c.func)
    prelude = "\n".join(define_fun(m) for n, m in macros.items() if n in need)
    parsed = parse_spec("(set-logic ALL)\n" + prelude + "\n" + body
                        + "\n(synth-fun |__answer| () Bool)\n(check-synth)",
                        "<answer>")
    return {n: parsed.macros[n].body for n in names if n in parsed.macros}
