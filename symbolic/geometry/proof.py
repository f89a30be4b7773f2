"""Proofs: traceback from the goal to a list of steps, printing, JSON, and the replay check.

A proof is the sub-DAG of derivations the goal depends on, in dependency order. Every
proof is checked before it leaves the prover (``check_proof``): each step's conclusion must
hold on a second, independently drawn diagram, each rule step must be an instance of its
rule, and each AR step's linear combination is re-verified exactly.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any

from .ar import LinearTable, add_scaled
from .facts import Derivation, Fact, Rules
from .problem import Problem
from .state import AR_TABLES, DERIVING, PI, PI_PARTS, SINE, ProofState, pi_multiple
from .tables import rules
from .unify import match_rule

AR_STEPS = (Rules.AR_ANGLE, Rules.AR_RATIO, Rules.AR_DIST, Rules.AR_SQUARED)
RULE_NAMES = {"r32": "SSS", "r33": "SAS", "r34": "similar triangles AA",
              "r35": "similar triangles AA (reflected)", "r36": "congruent triangles ASA",
              "r37": "congruent triangles ASA (reflected)", "r38": "similar triangles SSS",
              "r39": "similar triangles SAS", "r40": "congruent triangles by ratios",
              "r41": "trapezoid midline", "r42": "trapezoid ratios",
              "r43": "SAS (reflected)", "r44": "similar triangles SAS (reflected)",
              "r45": "isosceles trapezoid", "r46": "resolution of ratios",
              "r47": "centre of a circle", "r48": "incentre"}


@dataclass(frozen=True)
class ProofStep:
    """One numbered step: premises (facts proved earlier or given) => conclusion [rule]."""

    conclusion: Fact
    derivation: Derivation


@dataclass(frozen=True)
class Proof:
    """A checked proof of ``goal``: given facts, auxiliary points, and ordered steps."""

    problem: str
    goal: Fact
    given: tuple[tuple[Fact, str], ...]
    steps: tuple[ProofStep, ...]
    auxiliary_points: tuple[str, ...] = ()
    # What an independent checker needs beside the steps (``symbolic.geometry.checker``): the
    # statement proved (auxiliary clauses included) and the diagram the proof was found on,
    # which fixes the multiples of pi and the order of points along lines in AR equations.
    # Context, not content: two proofs with equal steps are equal.
    statement: str = field(default="", compare=False)
    diagram: tuple[tuple[str, float, float], ...] = field(default=(), compare=False)
    # When ``statement`` restates the problem (``restate``): the problem's own statement, the
    # point constructed anew, and why proving ``goal`` proves the problem's goal
    restated: tuple[str, ...] = field(default=(), compare=False)

    def numbering(self) -> dict[Fact, str]:
        ids: dict[Fact, str] = {}
        for i, (f, _) in enumerate(self.given, start=1):
            ids.setdefault(f, f"G{i}")
        for i, s in enumerate(self.steps, start=1):
            ids.setdefault(s.conclusion, f"{i:03d}")
        return ids

    def text(self) -> str:
        ids = self.numbering()
        lines = [f"Goal: {self.goal.text()}"]
        if self.restated:
            lines.append(f"Problem: {self.restated[0]}")
            lines.append(f"Restated: {self.restated[2]}")
        if self.statement:  # what was proved, auxiliary constructions included
            lines.append(f"Statement: {self.statement}")
        lines.append("Given:")
        for f, constr in self.given:
            lines.append(f"  {ids[f]}. {f.text()}    [{constr}]")
        if self.auxiliary_points:
            lines.append("Auxiliary points (not needed to state the goal): "
                         + ", ".join(self.auxiliary_points))
        lines.append("Proof:")
        for s in self.steps:
            prem = ", ".join(f"{p.text()} ({ids.get(p, '?')})" for p in s.derivation.premises)
            rule = _rule_label(s.derivation)
            lines.append(f"  {ids[s.conclusion]}. {prem} => {s.conclusion.text()}  [{rule}]"
                         if prem else f"  {ids[s.conclusion]}. {s.conclusion.text()}  [{rule}]")
        return "\n".join(lines)

    def to_json(self) -> list[dict[str, Any]]:
        ids = self.numbering()
        out: list[dict[str, Any]] = []
        for f, constr in self.given:
            out.append({"id": ids[f], "fact": str(f), "text": f.text(), "rule": "given",
                        "construction": constr, "premises": []})
        for s in self.steps:
            d = s.derivation
            item: dict[str, Any] = {"id": ids[s.conclusion], "fact": str(s.conclusion),
                                    "text": s.conclusion.text(), "rule": d.rule,
                                    "premises": [ids[p] for p in d.premises]}
            if d.mapping:
                item["instance"] = dict(d.mapping)
            if d.certificate is not None:
                cert = d.certificate
                item["coefficients"] = [str(k) for _, _, k in cert.terms]
                item["table"] = cert.table
                item["target"] = equation_json(cert.target)
                item["terms"] = [{"premise": ids[src], "equation": equation_json(eq),
                                  "coefficient": str(k)} for src, eq, k in cert.terms]
            out.append(item)
        return out

    def document(self) -> dict[str, Any]:
        """The proof as one self-contained JSON document: what ``symbolic.geometry.checker``
        reads (the statement, its goal, the diagram, and the steps of ``to_json``)."""
        return {**self.context(), "steps": self.to_json()}

    def context(self) -> dict[str, Any]:
        """Everything of ``document`` but the steps."""
        out = {"format": PROOF_FORMAT, "problem": self.problem, "statement": self.statement,
               "goal": str(self.goal), "auxiliary_points": list(self.auxiliary_points),
               "diagram": {p: [x, y] for p, x, y in self.diagram}}
        if self.restated:
            out["restated"] = {"original": self.restated[0], "point": self.restated[1]}
        return out


PROOF_FORMAT = "neurosym-geometry-proof/1"


def equation_json(expr) -> dict[str, str]:
    """An AR equation (``sum(k * var) = 0``) as JSON: variables written ``d(a,b)`` (direction
    of line ab), ``l(a,b)`` (log of length ab), ``s(a,b)`` (length ab), ``log(p)`` (log of a
    prime), ``pi``; coefficients as exact fractions."""
    out = {}
    for var, k in expr:
        if var == PI:
            name, k = "pi", pi_multiple(k)
        elif isinstance(var, tuple) and var[0] == "log":
            name = f"log({var[1]})"
        else:
            name = f"{var[0]}({','.join(var[1:])})"
        out[name] = str(Fraction(k))
    return out


def _rule_label(d: Derivation) -> str:
    if d.is_table_rule:
        name = RULE_NAMES.get(d.rule)
        return f"{d.rule} {name}" if name else d.rule
    return d.rule


def extract_proof(problem: Problem, state: ProofState, goal: Fact) -> Proof:
    """Trace the goal back through derivations; steps in dependency order."""
    order: list[Fact] = []
    seen: set[Fact] = set()
    derivation: dict[Fact, Derivation] = {}
    stack: list[tuple[Fact, bool]] = [(goal, False)]
    while stack:
        f, done = stack.pop()
        if done:
            order.append(f)
            continue
        if f in seen:
            continue
        seen.add(f)
        stack.append((f, True))
        d = derivation[f] = _as_table_rule(
            f, minimal_ar(f, state.facts[f].resolved(), state), state)
        for p in reversed(d.premises):
            if p not in seen:
                stack.append((p, False))
    given = []
    steps = []
    for f in order:
        d = derivation[f]
        if d.rule == Rules.GIVEN:
            given.append((f, dict(d.mapping).get("construction", "")))
        else:
            steps.append(ProofStep(f, d))
    diagram = tuple((p, float(xy[0]), float(xy[1])) for p, xy in state.coords.items())
    return Proof(problem.name, goal, tuple(given), tuple(steps), auxiliary_points(problem),
                 problem.text(), diagram)


def minimal_ar(f: Fact, d: Derivation, state: ProofState) -> Derivation:
    """Drop the premises an AR step does not need (greedy: each premise whose removal still
    leaves the conclusion implied goes), and re-derive its certificate from the rest."""
    cert = d.certificate
    if cert is None or len(d.premises) <= 1:
        return d
    target = dict(cert.target)
    keep = list(d.premises)
    for p in sorted(d.premises, key=lambda q: len(state.equations(q)), reverse=True):
        trial = [q for q in keep if q != p]
        if _ar_certificate(trial, target, cert.table, state) is not None:
            keep = trial
    terms = _ar_certificate(keep, target, cert.table, state)
    if terms is None:  # cannot happen: the full premise set implies the target
        return d
    premises = tuple(dict.fromkeys(src for src, _, _ in terms))
    return dataclasses.replace(d, premises=premises,
                               certificate=dataclasses.replace(cert, terms=tuple(terms)))


def _ar_certificate(premises: list[Fact], target: dict, table: str, state: ProofState):
    """(fact, equation, coefficient) terms showing ``target`` from these premises, or None."""
    t = LinearTable(state.tables[table].constants)
    source: dict[int, tuple[Fact, tuple]] = {}
    for fact in premises:
        for name, expr in state.equations(fact):
            if name == table or (name == SINE and table == "ratio"):
                source[len(source)] = (fact, tuple(sorted(expr.items(), key=repr)))
                t.add(expr, len(source) - 1)
    combo = t.implies(target)
    if combo is None:
        return None
    return [(source[i][0], source[i][1], Fraction(k)) for i, k in sorted(combo.items()) if k]


def _as_table_rule(f: Fact, d: Derivation, state: ProofState) -> Derivation:
    """Name an AR step after the AR-covered table rule it instantiates, if there is one."""
    if d.rule not in AR_STEPS or not 1 <= len(d.premises) <= 3:
        return d
    from .matchers import AR_COVERED

    for rule in rules():
        if rule.id not in AR_COVERED:
            continue
        found = match_rule(rule, list(d.premises), f, state.holds)
        if found:
            mapping, ordered = found
            return Derivation(rule.id, tuple(ordered), d.level, tuple(sorted(mapping.items())))
    return d


def auxiliary_points(problem: Problem) -> tuple[str, ...]:
    """Points of the statement that the goal's points do not depend on."""
    deps: dict[str, set[str]] = {}
    for clause in problem.clauses:
        inputs = {a for s in clause.steps for a in s.args
                  if a not in clause.points and a in deps}
        for p in clause.points:
            deps[p] = set(inputs)
    need: set[str] = set()
    todo = [a for a in problem.goal.args if a in deps]
    while todo:
        p = todo.pop()
        if p in need:
            continue
        need.add(p)
        todo.extend(deps[p] - need)
    return tuple(p for p in problem.points if p not in need)


class ProofCheckError(Exception):
    """A proof step failed its check: a bug in the prover, never shown as a proof."""


def check_proof(proof: Proof, coords2: dict, coords1: dict) -> None:
    """Replay every step; raise ProofCheckError naming the first step that fails."""
    table = {r.id: r for r in rules()}
    state2 = ProofState(coords2, AR_TABLES)
    state1 = ProofState(coords1, AR_TABLES)  # the equations of every table a step may cite
    for f, _ in proof.given:
        if not state2.holds(f.pred, f.args):
            raise ProofCheckError(f"given fact {f} is false on the second diagram")
    for i, s in enumerate(proof.steps, start=1):
        f, d = s.conclusion, s.derivation
        if f.pred.replay_checked and not state2.holds(f.pred, f.args):
            raise ProofCheckError(f"step {i} ({f}) is false on the second diagram")
        if d.is_table_rule:
            _check_rule_step(i, f, d, table[d.rule], state1, state2)
        elif d.rule in AR_STEPS:
            _check_ar_step(i, f, d, state1)
        elif d.rule in (Rules.LINE, Rules.CIRCLE):
            _check_merge_step(i, f, d, 2 if d.rule == Rules.LINE else 3)
        elif d.rule == Rules.DEF:
            whole = d.premises[0]
            if f not in whole.pred.unfold(whole.args):
                raise ProofCheckError(f"step {i}: {f} is not part of {d.premises[0]}")
        elif d.rule == Rules.FOLD:
            parts = set(f.pred.unfold(f.args))
            if not set(d.premises) <= parts:
                raise ProofCheckError(f"step {i}: premises are not the parts of {f}")
        else:
            raise ProofCheckError(f"step {i}: unknown derivation {d.rule!r}")


def _check_rule_step(i: int, f: Fact, d: Derivation, rule, state1: ProofState,
                     state2: ProofState) -> None:
    m = dict(d.mapping)
    inst = lambda atom: tuple(m[a] for a in atom.args)  # noqa: E731
    pred = rule.conclusion.pred
    if f not in {Fact.make(c, inst(rule.conclusion)) for c in pred.cases or (pred,)}:
        raise ProofCheckError(f"step {i}: {f} is not the conclusion of {rule.id}")
    proved = iter(d.premises)
    for atom in rule.premises:
        args = inst(atom)
        if atom.pred.numeric_only:
            if not (state1.holds(atom.pred, args) and state2.holds(atom.pred, args)):
                raise ProofCheckError(f"step {i}: side condition {atom.name} fails")
            continue
        p = next(proved, None)
        if p is None or p not in {Fact.make(n, args) for n in atom.pred.cases or (atom.pred,)}:
            raise ProofCheckError(f"step {i}: premise {atom} of {rule.id} not matched")


def _check_ar_step(i: int, f: Fact, d: Derivation, state1: ProofState) -> None:
    """Exact re-verification: each equation is one the premise states (read on the diagram
    the proof was found on, which fixes betweenness and multiples of pi) and the weighted
    sum of the equations is the conclusion's equation."""
    cert = d.certificate
    if cert is None:
        raise ProofCheckError(f"step {i}: AR step without certificate")
    total: dict = {}
    for src, eq, k in cert.terms:
        add_scaled(total, dict(eq), Fraction(k))
        own = [dict(e) for _, e in state1.equations(src)]
        if not any(_same_up_to_pi(dict(eq), e) for e in own):
            raise ProofCheckError(f"step {i}: an equation is not one of {src}'s")
    add_scaled(total, dict(cert.target), Fraction(-1))
    if total:
        raise ProofCheckError(f"step {i}: the linear combination does not give {f}")
    own = [dict(e) for name, e in state1.equations(f) if name in DERIVING]
    if not any(_same_up_to_pi(dict(cert.target), e) for e in own):
        raise ProofCheckError(f"step {i}: the certificate's target is not {f}")


def _same_up_to_pi(a: dict, b: dict) -> bool:
    """Equal as equations of full angles: variable parts equal, pi parts equal mod pi."""
    ca, cb = Fraction(a.pop(PI, 0)), Fraction(b.pop(PI, 0))
    return a == b and (ca - cb) % PI_PARTS == 0


def _check_merge_step(i: int, f: Fact, d: Derivation, shared: int) -> None:
    target = set(f.args)
    if len(target) < shared + 1 and not d.premises:
        return
    sets = [set(p.args) for p in d.premises]
    if not sets:
        raise ProofCheckError(f"step {i}: no premises for {f}")
    union = sets.pop(0)
    grew = True
    while grew and sets:
        grew = False
        for s in list(sets):
            if len(union & s) >= shared:
                union |= s
                sets.remove(s)
                grew = True
    if not target <= union:
        raise ProofCheckError(f"step {i}: {f} does not follow from the merged sets")
