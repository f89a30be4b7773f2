"""DD+AR: forward chaining with the rule table to a fixpoint, interleaved with AR.

Each level runs every rule's matcher over the numeric index; each candidate instance whose
conclusion is numerically true and not yet known has its premises checked symbolically
(structures and AR tables, numeric side conditions on the diagram) and, if they hold, its
conclusion is added with the rule instance as derivation. Facts added by AR tables are
available to the next candidate at once. Stops at the goal, at a fixpoint, or at the
deadline.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field

from . import predicates as P
from .facts import Derivation, Fact, Rules
from .matchers import MATCHERS
from .numeric_index import NumericIndex
from .problem import Problem
from .state import ProofState
from .tables import Atom, Rule, rules

STORED_ONLY = ("simtri", "simtri2", "contri", "contri2")


@dataclass(frozen=True)
class DDARConfig:
    """Limits of one saturation run."""

    max_levels: int = 64
    deadline: float | None = None  # time.monotonic() value
    rules: frozenset[str] | None = None  # rule ids to use (None: the whole table)


@dataclass
class DDARRun:
    state: ProofState
    goal: Fact | None
    levels: int = 0
    timed_out: bool = False
    stats: dict[str, int] = field(default_factory=dict)


class Deadline(Exception):
    """Raised inside the loop when the time budget is spent."""


def given_facts(problem: Problem) -> list[tuple[Fact, str]]:
    """The premises the problem's constructions assert, with the construction's text."""
    out = []
    for clause in problem.clauses:
        for step in clause.steps:
            for atom in step.atoms(step.construction.premises):
                out.append((Fact.make(atom.name, atom.args), str(step)))
    return out


def goal_fact(state: ProofState, goal: Atom) -> Fact | None:
    """The goal as a fact if it is proved."""
    if goal.name in STORED_ONLY:
        f = Fact.make(goal.name, goal.args)
        return f if f in state.facts else None
    return state.derive(goal.name, goal.args)


SEGMENT_PREDS = ("para", "perp", "cong", "eqangle", "eqangle6", "eqratio", "eqratio6")


def degenerate(name: str, args: tuple[str, ...]) -> bool:
    """A statement about a zero-length segment, or too few distinct points to say anything."""
    if name in SEGMENT_PREDS:
        return any(args[i] == args[i + 1] for i in range(0, len(args), 2))
    if name == "coll":
        return len(set(args)) < 3
    if name == "cyclic":
        return len(set(args)) < 4
    if name.startswith(("simtri", "contri")):
        return len(set(args[:3])) < 3 or len(set(args[3:])) < 3 or args[:3] == args[3:]
    if name == "midp":
        return len(set(args)) < 3
    return False


def instantiate(atom: Atom, mapping: dict[str, str]) -> tuple[str, ...]:
    return tuple(mapping.get(a, a) for a in atom.args)


class Saturation:
    """One DD+AR run over one diagram."""

    def __init__(self, problem: Problem, coords, config: DDARConfig) -> None:
        self.problem = problem
        self.config = config
        self.state = ProofState(coords)
        self.index = NumericIndex(coords)
        allowed = config.rules
        self.rules = [r for r in rules()
                      if r.id in MATCHERS and (allowed is None or r.id in allowed)]
        self.level = 0
        g = problem.goal
        self.goal = Fact.make(g.name, g.args) if g.name in STORED_ONLY else None
        self.stats: dict[str, int] = {"candidates": 0, "applied": 0}
        self._ratios: list[tuple[str, str, str, str, int, int]] | None = None

    def _tick(self) -> None:
        if self.config.deadline is not None and time.monotonic() > self.config.deadline:
            raise Deadline

    def run(self) -> DDARRun:
        st = self.state
        for fact, text in given_facts(self.problem):
            st.add(fact, Derivation(Rules.GIVEN, (), 0, (("construction", text),)))
        goal = self.problem.goal
        run = DDARRun(st, goal_fact(st, goal))
        try:
            while run.goal is None and self.level < self.config.max_levels:
                self.level += 1
                before = st.changed
                for rule in self.rules:
                    self._apply_rule(rule)
                    run.goal = goal_fact(st, goal)
                    if run.goal is not None:
                        break
                if run.goal is None:
                    self._bridge()
                    run.goal = goal_fact(st, goal)
                if st.changed == before:
                    break
        except Deadline:
            run.timed_out = True
        run.levels = self.level
        run.stats = dict(self.stats, facts=len(st.facts), levels=self.level)
        return run

    def _bridge(self) -> None:
        """Let the ratio and distance tables teach each other: every numerically equal or
        simply proportional pair of segments that one table proves enters the other."""
        if self._ratios is None:
            self._ratios = self.index.rational_ratios()
        for a, b, c, d, p, q in self._ratios:
            self._tick()
            if p == q:
                self.state.derive("cong", (a, b, c, d))
            else:
                self.state.derive("rconst", (a, b, c, d, str(p), str(q)))

    def _apply_rule(self, rule: Rule) -> None:
        self._tick()
        for mapping in MATCHERS[rule.id](self.index, self.state):
            self.stats["candidates"] += 1
            if self.stats["candidates"] % 64 == 0:
                self._tick()
            self.apply(rule, mapping)

    def apply(self, rule: Rule, mapping: dict[str, str]) -> Fact | None:
        """Try one rule instance; the new conclusion, or None."""
        st = self.state
        name = rule.conclusion.name
        args = instantiate(rule.conclusion, mapping)
        if name.endswith("*"):
            base = name[:-1]
            name = base if st.holds(base, args) else base + "2"
        if degenerate(name, args) or not st.holds(name, args):
            return None
        if self._known(name, args):
            return None
        premises = []
        for atom in rule.premises:
            pargs = instantiate(atom, mapping)
            cls = P.predicate(atom.name)
            if cls.numeric_only:
                if not st.holds(atom.name, pargs):
                    return None
                continue
            f = self._premise(atom.name, pargs)
            if f is None:
                return None
            premises.append(f)
        fact = Fact.make(name, args)
        st.add(fact, Derivation(rule.id, tuple(premises), self.level,
                                tuple(sorted(mapping.items()))))
        self.stats["applied"] += 1
        return fact

    def _premise(self, name: str, args: tuple[str, ...]) -> Fact | None:
        if name.endswith("*") or name in STORED_ONLY:
            for cand in ((name[:-1], name[:-1] + "2") if name.endswith("*") else (name,)):
                f = Fact.make(cand, args)
                if f in self.state.facts:
                    return f
            return None
        return self.state.derive(name, args)

    def _known(self, name: str, args: tuple[str, ...]) -> bool:
        st = self.state
        if name in STORED_ONLY or name == "eqratio3":
            fact = Fact.make(name, args)
            if fact in st.facts:
                return True
            if fact == self.goal:
                return False  # stated as the goal: worth adding even if its parts are known
            parts = st.unfold(fact)
            return all(st.derive(p.pred, p.args) is not None for p in parts)
        return st.derive(name, args) is not None


def saturate(problem: Problem, coords, config: DDARConfig | None = None) -> DDARRun:
    """Run DD+AR on ``problem`` drawn as ``coords`` until the goal, a fixpoint or the deadline."""
    return Saturation(problem, coords, config or DDARConfig()).run()
