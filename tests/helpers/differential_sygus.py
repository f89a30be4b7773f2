"""Differential checks of the SyGuS synthesizer on random LIA/CLIA specs.

A case is a SyGuS-IF file written here from parts (variables, the function's signature and
grammar, constraints as SMT-LIB text), of one of these families:

- ``pbe``: a random target program of a small LIA grammar (``+ - ite <=``, constants), and
  random input points; the constraints are its outputs there (realizable: the target);
- ``pbe-conflict``: the same with one input given two different outputs (infeasible);
- ``equal``: ``f`` equal to a random CLIA term everywhere, no grammar (realizable);
- ``bounds``: ``t1 <= f <= t2`` everywhere, no grammar: realizable exactly when ``t1 <= t2``
  always holds, which z3 decides when the case is drawn;
- ``maxmin``: max or min of two or three variables stated by properties (realizable);
- ``contradiction``: ``f`` above and below the same term (infeasible).

The synthesizer (``reasoner.api.solve_sygus``) answers; an answer is checked by z3 and, when
the ``cvc5`` module is installed, by cvc5, both on an SMT-LIB query built here from the
case's own constraint text and the answer's ``define-fun`` text (nothing of the solver's
encoding), and by the small evaluator below on the examples and random points. An
``infeasible`` verdict on a realizable case is wrong; an answer to an infeasible case is too.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

from differential import ERROR, WRONG, Verdict

SOLVED = "solved+checked"
INFEASIBLE = "infeasible+checked"
UNKNOWN = "unknown/timeout"
OUTCOMES = (SOLVED, INFEASIBLE, UNKNOWN, ERROR, WRONG)

FAMILIES = ("pbe", "pbe", "pbe-conflict", "equal", "bounds", "bounds", "maxmin",
            "contradiction")
PBE_GRAMMAR = ("((Start Int) (B Bool))",
               "((Start Int ({vars} 0 1 2 (+ Start Start) (- Start Start) (ite B Start Start)))"
               " (B Bool ((<= Start Start) (= Start Start) (and B B) (not B))))")
EVAL_POINTS = 40
CHECK_MS = 20000


@dataclass(frozen=True)
class SygusCase:
    """A spec as parts; ``realizable``: True when a solution in its grammar is known, False
    when it has none, None when the generator does not know."""

    family: str
    variables: tuple[str, ...]       # universally quantified Int variables
    params: tuple[str, ...]          # the parameters of f
    grammar: str                     # grammar text after the sort (empty: none)
    constraints: tuple[str, ...]
    realizable: bool | None

    def text(self) -> str:
        params = " ".join(f"({p} Int)" for p in self.params)
        lines = ["(set-logic LIA)", f"(synth-fun f ({params}) Int{self.grammar})"]
        lines += [f"(declare-var {v} Int)" for v in self.variables]
        lines += [f"(constraint {c})" for c in self.constraints]
        return "\n".join(lines + ["(check-synth)"]) + "\n"


# ------------------------------------------------------------------ random terms


def int_term(rng: random.Random, names: tuple[str, ...], depth: int, ite: bool = True) -> str:
    """A random LIA term over ``names``: sums, differences, small multiples, ite."""
    if depth == 0 or rng.random() < 0.25:
        return rng.choice(names) if rng.random() < 0.7 else str(rng.randint(0, 3))
    kind = rng.choice(("+", "-", "*", "ite") if ite else ("+", "-", "*"))
    if kind == "*":
        return f"(* {rng.randint(-2, 3)} {int_term(rng, names, depth - 1, ite)})"
    if kind == "ite":
        return (f"(ite {bool_term(rng, names, depth - 1)} {int_term(rng, names, depth - 1)} "
                f"{int_term(rng, names, depth - 1)})")
    return f"({kind} {int_term(rng, names, depth - 1, ite)} {int_term(rng, names, depth - 1, ite)})"


def bool_term(rng: random.Random, names: tuple[str, ...], depth: int) -> str:
    op = rng.choice(("<=", "<", "=", ">=")) if depth <= 1 or rng.random() < 0.7 else "and"
    if op == "and":
        return f"(and {bool_term(rng, names, depth - 1)} {bool_term(rng, names, depth - 1)})"
    return f"({op} {int_term(rng, names, 1, False)} {int_term(rng, names, 1, False)})"


def _pbe_term(rng: random.Random, names: tuple[str, ...], depth: int) -> str:
    """A random program of the PBE grammar (``PBE_GRAMMAR``)."""
    if depth == 0 or rng.random() < 0.3:
        return rng.choice(names + ("0", "1", "2"))
    kind = rng.choice(("+", "-", "ite"))
    if kind == "ite":
        a, b, c, d = (_pbe_term(rng, names, depth - 1) for _ in range(4))
        return f"(ite (<= {a} {b}) {c} {d})"
    return f"({kind} {_pbe_term(rng, names, depth - 1)} {_pbe_term(rng, names, depth - 1)})"


# ------------------------------------------------------------------ generating


def generate(rng: random.Random, k: int) -> SygusCase:
    family = FAMILIES[k % len(FAMILIES)]
    names = ("x", "y", "z")[:rng.randint(1, 3)]
    if family in ("pbe", "pbe-conflict"):
        return _pbe(rng, names, family)
    if family == "equal":
        body = int_term(rng, names, 3)
        return SygusCase(family, names, names, "", (f"(= (f {' '.join(names)}) {body})",), True)
    if family == "bounds":
        return _bounds(rng, names)
    if family == "maxmin":
        names = ("x", "y", "z")[:rng.randint(2, 3)]
        call = f"(f {' '.join(names)})"
        op = rng.choice((">=", "<="))
        parts = [f"({op} {call} {v})" for v in names]
        parts.append("(or " + " ".join(f"(= {call} {v})" for v in names) + ")")
        rng.shuffle(parts)
        return SygusCase(family, names, names, "", tuple(parts), True)
    t = int_term(rng, names, 2)
    call = f"(f {' '.join(names)})"
    return SygusCase("contradiction", names, names, "",
                     (f"(> {call} {t})", f"(< {call} (+ {t} {rng.randint(0, 1)}))"), False)


def _pbe(rng: random.Random, names: tuple[str, ...], family: str) -> SygusCase:
    target = _pbe_term(rng, names, rng.randint(1, 3))
    points: list[tuple[int, ...]] = []
    while len(points) < rng.randint(3, 6):
        p = tuple(rng.randint(-6, 6) for _ in names)
        if p not in points:
            points.append(p)
    env = [dict(zip(names, p)) for p in points]
    outs = [evaluate(parse(target), e, {}) for e in env]
    if family == "pbe-conflict":
        i = rng.randrange(len(points))
        points.append(points[i])
        outs.append(outs[i] + rng.choice((-2, -1, 1, 3)))
    constraints = tuple(f"(= (f {' '.join(_lit(v) for v in p)}) {_lit(o)})"
                        for p, o in zip(points, outs))
    head, body = PBE_GRAMMAR
    grammar = f" {head} {body.format(vars=' '.join(names))}"
    return SygusCase(family, (), names, grammar, constraints, family == "pbe")


def _bounds(rng: random.Random, names: tuple[str, ...]) -> SygusCase:
    low = int_term(rng, names, 2)
    # half of the upper bounds are above the lower one by construction, half are random
    high = f"(+ {low} {rng.randint(0, 2)})" if rng.random() < 0.5 else int_term(rng, names, 2)
    call = f"(f {' '.join(names)})"
    gap = _z3_sat(names, f"(> {low} {high})")
    return SygusCase("bounds", names, names, "", (f"(<= {low} {call})", f"(<= {call} {high})"),
                     None if gap is None else not gap)


def _lit(v: int) -> str:
    return str(v) if v >= 0 else f"(- {-v})"


# ------------------------------------------------------------------ an independent evaluator


def parse(text: str):
    """S-expressions as nested lists of strings."""
    tokens = text.replace("(", " ( ").replace(")", " ) ").split()
    stack: list[list] = [[]]
    for t in tokens:
        if t == "(":
            stack.append([])
        elif t == ")":
            done = stack.pop()
            stack[-1].append(done)
        else:
            stack[-1].append(t)
    return stack[0][0] if len(stack[0]) == 1 else stack[0]


class Unjudged(Exception):
    """The evaluator cannot judge (an operator it does not know, division by zero)."""


def _div(a: int, b: int) -> tuple[int, int]:
    """SMT-LIB integer division: ``a = b q + r`` with ``0 <= r < |b|``."""
    if b == 0:
        raise Unjudged("division by zero")
    r = a % abs(b)
    return (a - r) // b, r


def evaluate(sx, env: dict, funcs: dict):
    """The value of an LIA/CLIA term; ``funcs`` maps a name to ``(params, body)``."""
    if isinstance(sx, str):
        if sx in env:
            return env[sx]
        if sx in ("true", "false"):
            return sx == "true"
        if sx.lstrip("-").isdigit():
            return int(sx)
        if sx in funcs:
            return evaluate(funcs[sx][1], {}, funcs)
        raise Unjudged(f"unknown symbol {sx}")
    head, *args = sx
    if head == "ite":
        return evaluate(args[1] if evaluate(args[0], env, funcs) else args[2], env, funcs)
    if head == "let":
        inner = dict(env)
        inner.update((name, evaluate(t, env, funcs)) for name, t in args[0])
        return evaluate(args[1], inner, funcs)
    vals = [evaluate(a, env, funcs) for a in args]
    if head in funcs:
        params, body = funcs[head]
        return evaluate(body, dict(zip(params, vals)), funcs)
    return _apply(head, vals)


def _apply(head: str, vals: list):
    if head == "+":
        return sum(vals)
    if head == "-":
        return -vals[0] if len(vals) == 1 else vals[0] - sum(vals[1:])
    if head == "*":
        out = 1
        for v in vals:
            out *= v
        return out
    if head in ("div", "mod"):
        q, r = _div(vals[0], vals[1])
        return q if head == "div" else r
    if head == "abs":
        return abs(vals[0])
    chains = {"<=": lambda a, b: a <= b, "<": lambda a, b: a < b, ">=": lambda a, b: a >= b,
              ">": lambda a, b: a > b, "=": lambda a, b: a == b}
    if head in chains:
        return all(chains[head](a, b) for a, b in zip(vals, vals[1:]))
    if head == "and":
        return all(vals)
    if head == "or":
        return any(vals)
    if head == "not":
        return not vals[0]
    if head == "=>":
        return (not vals[0]) or vals[1]
    if head == "xor":
        return vals[0] != vals[1]
    raise Unjudged(f"unknown operator {head}")


def _definitions(answer: str) -> dict:
    """``name -> (params, body)`` for each ``define-fun`` of an answer."""
    out = {}
    sx = parse(answer)
    for d in sx if sx and isinstance(sx[0], list) else [sx]:
        if d and d[0] == "define-fun":
            out[d[1]] = ([p[0] for p in d[2]], d[4])
    return out


def evaluator_error(case: SygusCase, answer: str, rng: random.Random) -> str | None:
    """A point where the answer breaks a constraint, by the evaluator above; None if none."""
    funcs = _definitions(answer)
    if "f" not in funcs:
        return "the answer defines no f"
    points = [{}] if not case.variables else [
        {v: rng.randint(-20, 20) for v in case.variables} for _ in range(EVAL_POINTS)]
    for env in points:
        for c in case.constraints:
            try:
                ok = evaluate(parse(c), env, funcs)
            except Unjudged:
                continue
            if not ok:
                return f"the evaluator refutes {c} at {env}"
    return None


# ------------------------------------------------------------------ SMT oracles


def smt_query(case: SygusCase, answer: str) -> str:
    """SMT-LIB, unsat iff the answer meets every constraint for all variables."""
    defs = [d for d in answer.strip()[1:-1].strip().split("\n") if d.strip()]
    lines = [f"(declare-const {v} Int)" for v in case.variables] + defs
    lines.append("(assert (not (and " + " ".join(case.constraints) + " true)))")
    return "\n".join(lines)


def _z3_sat(names: tuple[str, ...], formula: str) -> bool | None:
    import z3

    s = z3.Solver()
    s.set("timeout", CHECK_MS)
    decls = "".join(f"(declare-const {v} Int)" for v in names)
    s.from_string(decls + f"(assert {formula})")
    r = s.check()
    return None if r == z3.unknown else r == z3.sat


def z3_verdict(query: str) -> str:
    import z3

    s = z3.Solver()
    s.set("timeout", CHECK_MS)
    s.from_string(query)
    return str(s.check())


def cvc5_verdict(query: str) -> str | None:
    """cvc5's verdict on the query, or None when the ``cvc5`` module is not installed."""
    try:
        import cvc5  # type: ignore[import-untyped]  # noqa: F401
    except ImportError:
        return None
    from symbolic.sygus.oracle import cvc5_run

    return cvc5_run(query + "\n(check-sat)\n", CHECK_MS, logic="ALL")


def realizable_by_z3(case: SygusCase) -> bool | None:
    """Whether some function (of any form: f uninterpreted) meets the constraints, by z3;
    None when z3 cannot tell."""
    import z3

    params = " ".join("Int" for _ in case.params)
    body = "(and " + " ".join(case.constraints) + " true)"
    if case.variables:
        bound = " ".join(f"({v} Int)" for v in case.variables)
        body = f"(forall ({bound}) {body})"
    s = z3.Solver()
    s.set("timeout", CHECK_MS)
    s.from_string(f"(declare-fun f ({params}) Int)(assert {body})")
    r = s.check()
    return None if r == z3.unknown else r == z3.sat


# ------------------------------------------------------------------ checking


def check(case: SygusCase, timeout: float) -> Verdict:
    from reasoner.api import SolveConfig, solve_sygus
    from reasoner.result import Status

    result = solve_sygus(case.text(), name=case.family, config=SolveConfig(timeout=timeout))
    if result.status is Status.SOLVED:
        return _judge_answer(case, result.solution or "")
    if result.status is Status.INFEASIBLE:
        if case.realizable:
            return Verdict(WRONG, "infeasible, but a solution in the grammar is known")
        if case.grammar:  # realizable False was built in: the spec has no solution at all
            return Verdict(INFEASIBLE)
        exists = realizable_by_z3(case)
        if exists:
            return Verdict(WRONG, "infeasible, but z3 finds a function meeting the constraints")
        if exists is None and case.realizable is None:
            return Verdict(UNKNOWN, "infeasible, unconfirmed (z3 unknown)")
        return Verdict(INFEASIBLE)
    if result.status is Status.ERROR:
        return Verdict(ERROR, f"the solver could not read a valid spec: {result.error}")
    return Verdict(UNKNOWN, result.status.value)


def in_pbe_grammar(sx, names: tuple[str, ...], sort: str = "Start") -> bool:
    """Whether a parsed term is derived from ``PBE_GRAMMAR``'s nonterminal ``sort``."""
    if isinstance(sx, str):
        return sort == "Start" and sx in (*names, "0", "1", "2")
    head, *args = sx
    shapes = {"Start": {"+": ("Start", "Start"), "-": ("Start", "Start"),
                        "ite": ("B", "Start", "Start")},
              "B": {"<=": ("Start", "Start"), "=": ("Start", "Start"), "and": ("B", "B"),
                    "not": ("B",)}}[sort]
    want = shapes.get(head)
    return want is not None and len(want) == len(args) and all(
        in_pbe_grammar(a, names, w) for a, w in zip(args, want))


def _judge_answer(case: SygusCase, answer: str) -> Verdict:
    if case.realizable is False:
        return Verdict(WRONG, f"an answer to a spec with no solution: {answer}")
    defs = _definitions(answer)
    if "f" not in defs or defs["f"][0] != list(case.params):
        return Verdict(WRONG, f"the answer does not define f({', '.join(case.params)}): {answer}")
    if case.grammar and not in_pbe_grammar(defs["f"][1], case.params):
        return Verdict(WRONG, f"the answer is not in the grammar: {answer}")
    query = smt_query(case, answer)
    z3v = z3_verdict(query)
    if z3v == "sat":
        return Verdict(WRONG, f"z3 refutes the answer {answer}")
    c5 = cvc5_verdict(query)
    if c5 == "sat":
        return Verdict(WRONG, f"cvc5 refutes the answer {answer}")
    bad = evaluator_error(case, answer, random.Random(case.text()))
    if bad is not None:
        return Verdict(WRONG, f"{bad}: {answer}")
    if z3v != "unsat" and c5 != "unsat":
        return Verdict(UNKNOWN, f"answer unconfirmed (z3 {z3v}, cvc5 {c5})")
    return Verdict(SOLVED)


def warm_up() -> None:
    """Import the synthesizer, z3 and cvc5 and load the kernels in the parent of forked
    workers (``symbolic.runner`` preload)."""
    import z3  # noqa: F401

    import reasoner.api  # noqa: F401
    from symbolic.sygus.kernels import warm_up as kernels

    kernels()
    try:
        import cvc5  # type: ignore[import-untyped]  # noqa: F401
    except ImportError:
        pass
