"""Check a printed proof step by step, apart from the engine that found it.

A proof document (``Proof.document()``, or a ``solve-problem --json --proof`` row) holds the
statement, the diagram the proof was found on and numbered steps. The checker reads the
statement with the shared parser, draws a fresh diagram of it (auxiliary constructions
included; one where the goal holds, as the problem is meant) with its own seed, and checks:

* every fact's printed text says exactly what the fact asserts (``reading``);
* the proof's diagram is a drawing of the statement (every construction's facts hold on it);
* every given is a premise of a construction of the statement;
* no clause of auxiliary points (those the goal does not depend on) fixes them more than
  their degrees of freedom allow: it would assume a fact, not construct;
* every premise a step cites is given or concluded by an earlier step;
* each step follows from its printed premises: by its rule (the printed instance maps the
  rule's premises to exactly the printed premises and its conclusion to the printed
  conclusion; side conditions hold on both diagrams), by its AR combination (each equation
  one its premise states, true on the proof's diagram, and their weighted sum the
  conclusion's equation, exactly, in fractions), by a definition (the conclusion is a part
  of the premise, or the premises are enough parts to fold it), or by merging lines/circles;
* every given and conclusion holds on both diagrams;
* the last step (or a given, when there are no steps) is the goal.

Shared with the engine: the problem parser, the diagram sampler (``build_diagram``, with the
checker's own seed), and the rule and construction tables as data. What facts mean, how
they are compared, what they are defined as and which equations they state is
``meaning``'s, restated apart from the predicate classes.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from fractions import Fraction
from functools import lru_cache
from typing import Any

import numpy as np

from . import meaning as M
from .reading import says_all

AR_TABLES = M.AR_TABLES
MERGES = {"same line": ("coll", 2), "same circle": ("cyclic", 3)}
DEFINITION, FOLD, GIVEN = "definition", "by definition", "given"


class BadProof(ValueError):
    """Not a proof document at all (missing fields, a statement that does not parse)."""


@dataclass(frozen=True)
class Report:
    """The verdict on one proof: ``errors`` each name the step and what failed."""

    problem: str
    steps: int
    errors: tuple[str, ...]

    @property
    def valid(self) -> bool:
        return not self.errors

    def to_json(self) -> dict[str, Any]:
        return {"problem": self.problem, "steps": self.steps, "valid": self.valid,
                "errors": list(self.errors)}


def _field(obj: Mapping[str, Any], name: str, kind: type) -> Any:
    value = obj.get(name)
    if not isinstance(value, kind):
        raise BadProof(f"field {name!r} missing or not a {kind.__name__}")
    return value


def check_document(doc: Mapping[str, Any], seed: int = 20240615) -> Report:
    """Check one proof document; BadProof if it is not one."""
    from ..errors import GeometryError
    from ..tables import rules

    name = str(doc.get("problem", "proof"))
    try:
        problem = _parse(_field(doc, "statement", str), name)
    except GeometryError as e:
        raise BadProof(f"the statement does not parse: {e}") from None
    steps = _field(doc, "steps", list)
    assumed = _assuming_auxiliary(problem)
    if assumed:
        return Report(name, len(steps), (assumed,))
    raw = _field(doc, "diagram", dict)
    try:
        found = {p: (float(xy[0]), float(xy[1])) for p, xy in raw.items()}
    except (TypeError, ValueError, IndexError):
        raise BadProof("diagram: expected {point: [x, y]}") from None
    missing = [p for p in problem.points if p not in found]
    if missing:
        raise BadProof(f"diagram: no coordinates for {', '.join(missing)}")
    try:
        fresh = _fresh_diagram(problem, seed)
    except GeometryError as e:
        return Report(name, len(steps), (f"cannot draw a fresh diagram: {e}",))
    checker = _Checker(problem, {r.id: r for r in rules()}, found, fresh)
    false = [" ".join((n,) + a) for n, a in checker.construction_facts
             if not M.holds((n, a), found)]
    if false:  # the AR equations are read on it: it must be a drawing of this statement
        return Report(name, len(steps), (f"diagram: not a drawing of the statement "
                                         f"({false[0]} is false on it)",))
    for item in steps:
        if not isinstance(item, Mapping):
            raise BadProof("a step is not an object")
        checker.step(item)
    checker.goal(doc.get("goal"), steps)
    restated = doc.get("restated")
    if restated is not None:
        checker.errors.extend(_restatement(restated, problem, name, seed))
    return Report(name, sum(1 for s in steps if s.get("rule") != GIVEN), tuple(checker.errors))


def _assuming_auxiliary(problem) -> str | None:
    """The error of a clause that constructs only points the goal does not depend on (an
    auxiliary point) and fixes them more than their degrees of freedom allow
    (``problem.overdetermined``): such a clause states a fact about the figure, which a proof
    must not assume. No statement of the benchmarks has one. Which points the goal depends
    on is worked out here, apart from the engine's ``proof.auxiliary_points``."""
    from ..problem import overdetermined

    needs: dict[str, set[str]] = {}
    for clause in problem.clauses:
        inputs = {a for s in clause.steps for a in s.args if a in needs}
        for p in clause.points:
            needs[p] = inputs - set(clause.points)
    needed: set[str] = set()
    todo = [a for a in problem.goal.args if a in needs]
    while todo:
        p = todo.pop()
        if p not in needed:
            needed.add(p)
            todo.extend(needs[p])
    for clause in problem.clauses:
        if needed.isdisjoint(clause.points):
            why = overdetermined(clause)
            if why is not None:
                return f"auxiliary clause {clause}: {why}"
    return None


# Constructions of one point on one locus: the curve where the fact they state first holds
# (for equal angles, one of the two bisectors' lines; ``on_bline`` states the base angles of
# the isosceles triangle besides, which follow). A restated point's clause keeps one of them
# where the problem's clause is a construction stating two facts (``_restated_meet``).
LOCI = frozenset({"on_line", "on_circle", "on_tline", "on_pline", "on_circum", "on_bline",
                  "angle_bisector", "on_dia"})


def _facts(step) -> list[tuple]:
    """The keys of the facts a construction step states, in order."""
    m = step.mapping
    return [M.key(M.statement(a.pred.name, tuple(m.get(x, x) for x in a.args)))
            for a in step.construction.premises]


def _locus(fact: tuple, z: str, points: list[str]):
    """A step of ``LOCI`` putting ``z`` where the fact (a key) holds, on ``points``, or None."""
    from itertools import permutations

    from ..problem import Step
    from ..tables import definitions

    for name in sorted(LOCI):
        cons = definitions()[name]
        others = [a for a in cons.args if a not in cons.new_points]
        for chosen in permutations(points, len(others)):
            step = Step(cons, tuple(z if a in cons.new_points else chosen[others.index(a)]
                                    for a in cons.args))
            if _facts(step)[0] == fact:
                return step
    return None


def _restated_meet(old, new, goal: tuple, z: str) -> tuple[str | None, Any]:
    """For a problem's clause of one step: an error, or the locus of the fact the proof's
    goal is (which must meet the kept locus at the problem's point). The step must state two
    facts first (its first premise group), the new clause's second step must be a locus
    (``LOCI``) of one of them and the goal the other."""
    (step,) = old.steps
    groups = step.construction.premise_groups
    if len(step.construction.new_points) != 1 or not groups or len(groups[0]) != 2:
        return f"restated: {step} does not state two facts first", None
    kept = new.steps[1]
    first = _facts(step)[:2]
    if kept.construction.name not in LOCI \
            or [kept.mapping[p] for p in kept.construction.new_points] != [z] \
            or len(set(first)) != 2 or {_facts(kept)[0], goal} != set(first):
        return (f"restated: {z}'s new clause does not keep the locus of one fact of {step} "
                f"and prove the other"), None
    other = _locus(goal, z, sorted({step.mapping[a] for a in step.construction.inputs} - {z}))
    if other is None:
        return f"restated: no locus of {z} states the goal proved", None
    return None, other


def _restatement(restated: object, problem, name: str, seed: int) -> list[str]:
    """Errors of a restated statement (``symbolic.geometry.restate``): ``restated`` names the
    problem's own statement and the point constructed anew. The statement checked must be
    the problem's with only that point's clause changed, from ``K, D`` to ``G, K`` where G
    puts the point on the locus the problem's goal asks for and the proof's goal is what D
    states; and on a fresh diagram of the problem, the new clause must put the point where
    the problem has it (so that it is the problem's point of K ∩ D, which then lies on G).
    Where the problem's clause is one step stating two facts (the circumcentre, the foot),
    K is a locus of one (``LOCI``) and the goal the other, whose locus must meet K at the
    problem's point on the fresh diagram too (two curves meeting at finitely many points,
    one of which the restated point is)."""
    from ..errors import GeometryError
    from ..numeric import DrawRejected, draw_checked
    from ..problem import Clause

    if not isinstance(restated, Mapping) or not isinstance(restated.get("original"), str) \
            or not isinstance(restated.get("point"), str):
        return ["restated: expected {original: statement, point: name}"]
    z = restated["point"]
    try:
        original = _parse(restated["original"], name)
    except GeometryError as e:
        return [f"restated: the problem's statement does not parse: {e}"]
    index = [i for i, c in enumerate(original.clauses) if z in c.points]
    if len(original.clauses) != len(problem.clauses) or len(index) != 1:
        return [f"restated: {z} is not constructed once in statements of equal length"]
    i = index[0]
    old, new = original.clauses[i], problem.clauses[i]
    others = [str(a) != str(b) for j, (a, b) in enumerate(zip(original.clauses, problem.clauses))
              if j != i]
    if any(others) or old.points != (z,) or new.points != (z,):
        return [f"restated: the statements differ elsewhere than in {z}'s clause"]
    goal = problem.goal
    proved = M.key(M.statement(goal.pred.name, goal.args))
    meets = [new]  # the clauses that must put z where the problem has it
    if len(old.steps) == 1 and len(new.steps) == 2:
        error, other = _restated_meet(old, new, proved, z)
        if error is not None:
            return [error]
        meets.append(Clause((z,), (new.steps[1], other)))
    else:
        if len(old.steps) != 2 or len(new.steps) != 2 \
                or str(new.steps[1]) not in map(str, old.steps):
            return [f"restated: {z}'s new clause does not keep one of its two loci second"]
        dropped = next(st for st in old.steps if str(st) != str(new.steps[1]))
        if _facts(dropped) != [proved]:
            return [f"restated: the goal proved is not what {dropped} states"]
    g = original.goal
    if _facts(new.steps[0]) != [M.key(M.statement(g.pred.name, g.args))]:
        return [f"restated: {new.steps[0]} does not state the problem's goal {g}"]
    try:
        fresh = _fresh_diagram(original, seed)
    except GeometryError as e:
        return [f"restated: cannot draw a fresh diagram of the problem: {e}"]
    earlier = {p: np.array(fresh[p]) for c in original.clauses[:i] for p in c.points}
    size = max(float(np.ptp(np.array(list(fresh.values())), axis=0).max()), 1.0)
    rng = np.random.default_rng(seed)

    def lands(clause) -> bool:
        for _ in range(8):  # each meet's branches
            try:
                drawn = draw_checked(clause, earlier, rng)
            except (DrawRejected, GeometryError):
                continue
            if float(np.hypot(*(np.asarray(drawn[z]) - np.array(fresh[z])))) <= 1e-6 * size:
                return True
        return False

    for clause in meets:
        if not lands(clause):
            return [f"restated: on a fresh diagram of the problem, {clause} does not put {z} "
                    f"where the problem does"]
    return []


@lru_cache(maxsize=32)
def _parse(statement: str, name: str):
    from ..problem import parse_problem

    return parse_problem(statement, name=name)


@lru_cache(maxsize=32)
def _fresh_diagram(problem, seed: int) -> dict[str, tuple[float, float]]:
    """A diagram of ``problem`` drawn with ``seed`` (the same for proofs of one statement).

    As the problem is meant (the prover's convention too): a drawing where the goal holds,
    for a statement whose constructions allow several (a line meets a circle twice) of
    which the goal holds only on some."""
    from ..numeric import build_diagram

    drawn = build_diagram(problem, np.random.default_rng(seed))
    return {p: (float(v[0]), float(v[1])) for p, v in drawn.coords.items()}


class _Checker:
    def __init__(self, problem, table: dict, found: M.Coords, fresh: M.Coords) -> None:
        self.problem, self.table = problem, table
        self.found, self.fresh = found, fresh
        self.points = set(problem.points)
        self.known: dict[str, M.Stmt] = {}
        self.order: list[M.Stmt] = []
        self.errors: list[str] = []
        self.given_keys: dict[tuple, str] = {}
        self.construction_facts: list[M.Stmt] = []
        for clause in problem.clauses:
            for st in clause.steps:
                m = st.mapping
                for atom in st.construction.premises:
                    s = M.statement(atom.pred.name, tuple(m.get(a, a) for a in atom.args))
                    self.construction_facts.append(s)
                    self.given_keys.setdefault(M.key(s), str(st))

    # ------------------------------------------------------------------ one step
    def step(self, item: Mapping[str, Any]) -> None:
        sid = str(item.get("id", "?"))
        try:
            error = self._check(sid, item)
        except (M.Unreadable, KeyError, TypeError, ValueError, ZeroDivisionError) as e:
            error = f"unreadable: {e}"
        if error:
            self.errors.append(f"step {sid}: {error}")

    def _check(self, sid: str, item: Mapping[str, Any]) -> str | None:
        concl = M.read(_field(item, "fact", str))
        if sid in self.known:
            return "this id is used twice"
        unknown = [p for p in M.points(concl) if p not in self.points]
        if unknown:
            return f"{', '.join(unknown)} not points of the statement"
        self.known[sid] = concl
        self.order.append(concl)
        wrong = says_all(concl, _field(item, "text", str), self.points)
        if wrong:
            return wrong
        ids = _field(item, "premises", list)
        premises: list[M.Stmt] = []
        for p in ids:
            if p not in self.known or p == sid:
                return f"premise {p} is not given or concluded by an earlier step"
            premises.append(self.known[p])
        for where, coords in (("the proof's diagram", self.found),
                              ("a fresh diagram", self.fresh)):
            if not M.holds(concl, coords):
                return f"{' '.join((concl[0],) + concl[1])} is false on {where}"
        rule = _field(item, "rule", str)
        if rule == GIVEN:
            if ids:
                return "a given cites premises"
            return (None if M.key(concl) in self.given_keys
                    else "not a premise of any construction of the statement")
        if rule in self.table:
            return self._rule(self.table[rule], item, concl, premises)
        if rule in AR_TABLES:
            return self._ar(AR_TABLES[rule], item, concl, ids)
        if rule in MERGES:
            return _merge(concl, premises, *MERGES[rule])
        if rule == DEFINITION:
            if len(premises) != 1:
                return "a definition step unfolds exactly one premise"
            parts = {M.key(p) for p in M.parts(premises[0])}
            return None if M.key(concl) in parts else "not a part of the premise's definition"
        if rule == FOLD:
            return None if M.folds(concl, premises) else "the premises do not make up the fact"
        return f"unknown rule {rule!r}"

    def _rule(self, rule, item: Mapping[str, Any], concl: M.Stmt,
              premises: list[M.Stmt]) -> str | None:
        m = _field(item, "instance", dict)
        free = [v for v in rule.variables if m.get(v) not in self.points]
        if free:
            return f"{rule.id}: the instance maps no point to {', '.join(free)}"
        inst = lambda atom: tuple(m[a] for a in atom.args)  # noqa: E731
        want = set()
        for atom in rule.premises:
            s = M.statement(atom.pred.name, inst(atom))
            if s[0] in M.SIDE_CONDITIONS:
                if not (M.holds(s, self.found) and M.holds(s, self.fresh)):
                    return f"{rule.id}: side condition {atom} fails"
            else:
                want.add(M.key(s))
        have = {M.key(p) for p in premises}
        if have != want:
            return f"{rule.id}: the printed premises are not the rule's premises under the instance"
        cname = rule.conclusion.pred.name
        names = M.EITHER.get(cname, (cname,))
        if M.key(concl) not in {M.key(M.statement(n, inst(rule.conclusion))) for n in names}:
            return f"{rule.id}: the conclusion is not the rule's under the instance"
        return None

    def _ar(self, table: str, item: Mapping[str, Any], concl: M.Stmt, ids: list) -> str | None:
        if item.get("table") != table:
            return f"the AR table is {item.get('table')!r}, not {table!r}"
        terms = _field(item, "terms", list)
        if not terms:  # a statement true by its form: 0 = 0
            return (None if M.trivial(concl) and not item.get("target")
                    else "an AR step without equations")
        total: M.Eq = {}
        for n, term in enumerate(terms, start=1):
            src = term.get("premise")
            if src not in ids:
                return f"equation {n} cites {src}, not a premise of the step"
            eq = M.read_equation(_field(term, "equation", dict))
            if not M.states(self.known[src], table, eq, self.found):
                return f"equation {n} is not one that {src} states"
            k = Fraction(_field(term, "coefficient", str))
            for v, c in eq.items():
                total[v] = total.get(v, Fraction(0)) + k * c
        target = M.read_equation(_field(item, "target", dict))
        if not M.states(concl, table, target, self.found, target=True):
            return "the target equation is not the conclusion's"
        for v, c in target.items():
            total[v] = total.get(v, Fraction(0)) - c
        if any(total.values()):
            return "the weighted sum of the equations is not the conclusion's equation"
        return None

    # ------------------------------------------------------------------ the goal
    def goal(self, printed: object, steps: list) -> None:
        g = self.problem.goal
        s = M.statement(g.pred.name, g.args)
        names = {"simtri": ("simtri", "simtri2"), "contri": ("contri", "contri2")}
        goals = {M.key((n, s[1])) for n in names.get(s[0], (s[0],))}
        if printed is not None and M.key(M.read(str(printed))) not in goals:
            self.errors.append(f"goal: the printed goal {printed} is not the statement's")
        concluded = [st for st, item in zip(self.order, steps) if item.get("rule") != GIVEN]
        last = concluded[-1:] if concluded else self.order
        if not any(M.key(st) in goals for st in last):
            self.errors.append(f"goal: the last step does not conclude {g}")


def _merge(concl: M.Stmt, premises: list[M.Stmt], name: str, shared: int) -> str | None:
    """Point sets of ``name`` facts sharing ``shared`` points lie on one line / circle."""
    target = set(concl[1])
    if concl[0] != name or any(p[0] != name for p in premises):
        return f"merging {name} facts concludes a {name} fact"
    if len(target) <= shared and not premises:
        return None  # two points are on a line, three on a circle
    groups = [set(p[1]) for p in premises]
    if not groups:
        return "no premises"
    union = groups.pop(0)
    grew = True
    while grew:
        grew = False
        for g in list(groups):
            if len(union & g) >= shared:
                union |= g
                groups.remove(g)
                grew = True
    return None if target <= union else f"the merged {name} sets do not hold all its points"
