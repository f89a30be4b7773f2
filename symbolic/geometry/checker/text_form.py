"""Read a proof printed as text (``Proof.text()``, ``solve-problem --proof``) into a proof
document, so that the checker checks what a person reads.

The text says the statement, the given facts, and each step's premises, conclusion and rule,
but not the witnesses the JSON form carries: the rule instance (rule variable -> point) and
an AR step's equations and weights. They are searched for here: an instance by unifying the
rule's atoms with the printed premises, AR weights by solving the linear system of the printed
premises' equations exactly (angle equations read on a diagram drawn for the purpose). A
witness found here proves nothing by itself: the document goes through ``check_document``
like any other, which checks every step against it.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterator
from fractions import Fraction
from itertools import combinations, permutations, product
from typing import Any

import numpy as np

from . import meaning as M
from .reading import said

_LINE = re.compile(r"^\s*(G\d+|\d+)\. (.*?)\s+\[(.+)\]$")
_PREMISE = re.compile(r" \((G\d+|\d+)\)(?:, |$)")
_HEAD = re.compile(r"^(?:(.+?): proved in |proved\s+\S+ s\s+(\S+)\s)")


class TextError(ValueError):
    """A text that is not a printed proof (no statement, a line of no known form)."""


def read_text(text: str, seed: int = 7) -> dict[str, Any]:
    """The proof document a printed proof stands for, witnesses searched for."""
    from ..errors import GeometryError
    from ..numeric import build_diagram
    from ..problem import parse_problem
    from ..tables import rules

    lines = text.splitlines()
    name = next((m.group(1) or m.group(2) for m in map(_HEAD.match, lines) if m), "proof")
    statement = next((x[len("Statement: "):] for x in lines if x.startswith("Statement: ")), None)
    if statement is None:
        raise TextError("no 'Statement:' line (print the proof with this version)")
    try:
        problem = parse_problem(statement, name=name)
        coords = build_diagram(problem, np.random.default_rng(seed)).coords
    except GeometryError as e:
        raise TextError(f"the statement: {e}") from None
    diagram = {p: (float(v[0]), float(v[1])) for p, v in coords.items()}
    points = set(problem.points)
    table = {r.id: r for r in rules()}
    known: dict[str, M.Stmt] = {}
    steps = []
    for raw in lines:
        m = _LINE.match(raw)
        if not m:
            continue
        sid, body, label = m.groups()
        prem_text, _, concl_text = body.rpartition(" => ")
        parts = _PREMISE.split(prem_text) if prem_text else []
        ids = parts[1::2]
        try:
            concl = _fact(concl_text, points)
        except M.Unreadable as e:
            raise TextError(f"step {sid}: {e}") from None
        words = label.split()
        rule = "given" if sid.startswith("G") else (
            words[0] if re.fullmatch(r"r\d+", words[0]) else label)
        item: dict[str, Any] = {"id": sid, "fact": " ".join((concl[0],) + concl[1]),
                                "text": concl_text, "rule": rule, "premises": ids}
        premises = [known[i] for i in ids if i in known]
        if rule in table and len(premises) == len(ids):
            found = find_instance(table[rule], premises, concl, diagram)
            if found is not None:
                item["instance"] = found
        elif rule in M.AR_TABLES:
            item.update(find_terms(M.AR_TABLES[rule], [(i, known[i]) for i in ids if i in known],
                                   concl, diagram))
        known[sid] = concl
        steps.append(item)
    g = problem.goal
    return {"problem": name, "statement": statement, "goal": " ".join((g.pred.name,) + g.args),
            "diagram": {p: list(xy) for p, xy in diagram.items()}, "steps": steps}


def _fact(text: str, points: set[str]) -> M.Stmt:
    stated = said(text, points)
    if len(stated) == 1:
        return stated[0]
    m, x, _, z, n, y, _, w = stated[0][1]  # mx:mz = ny:nw, ...: a Thales eqratio3
    return "eqratio3", (x, y, z, w, m, n)


# ---------------------------------------------------------------- rule instances

def _variants(s: M.Stmt, n: int) -> Iterator[M.Args]:
    """The argument tuples of length ``n`` that state ``s`` (to bind a rule atom to it)."""
    name, a = s
    if name in ("coll", "cyclic", "ncoll", "sines"):  # a rule may name one point twice (r05)
        pts = set(a)
        yield from (permutations(a) if n == len(a) else
                    (v for v in product(sorted(pts), repeat=n) if set(v) == pts))
    elif name in ("para", "perp", "cong"):
        for p, q in ((a[:2], a[2:]), (a[2:], a[:2])):
            for u in (p, p[::-1]):
                for v in (q, q[::-1]):
                    yield u + v
    elif name in ("eqangle", "eqratio"):
        s4 = [a[i:i + 2] for i in range(0, 8, 2)]
        for o in ((0, 1, 2, 3), (2, 3, 0, 1), (1, 0, 3, 2), (3, 2, 1, 0),
                  (0, 2, 1, 3), (2, 0, 3, 1), (1, 3, 0, 2), (3, 1, 2, 0)):
            for flips in range(16):
                yield tuple(x for k, i in enumerate(o)
                            for x in (s4[i][::-1] if flips >> k & 1 else s4[i]))
    elif name == "midp":
        yield a
        yield (a[0], a[2], a[1])
    elif name == "circle":
        for rest in permutations(a[1:]):
            yield (a[0],) + rest
    elif name in M.TRIANGLES:
        for order in permutations(range(3)):
            t1, t2 = tuple(a[i] for i in order), tuple(a[3 + i] for i in order)
            yield t1 + t2
            yield t2 + t1
    else:
        yield a


def find_instance(rule, premises: list[M.Stmt], concl: M.Stmt,
                  coords: M.Coords) -> dict[str, str] | None:
    """A mapping under which ``rule`` derives ``concl`` from exactly ``premises``."""
    atoms = [(M.statement(a.pred.name, a.args), a.args) for a in rule.premises]
    proved = [(s[0], args) for s, args in atoms if s[0] not in M.SIDE_CONDITIONS]
    side = [a for a in rule.premises if a.pred.name in M.SIDE_CONDITIONS]
    want = {M.key(p) for p in premises}
    cname = rule.conclusion.pred.name
    names = M.EITHER.get(cname, (cname,))

    def search(i: int, m: dict[str, str]) -> Iterator[dict[str, str]]:
        if i == len(proved):
            yield m
            return
        name, args = proved[i]
        for p in premises:
            if p[0] != name:
                continue
            for v in _variants(p, len(args)):
                if len(v) != len(args):
                    continue
                m2 = dict(m)
                if all(m2.setdefault(x, y) == y for x, y in zip(args, v)):
                    yield from search(i + 1, m2)

    def completed(m: dict[str, str]) -> Iterator[dict[str, str]]:
        """``m``, or where the premises leave a variable unbound (r59: a side condition
        only), ``m`` bound further by the conclusion."""
        if all(v in m for v in rule.variables):
            yield m
            return
        args = rule.conclusion.args
        for v in _variants(concl, len(args)):
            m2 = dict(m)
            if len(v) == len(args) and all(m2.setdefault(x, y) == y for x, y in zip(args, v)):
                yield m2

    for m in (m2 for m1 in search(0, {}) for m2 in completed(m1)):
        if any(v not in m for v in rule.variables):
            continue
        inst = lambda atom, m=m: tuple(m[x] for x in atom.args)  # noqa: E731
        if {M.key(M.statement(n, tuple(m[x] for x in args))) for n, args in proved} != want:
            continue
        if M.key(concl) not in {M.key(M.statement(n, inst(rule.conclusion))) for n in names}:
            continue
        if all(M.holds(M.statement(a.pred.name, inst(a)), coords) for a in side):
            return m
    return None


# ---------------------------------------------------------------- AR weights

def _pi_fixed(eq: M.Eq, kappa: Fraction, coords: M.Coords) -> M.Eq | None:
    """``eq`` + c pi with c = kappa (mod 1) making it true on the diagram, or None."""
    value = sum(float(k) * M.direction(coords, *v[2:-1].split(",")) for v, k in eq.items())
    c = Fraction(round(-value / math.pi - float(kappa))) + kappa
    if abs(value + float(c) * math.pi) > 1e-6:
        return None
    return {**eq, "pi": c} if c else dict(eq)


def equations(s: M.Stmt, table: str, coords: M.Coords, target: bool = False) -> list[M.Eq]:
    """The equations of table ``table`` that ``s`` states (read on ``coords``); as the
    ``target`` of an AR step, none of the law of sines' (``meaning.states``)."""
    name, a = s
    lin = M.linear
    out: list[M.Eq | None] = []
    if table == "angle":
        if name == "coll":
            segs = sorted({M.segment(x, y) for x, y in combinations(set(a), 2)})
            out = [_pi_fixed(lin("d", [(p, 1), (segs[0], -1)]), Fraction(0), coords)
                   for p in segs[1:]]
        elif name in ("para", "perp"):
            out = [_pi_fixed(lin("d", [(a[:2], 1), (a[2:], -1)]),
                             Fraction(1, 2) if name == "perp" else Fraction(0), coords)]
        elif name == "eqangle":
            out = [_pi_fixed(lin("d", [(a[2:4], 1), (a[:2], -1), (a[6:], -1), (a[4:6], 1)]),
                             Fraction(0), coords)]
        elif name == "aconst":
            out = [_pi_fixed(lin("d", [(a[2:4], 1), (a[:2], -1)]),
                             (-Fraction(a[4]) / 180) % 1, coords)]
    elif table == "ratio":
        if name == "cong":
            out = [lin("l", [(a[:2], 1), (a[2:], -1)])]
        elif name == "eqratio":
            out = [lin("l", [(a[:2], 1), (a[2:4], -1), (a[4:6], -1), (a[6:], 1)])]
        elif name == "rconst":
            out = [M.rconst_ratio(a)]
        elif name == "menelaus":
            out = [M.menelaus_ratio(a)]
        out = out + ([] if target else list(M.sine_equations(s, coords)))
    elif table == "dist":
        if name == "cong":
            out = [lin("s", [(a[:2], 1), (a[2:], -1)])]
        elif name == "rconst":
            out = [lin("s", [(a[:2], int(a[5])), (a[2:4], -int(a[4]))])]
        elif name == "coll":
            for x, y, z in combinations(sorted(set(a)), 3):
                for u, v, w in ((x, y, z), (y, x, z), (x, z, y)):
                    d = lambda p, q: math.dist(coords[p], coords[q])  # noqa: E731
                    if abs(d(u, w) - d(u, v) - d(v, w)) < 1e-6:
                        out.append(lin("s", [((u, w), 1), ((u, v), -1), ((v, w), -1)]))
    elif table == "squared":
        out.extend(M.squared_equations(s, coords))
    return [e for e in out if e]


def _solve(columns: list[M.Eq], target: M.Eq) -> list[Fraction] | None:
    """Weights k with sum(k_i * columns[i]) == target exactly (Gauss-Jordan in fractions)."""
    variables = sorted(set(target).union(*columns))
    n = len(columns)
    rows = [[c.get(v, Fraction(0)) for c in columns] + [target.get(v, Fraction(0))]
            for v in variables]
    pivots: list[int] = []
    r = 0
    for col in range(n):
        p = next((i for i in range(r, len(rows)) if rows[i][col]), None)
        if p is None:
            continue
        rows[r], rows[p] = rows[p], rows[r]
        rows[r] = [x / rows[r][col] for x in rows[r]]
        for i in range(len(rows)):
            if i != r and rows[i][col]:
                f = rows[i][col]
                rows[i] = [x - f * y for x, y in zip(rows[i], rows[r])]
        pivots.append(col)
        r += 1
    if any(row[-1] for row in rows[r:]):
        return None
    k = [Fraction(0)] * n
    for i, col in enumerate(pivots):
        k[col] = rows[i][-1]
    return k


def find_terms(table: str, premises: list[tuple[str, M.Stmt]], concl: M.Stmt,
               coords: M.Coords) -> dict[str, Any]:
    """An AR step's witness: its table, target equation and weighted premise equations
    (empty terms when none is found: the check then fails on them)."""
    wit: dict[str, Any] = {"table": table, "target": {}, "terms": []}
    targets = equations(concl, table, coords, target=True)
    if not targets:
        return wit
    wit["target"] = {v: str(k) for v, k in targets[0].items()}
    cols = [(i, e) for i, s in premises for e in equations(s, table, coords)]
    k = _solve([e for _, e in cols], targets[0])
    if k is not None:
        wit["terms"] = [{"premise": i, "equation": {v: str(c) for v, c in e.items()},
                         "coefficient": str(w)} for (i, e), w in zip(cols, k) if w]
    return wit
