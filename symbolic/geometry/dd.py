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

from .facts import Derivation, Fact, Rules
from .matchers import MATCHERS
from .numeric_index import NumericIndex
from .predicates import CONG, RCONST, Predicate
from .problem import Problem
from .state import ProofState
from .tables import Atom, Rule, rules


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
                out.append((Fact.make(atom.pred, atom.args), str(step)))
    return out


def drawn_goal(goal: Atom, state: ProofState) -> Atom:
    """The goal to derive: for one met by either orientation (``Predicate.goal_cases``), the
    case the diagram shows."""
    for case in goal.pred.goal_cases:
        if state.holds(case, goal.args):
            return Atom(case, goal.args)
    return goal


def goal_fact(state: ProofState, goal: Atom) -> Fact | None:
    """The goal as a fact if it is proved."""
    return state.derive(goal.pred, goal.args)


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
        g = self.goal_atom = drawn_goal(problem.goal, self.state)
        self.goal = Fact.make(g.pred, g.args) if g.pred.known_by_parts else None
        self.stats: dict[str, int] = {"candidates": 0, "applied": 0}
        self._ratios: list[tuple[str, str, str, str, int, int]] | None = None

    def _tick(self) -> None:
        if self.config.deadline is not None and time.monotonic() > self.config.deadline:
            raise Deadline

    def run(self) -> DDARRun:
        st = self.state
        for fact, text in given_facts(self.problem):
            st.add(fact, Derivation(Rules.GIVEN, (), 0, (("construction", text),)))
        goal = self.goal_atom
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
                self.state.derive(CONG, (a, b, c, d))
            else:
                self.state.derive(RCONST, (a, b, c, d, str(p), str(q)))

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
        pred = rule.conclusion.pred
        args = instantiate(rule.conclusion, mapping)
        if pred.cases:  # either orientation: the one the diagram shows
            first, second = pred.cases
            pred = first if st.holds(first, args) else second
        if pred.degenerate(args) or not st.holds(pred, args):
            return None
        if self._known(pred, args):
            return None
        premises = []
        for atom in rule.premises:
            pargs = instantiate(atom, mapping)
            if atom.pred.numeric_only:
                if not st.holds(atom.pred, pargs):
                    return None
                continue
            f = self._premise(atom.pred, pargs)
            if f is None:
                return None
            premises.append(f)
        fact = Fact.make(pred, args)
        st.add(fact, Derivation(rule.id, tuple(premises), self.level,
                                tuple(sorted(mapping.items()))))
        self.stats["applied"] += 1
        return fact

    def _premise(self, pred: Predicate, args: tuple[str, ...]) -> Fact | None:
        if not pred.cases:
            return self.state.derive(pred, args)
        for case in pred.cases:
            f = self.state.derive(case, args)
            if f is not None:
                return f
        return None

    def _known(self, pred: Predicate, args: tuple[str, ...]) -> bool:
        st = self.state
        if pred.known_by_parts:
            fact = Fact.make(pred, args)
            if fact in st.facts:
                return True
            if fact == self.goal:
                return False  # stated as the goal: worth adding even if its parts are known
            parts = fact.pred.unfold(fact.args)
            return all(st.derive(p.pred, p.args) is not None for p in parts)
        return st.derive(pred, args) is not None


def saturate(problem: Problem, coords, config: DDARConfig | None = None) -> DDARRun:
    """Run DD+AR on ``problem`` drawn as ``coords`` until the goal, a fixpoint or the deadline."""
    return Saturation(problem, coords, config or DDARConfig()).run()
