"""The proof state: proved facts, lines and circles as merged point sets, and the AR tables.

``ProofState.add`` records a fact with its derivation and feeds it to the structures that
make transitivity free: collinear sets sharing two points merge into one line, concyclic
sets sharing three points into one circle, and angle/ratio facts become equations of the
AR tables. ``ProofState.derive`` asks whether a statement already follows, and if so returns
it as a fact whose derivation names what it follows from.

What a fact contributes is its predicate's to say (``Predicate.equations``, ``on_add``,
``derive``); the state supplies the mechanisms: equations read on its diagram, line and
circle merging, derivation by structure, by AR or from parts.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from fractions import Fraction
from functools import partial
from itertools import combinations

import numpy as np

from . import predicates as P
from .ar import LinearTable, Snapshot, reduce_by
from .facts import ARCertificate, Derivation, Fact, LazyAR, Rules
from .predicates import Predicate
from .predicates.base import ARPredicate, Equation, Terms

PI = "PI"
# The angle table's constant counts pi / PI_PARTS: every multiple of pi the table admits
# (read off the diagram to a half degree) is then an integer, and angle rows stay integral
# where they held halves of pi (provenance and the squared table still meet fractions).
# Proofs and the knowledge graph write multiples of pi (``pi_multiple``).
PI_PARTS = 360
PRIMES = (2, 3, 5, 7, 11, 13)
ONE = Fraction(1)
AR_RULES = {"angle": Rules.AR_ANGLE, "ratio": Rules.AR_RATIO, "dist": Rules.AR_DIST,
            "squared": Rules.AR_SQUARED}
# "sine" is no table of its own: it lets the ratio table read the law of sines, with one
# variable per angle between two lines, n(ab,cd) = log |sin ∠(ab,cd)| (``ProofState.sines``)
SINE = "sine"
AR_TABLES = frozenset(AR_RULES) | {SINE}  # what ``ProofState(tables=)`` may feed
DERIVING = frozenset(AR_RULES)  # the labels of equations that state their fact
# The tables DD+AR feeds unless told otherwise: all of them. The squared table proves 207 of
# JGEX-231 instead of 205 (30 s), the same 56 of HAGeo dev, for about 2% more CPU per
# search attempt (``bench/ar_tables.py``).
DEFAULT_AR_TABLES = AR_TABLES
# log |sin y| for the angles y (degrees, mod 180) whose sine is a product of powers of
# primes and their square roots: the ratio table's constants are logs of primes
SINE_LOGS: dict[int, dict[int, Fraction]] = {
    90: {}, 30: {2: Fraction(-1)}, 150: {2: Fraction(-1)},
    45: {2: Fraction(-1, 2)}, 135: {2: Fraction(-1, 2)},
    60: {3: Fraction(1, 2), 2: Fraction(-1)}, 120: {3: Fraction(1, 2), 2: Fraction(-1)}}


def pi_multiple(k: int | Fraction) -> Fraction:
    """The multiple of pi that ``k`` (a coefficient of the angle table's ``PI``) stands for."""
    return Fraction(k) / PI_PARTS


def pi_coefficient(m: int | Fraction) -> Fraction:
    """The coefficient of ``PI`` that stands for ``m`` times pi (``pi_multiple``'s inverse)."""
    return Fraction(m) * PI_PARTS


def seg(a: str, b: str) -> tuple[str, str]:
    return (a, b) if a < b else (b, a)


def sine_var(a: str, b: str, c: str, d: str) -> tuple[str, str, str, str, str]:
    """The ratio table's variable log |sin ∠(ab,cd)|: the same for either order of the two
    lines and of the points of each."""
    s, t = seg(a, b), seg(c, d)
    if t < s:
        s, t = t, s
    return ("n",) + s + t


def _known(tables: Iterable[str]) -> frozenset[str]:
    """``tables`` as a set, once each is known to be an AR table (else ValueError)."""
    found = frozenset(tables)
    unknown = found - AR_TABLES
    if unknown:
        raise ValueError(f"unknown AR table(s) {sorted(unknown)}; known: {sorted(AR_TABLES)}")
    return found


def factorize(n: int) -> dict[int, int]:
    out: dict[int, int] = {}
    for p in PRIMES:
        while n % p == 0:
            out[p] = out.get(p, 0) + 1
            n //= p
    if n != 1:
        raise ValueError(f"ratio constant with a prime factor above {PRIMES[-1]}: {n}")
    return out


@dataclass
class PointSet:
    """A line (collinear points) or circle (concyclic points) and the fact stating it."""

    points: frozenset[str]
    fact: Fact


class ProofState:
    """Everything proved so far about one diagram."""

    def __init__(self, coords: dict[str, np.ndarray],
                 tables: frozenset[str] = DEFAULT_AR_TABLES) -> None:
        self.coords = coords
        self.enabled = _known(tables)  # the AR tables fed: equations of others are dropped
        self.facts: dict[Fact, Derivation] = {}
        self.lines: list[PointSet] = []
        self.circles: list[PointSet] = []
        self.line_of: dict[tuple[str, str], PointSet] = {}
        self.angles = LinearTable([PI])
        self.ratios = LinearTable([("log", p) for p in PRIMES])
        self.dists = LinearTable()
        self.squares = LinearTable()
        self.tables = {"angle": self.angles, "ratio": self.ratios, "dist": self.dists,
                       "squared": self.squares, SINE: self.ratios}
        self.eq_source: dict[int, tuple[Fact, tuple]] = {}
        self._direction: dict[tuple[str, str], float] = {}
        self._holds: dict[tuple[Predicate, tuple[str, ...]], bool] = {}
        self._equations: dict[Fact, list[Equation]] = {}  # read off the diagram once
        self._reads_all: list[Fact] = []  # those of them whose equations read every point
        # (fact, i) -> the residual of its i-th equation when ``derive_ar`` last failed on
        # it, and how many pivots its table had then (``LinearTable.residual_since``)
        self._residuals: dict[tuple[Fact, int], tuple[dict, int]] = {}
        # statement -> the stamp at which ``may_follow`` last answered False for it: the
        # same answer while the stamp stands (waiting instances share their premises, and
        # each level asks them all again)
        self._stuck: dict[Fact, int] = {}
        self.changed = 0  # bumps whenever a structure or table learns something
        self.added = 0  # facts recorded by ``add`` (given, or concluded by a rule)

    def extended(self, coords: dict[str, np.ndarray],
                 tables: frozenset[str] | None = None) -> ProofState:
        """A copy of this state on ``coords``, a diagram that keeps every point of this one
        where it is and may add more: all it proved and read off the diagram stays true.
        ``tables``: the AR tables the copy feeds from now on (None: this state's); what this
        one's tables hold stays in them."""
        new = ProofState.__new__(ProofState)
        new.coords = coords
        new.enabled = self.enabled if tables is None else _known(tables)
        new.facts = dict(self.facts)
        new.lines, new.circles = list(self.lines), list(self.circles)  # PointSets: never
        new.line_of = dict(self.line_of)                                # changed in place
        new.angles, new.ratios, new.dists, new.squares = (
            self.angles.copy(), self.ratios.copy(), self.dists.copy(), self.squares.copy())
        new.tables = {"angle": new.angles, "ratio": new.ratios, "dist": new.dists,
                      "squared": new.squares, SINE: new.ratios}
        new.eq_source = dict(self.eq_source)
        new._direction = dict(self._direction)
        new._holds = dict(self._holds)
        new._equations = dict(self._equations)  # more points: more equations for some
        for f in self._reads_all:
            del new._equations[f]
        new._reads_all = []
        new._residuals = dict(self._residuals)  # tables copied with their pivots: still valid
        new._stuck = {}  # the same stamp on more points may have more equations
        new.changed = self.changed
        new.added = self.added
        return new

    # ------------------------------------------------------------------ numeric values
    def direction(self, a: str, b: str) -> float:
        s = seg(a, b)
        v = self._direction.get(s)
        if v is None:
            v = P.direction(self.coords[s[0]], self.coords[s[1]])
            self._direction[s] = v
        return v

    def holds(self, pred: Predicate, args: tuple[str, ...]) -> bool:
        """Numeric truth on this diagram (memoised per statement)."""
        key = (pred, args)
        v = self._holds.get(key)
        if v is None:
            v = self._holds[key] = pred.holds(args, self.coords)
        return v

    # ------------------------------------------------------------------ writing equations
    # A predicate states its AR equations (``Predicate.equations``) with these four; the
    # state supplies what only the diagram knows: multiples of pi, the order along a line.
    def angle(self, terms: Terms, const: Fraction | None = None) -> Equation | None:
        """Angle table: sum(sign * d(seg)) + c*PI = 0 (PI standing for pi / PI_PARTS), c read
        off the diagram (the multiple of pi must equal ``const`` mod 1 when given); None for
        a zero-length segment."""
        expr: dict = {}
        s = 0.0
        for (a, b), sign in terms:
            if a == b:
                return None
            key = ("d",) + seg(a, b)
            expr[key] = expr.get(key, 0) + sign
            s += sign * self.direction(a, b)
        expr = {k: v for k, v in expr.items() if v}
        c = round(-s / math.pi * PI_PARTS)
        if abs(s + c * (math.pi / PI_PARTS)) > 1e-6:
            return None
        if const is not None and (pi_multiple(c) - const).denominator != 1:
            return None
        if c:
            expr[PI] = c
        return "angle", expr

    def ratio(self, terms: Terms, const: Fraction = ONE) -> Equation | None:
        """Ratio table: sum(sign * log|seg|) - log(const) = 0, constants as logs of primes."""
        expr: dict = {}
        for (a, b), sign in terms:
            if a == b:
                return None
            key = ("l",) + seg(a, b)
            expr[key] = expr.get(key, 0) + sign
        expr = {k: v for k, v in expr.items() if v}
        for p, e in factorize(const.numerator).items():
            expr[("log", p)] = expr.get(("log", p), 0) - e
        for p, e in factorize(const.denominator).items():
            expr[("log", p)] = expr.get(("log", p), 0) + e
        return "ratio", {k: v for k, v in expr.items() if v}

    def sines(self, terms: Terms, angles: Sequence[tuple[tuple[str, str], tuple[str, str], int]],
              const: int | None = None) -> Equation | None:
        """Ratio table, law of sines: sum(sign * log|seg|) + sum(k * n(ab,cd)) - log|sin
        const°| = 0, where n(ab,cd) = log |sin ∠(ab,cd)| (one variable for either order of
        the lines, ``sine_var``). None unless the ratio table is fed with the law of sines
        ("sine"), and for an angle between parallel lines on the diagram (no logarithm) or
        a zero-length segment. Labelled "sine", not "ratio": the equation goes to the ratio
        table (``tables["sine"]`` is it) but is a consequence of its statement, not the
        statement itself (equal sines do not make equal angles), so the table never derives
        a statement from it (``derive_ar``, ``DERIVING``)."""
        if SINE not in self.enabled or "ratio" not in self.enabled:
            return None
        found = self.ratio(terms)
        if found is None:
            return None
        expr = dict(found[1])
        for (a, b), (c, d), k in angles:
            if a == b or c == d:
                return None
            if abs(math.sin(self.direction(c, d) - self.direction(a, b))) < 1e-9:
                return None
            key = sine_var(a, b, c, d)
            expr[key] = expr.get(key, 0) + k
        if const is not None:
            for p, e in SINE_LOGS[const % 180].items():
                expr[("log", p)] = expr.get(("log", p), 0) - e
        expr = {k: v for k, v in expr.items() if v}
        return (SINE, expr) if expr else None

    def dist(self, terms: Terms) -> Equation | None:
        """Distance table: sum(k * |seg|) = 0 (lengths as unknowns); None if trivial."""
        expr: dict = {}
        for (a, b), k in terms:
            if a == b:
                return None
            key = ("s",) + seg(a, b)
            expr[key] = expr.get(key, 0) + k
        expr = {k: v for k, v in expr.items() if v}
        return ("dist", expr) if expr else None

    def squared(self, terms: Terms) -> Equation | None:
        """Squared-length table: sum(k * |seg|^2) = 0; a segment of length zero has square
        zero (its term is dropped); None if nothing is left."""
        expr: dict = {}
        for (a, b), k in terms:
            if a != b:
                key = ("q",) + seg(a, b)
                expr[key] = expr.get(key, 0) + k
        expr = {k: v for k, v in expr.items() if v}
        return ("squared", expr) if expr else None

    def additivity(self, pts: list[str]) -> list[Equation]:
        """|xz| = |xy| + |yz| for every y between x and z on a line (order from the diagram)."""
        c = self.coords
        p0, p1 = c[pts[0]], c[pts[1]]
        u = (p1 - p0) / max(float(np.hypot(*(p1 - p0))), 1e-12)
        order = sorted(pts, key=lambda p: float((c[p] - p0) @ u))
        out = []
        for i, j, k in combinations(range(len(order)), 3):
            x, y, z = order[i], order[j], order[k]
            e = self.dist([((x, z), 1), ((x, y), -1), ((y, z), -1)])
            if e:
                out.append(e)
        return out

    def equations(self, fact: Fact) -> list[Equation]:
        """The AR equations a fact contributes to the enabled tables: (table name,
        expression = 0); memoised (they depend on the diagram only), so callers must not
        change them."""
        found = self._equations.get(fact)
        if found is None:
            found = [e for e in fact.pred.equations(fact.args, self)
                     if e is not None and e[0] in self.enabled]
            self._equations[fact] = found
            if fact.pred.equations_read_all_points:
                self._reads_all.append(fact)
        return found

    # ------------------------------------------------------------------ adding facts
    def add(self, fact: Fact, derivation: Derivation) -> bool:
        """Record a fact; True if it taught the state something new."""
        if fact in self.facts:
            return False
        self.facts[fact] = derivation
        self.added += 1
        before = self.changed
        fact.pred.on_add(self, fact)  # lines and circles
        for table_name, expr in self.equations(fact):
            table = self.tables[table_name]
            eq_id = len(self.eq_source)
            self.eq_source[eq_id] = (fact, tuple(sorted(expr.items(), key=repr)))
            if table.add(expr, eq_id):
                self.changed += 1
        for part in fact.pred.unfold(fact.args):
            self.add(part, Derivation(Rules.DEF, (fact,), derivation.level))
        return self.changed != before

    def feed(self, fact: Fact) -> None:
        """Give a recorded fact's equations to every table (a fact recorded by ``derive``,
        which feeds only the tables it did not come from)."""
        self._share(fact, "")

    def merge_line(self, fact: Fact) -> None:
        """Collinear sets sharing two points are one line (``coll`` facts)."""
        found = self._merge(fact, self.lines, 2, Rules.LINE)
        if found is None:
            return
        new, merged = found
        for x, y in combinations(sorted(new.points), 2):
            self.line_of[(x, y)] = new
        if merged is not fact:
            for table_name, expr in self.equations(merged):
                eq_id = len(self.eq_source)
                self.eq_source[eq_id] = (merged, tuple(sorted(expr.items(), key=repr)))
                self.tables[table_name].add(expr, eq_id)

    def merge_circle(self, fact: Fact) -> None:
        """Concyclic sets sharing three points are one circle (``cyclic`` facts)."""
        self._merge(fact, self.circles, 3, Rules.CIRCLE)

    def _merge(self, fact: Fact, sets: list[PointSet], shared: int,
               rule: str) -> tuple[PointSet, Fact] | None:
        pts = frozenset(fact.args)
        touching = [s for s in sets if len(s.points & pts) >= shared]
        if len(touching) == 1 and pts <= touching[0].points:
            return None
        members = pts.union(*(s.points for s in touching))
        merged = fact
        if members != pts:
            merged = Fact.make(fact.pred, tuple(sorted(members)))
            premises = tuple(dict.fromkeys([fact] + [s.fact for s in touching]))
            if merged not in self.facts:
                self.facts[merged] = Derivation(rule, premises, self.facts[fact].level)
        for s in touching:
            sets.remove(s)
        new = PointSet(members, merged)
        sets.append(new)
        self.changed += 1
        return new, merged

    @property
    def stamp(self) -> int:
        """Changes when what ``derive`` can derive may have changed: a structure or table
        learned something, or ``add`` recorded a fact. (Facts that ``derive`` records are
        derivable already; sharing one with another table counts as that table learning.)"""
        return self.changed + self.added  # both only grow: the sum changes when either does

    # ------------------------------------------------------------------ queries
    def line_through(self, a: str, b: str) -> PointSet | None:
        return self.line_of.get(seg(a, b))

    def circle_through(self, pts: frozenset[str]) -> PointSet | None:
        for c in self.circles:
            if pts <= c.points:
                return c
        return None

    def derive(self, pred: Predicate, args: tuple[str, ...]) -> Fact | None:
        """The fact ``pred args`` if it already follows from the state, else None.

        A statement that follows from a structure or an AR table is recorded as a new fact
        whose derivation cites the facts it came from.
        """
        return self.derive_fact(Fact.make(pred, args))

    def derive_fact(self, fact: Fact) -> Fact | None:
        """``derive`` for a statement already in canonical form (the parts a predicate
        unfolds into, say): no second canonicalisation."""
        if fact in self.facts:
            return fact
        return fact.pred.derive(self, fact)

    # How predicates are derived (``Predicate.derive`` picks one of these).
    def derive_line(self, fact: Fact) -> Fact | None:
        """Collinear: all points on one known line (fewer than three: trivially)."""
        pts = frozenset(fact.args)
        if len(pts) < 3:
            return self._record(fact, Derivation(Rules.LINE, ()))
        line = self.line_through_all(pts)
        if line is None:
            return None
        return self._record(fact, Derivation(Rules.LINE, (line.fact,)))

    def line_through_all(self, pts: frozenset[str]) -> PointSet | None:
        """The known line through all of ``pts`` (three or more), if there is one."""
        line = self.line_through(*sorted(pts)[:2])
        return line if line and pts <= line.points else None

    def derive_circle(self, fact: Fact) -> Fact | None:
        """Concyclic: all points on one known circle (fewer than four: trivially)."""
        pts = frozenset(fact.args)
        if len(pts) < 4:
            return self._record(fact, Derivation(Rules.CIRCLE, ()))
        c = self.circle_through(pts)
        return self._record(fact, Derivation(Rules.CIRCLE, (c.fact,))) if c else None

    def derive_parts(self, fact: Fact) -> Fact | None:
        """A composite fact folded from its parts (``Predicate.unfold``), when they follow."""
        parts = [self.derive_fact(q) for q in fact.pred.unfold(fact.args)]
        parts = parts[:fact.pred.needed_parts]
        if all(parts):
            return self._record(fact, Derivation(Rules.FOLD, tuple(parts)))  # type: ignore
        return None

    def _record(self, fact: Fact, d: Derivation) -> Fact:
        self.facts.setdefault(fact, d)
        return fact

    def derive_ar(self, fact: Fact) -> Fact | None:
        """An angle or ratio statement that an AR table implies, with its certificate.

        Deduction asks the same statements again and again (a rule instance waiting for a
        premise asks at every level, a child state asks its parent's questions again), and
        nearly all fail; a failed equation keeps its residual, brought up to date with only
        the pivots made since (``LinearTable.residual_since``) when asked again."""
        for i, (table_name, expr) in enumerate(self.equations(fact)):
            if table_name not in DERIVING:
                continue
            table = self.tables[table_name]
            last = self._residuals.get((fact, i))
            res = table.residual(expr) if last is None else table.residual_since(*last)
            if res:
                self._residuals[(fact, i)] = (res, len(table.pivots))
                continue
            if fact not in self.facts:  # implied: the combination is found when read
                found = partial(_combination, table_name, expr, table.snapshot(expr),
                                self.eq_source)
                self.facts[fact] = LazyAR(AR_RULES[table_name], found)
                self._share(fact, table_name)
            return fact
        return None

    def may_follow(self, fact: Fact) -> bool:
        """False only when ``derive_fact(fact)`` would fail again and change nothing: the
        fact is not recorded, and either it is an AR statement each equation of which failed
        before with a residual that no pivot made since occurs in, or its predicate says so
        (``Predicate.may_follow``: not on a known line or circle, or known only as a stored
        fact). What lets a waiting rule instance wait for the premise it lacks rather than
        for any change of the state (``dd.Waiting``)."""
        if fact in self.facts:
            return True
        stamp = self.changed + self.added  # ``stamp``, without the property's call
        if self._stuck.get(fact) == stamp:
            return False
        if type(fact.pred).derive is ARPredicate.derive:
            follows = self._ar_may_follow(fact)
        else:  # a structure's (line, circle) or a stored fact's: the predicate says
            follows = fact.pred.may_follow(self, fact)
        if not follows:
            self._stuck[fact] = stamp
        return follows

    def _ar_may_follow(self, fact: Fact) -> bool:
        """``may_follow`` for an AR statement not recorded: False when each of its
        equations failed before with a residual that no pivot made since occurs in."""
        eqs = self._equations.get(fact)
        if eqs is None:
            return True
        for i, (table_name, _) in enumerate(eqs):
            if table_name not in DERIVING:
                continue
            last = self._residuals.get((fact, i))
            if last is None:
                return True
            table = self.tables[table_name]
            if table.touched_since(*last):
                return True
            self._residuals[(fact, i)] = (last[0], len(table.pivots))
        return False

    def _share(self, fact: Fact, source: str) -> None:
        """A fact one table derived becomes an equation of the other tables it speaks to."""
        self.feed_equations(fact, self.equations(fact), source)

    def feed_equations(self, fact: Fact, equations: Iterable[Equation | None],
                       skip: str = "") -> None:
        """Give a recorded fact's ``equations`` (some of its ``equations``) to their tables,
        but the table ``skip``."""
        for eq in equations:
            if eq is None or eq[0] not in self.enabled:
                continue
            table_name, expr = eq
            if table_name == skip:
                continue
            eq_id = len(self.eq_source)
            self.eq_source[eq_id] = (fact, tuple(sorted(expr.items(), key=repr)))
            if self.tables[table_name].add(expr, eq_id):
                self.changed += 1


def _combination(table: str, expr: dict, snapshot: Snapshot,
                 eq_source: dict[int, tuple[Fact, tuple]]
                 ) -> tuple[tuple[Fact, ...], ARCertificate]:
    """The premises and certificate of an AR step: ``expr`` reduced by ``snapshot``, the
    table's rows when the step was found (``eq_source`` only grows: its entries stay)."""
    _, combo = reduce_by(expr, snapshot)
    terms = []
    for eq_id, k in sorted(combo.items()):
        src, eq = eq_source[eq_id]
        terms.append((src, eq, Fraction(k)))
    premises = tuple(dict.fromkeys(src for src, _, _ in terms))
    cert = ARCertificate(table, tuple(sorted(expr.items(), key=repr)), tuple(terms))
    return premises, cert
