"""DD+AR: forward chaining with the rule table to a fixpoint, interleaved with AR.

Each level runs every rule's matcher over the numeric index; each candidate instance whose
conclusion is numerically true and not yet known has its premises checked symbolically
(structures and AR tables, numeric side conditions on the diagram) and, if they hold, its
conclusion is added with the rule instance as derivation. Facts added by AR tables are
available to the next candidate at once. Stops at the goal, at a fixpoint, or at the
deadline. An instance that can never add anything again (applied, or its conclusion known or
false on the diagram) is *settled* and not tried again.

A saturation can continue from another one's closure (``saturate(..., parent=)``): for a
problem extended by auxiliary points drawn on the parent's diagram, the parent's facts,
structures, AR tables and settled instances all still hold, so only what the new points
bring is deduced. Its numeric index extends the parent's, and its static matchers propose
only the instances with a new point; the parent's static instances not settled yet are
tried again with them, each when the statement it waits for may follow (``Waiting``: an AR
statement may follow once a new pivot of its table occurs in its residual).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from itertools import chain
from operator import itemgetter

from ..deadline import Deadline, check, until
from .facts import Derivation, Fact, Rules
from .matchers import MATCHERS, STATIC
from .numeric_index import SINE_CONSTANTS, SINE_TOL, NumericIndex
from .predicates import ACONST, CONG, EQANGLE, MIDP, PERP, RCONST, Predicate
from .problem import Problem
from .state import DEFAULT_AR_TABLES, PI, SINE, ProofState, seg
from .tables import Atom, Rule, rules


@dataclass(frozen=True)
class DDARConfig:
    """Limits of one saturation run."""

    max_levels: int = 64
    deadline: float | None = None  # time.monotonic() value
    rules: frozenset[str] | None = None  # rule ids to use (None: the whole table)
    # AR tables fed: of "angle", "ratio", "dist", "squared" (``state.AR_TABLES``)
    ar_tables: frozenset[str] = DEFAULT_AR_TABLES


@dataclass
class DDARRun:
    state: ProofState
    goal: Fact | None
    levels: int = 0
    timed_out: bool = False
    stats: dict[str, int] = field(default_factory=dict)
    saturation: Saturation | None = None  # what ran, to continue from (``saturate``'s parent)


@dataclass(frozen=True)
class Waiting:
    """What a rule instance that failed for want of a premise waits for: its conclusion
    ``folded`` (a statement known by its parts) to be recorded or found known, or one of
    ``leaves`` to follow: the statement the conclusion's check stopped at (its first part
    not derivable, or the conclusion itself) and the premise it lacked (in every
    orientation it may take). Until one of these changes, trying it again would ask the
    same questions, get the same answers and record nothing (``ProofState.may_follow``)."""

    folded: Fact | None
    leaves: tuple[Fact, ...]


def given_facts(problem: Problem, start: int = 0) -> list[tuple[Fact, str]]:
    """The premises the problem's constructions assert, with the construction's text (those
    of its clauses from the ``start``-th on)."""
    out = []
    for clause in problem.clauses[start:]:
        for step in clause.steps:
            for atom in step.premises:
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
    return tuple(map(mapping.get, atom.args, atom.args))  # mapping.get(a, a) for each a


SINE_RULES = frozenset({"r59"})  # rules whose conclusions say nothing without the law of sines


def reader(atom: Atom) -> Callable[[dict[str, str]], tuple[str, ...]]:
    """``instantiate(atom, mapping)`` as one call, for a mapping that has every argument
    of ``atom`` (it raises ``KeyError`` otherwise: call ``instantiate``)."""
    if len(atom.args) >= 2:
        return itemgetter(*atom.args)
    return lambda mapping: tuple(mapping[a] for a in atom.args)


class Saturation:
    """One DD+AR run over one diagram."""

    def __init__(self, problem: Problem, coords, config: DDARConfig,
                 parent: Saturation | None = None) -> None:
        self.problem = problem
        # a child's state holds its parent's premises: only its new clauses assert new ones
        # (all of them where the parent's clauses are not a start of this problem's)
        base = parent.problem.clauses if parent is not None else ()
        self._given_from = len(base) if problem.clauses[:len(base)] == base else 0
        self.config = config
        self.index: NumericIndex = NumericIndex(coords, parent.index if parent else None)
        if parent is None:
            self.state = ProofState(coords, config.ar_tables)
            allowed = config.rules
            self.rules = [r for r in rules()
                          if r.id in MATCHERS and (allowed is None or r.id in allowed)
                          and (r.id not in SINE_RULES or SINE in config.ar_tables)]
            self.level = 0
        else:  # continue from the parent's closure: only what the new points bring is new
            # (fed to the tables of this configuration: the parent's may have had more)
            self.state = parent.state.extended(coords, config.ar_tables)
            self.rules = [r for r in parent.rules
                          if r.id not in SINE_RULES or SINE in config.ar_tables]
            self.level = parent.level
        g = self.goal_atom = drawn_goal(problem.goal, self.state)
        self.goal = Fact.make(g.pred, g.args) if g.pred.known_by_parts else None
        self.stats: dict[str, int] = {"candidates": 0, "applied": 0}
        # Rule instances that can never add anything new: applied, concluding a known fact,
        # or failing on the diagram (facts only grow and the diagram is fixed); one that
        # failed for want of a premise is tried again when what it waits for may have come
        # (``Waiting``).
        self.settled: set[tuple] = set(parent.settled) if parent is not None else set()
        self._variables: dict[str, tuple[str, ...]] = (
            parent._variables if parent is not None else {r.id: r.variables for r in self.rules})
        # per rule, its conclusion's and premises' arguments read off a mapping (``reader``)
        self._readers: dict[str, tuple[Callable, tuple[Callable, ...]]] = (
            parent._readers if parent is not None else {
                r.id: (reader(r.conclusion), tuple(reader(a) for a in r.premises))
                for r in self.rules})
        self._ratios: list[tuple[str, str, str, str, int, int]] | None = None
        self._right: list[tuple[str, str, str]] | None = None  # right angles at named points
        # midpoints whose equations the squared table has (``_bridge_squared``); a child's
        # new points give the parent's midpoints new equations, fed once (``_fed_fresh``)
        self._fed: set[tuple[str, str, str]] = set(parent._fed) if parent is not None else set()
        self._fed_fresh: set[tuple[str, str, str]] = set()
        # the law of sines (``_bridge_sines``): the angles of the diagram's triangles grouped
        # by their sines, and those whose sine the ratio table has tied to another's or to
        # a constant (facts only grow: a child keeps its parent's)
        self._sine_groups: list[tuple[float, list[tuple[str, str, str]]]] | None = None
        self._sine_tied: set[tuple[str, str, str]] = (
            set(parent._sine_tied) if parent is not None else set())
        # the facts it recorded: which of two equal angles is tied to which depends on the
        # order the angles come in (a child's new angles come among its parent's), so the
        # facts may be others than a fresh run's, spanning the same equalities
        self.sine_ties: list[Fact] = list(parent.sine_ties) if parent is not None else []
        # angle -> its normal form in the angle table and the table's pivots then
        # (``_angle_key``; a child's table has the parent's pivots and more)
        self._angle_forms: dict[tuple[str, str, str], tuple[dict, int]] = (
            dict(parent._angle_forms) if parent is not None else {})
        # per static rule, its candidates on this diagram not settled yet (key, mapping)
        self._pending: dict[str, list[tuple[tuple, dict[str, str]]]] = {}
        # the parent's: joined to this index's candidates (those with a new point) when the
        # rule first runs
        self._inherited = dict(parent._pending) if parent is not None else {}
        # instance -> the state's stamp when it last failed for want of a premise: tried on
        # the same state, it fails the same way, so it waits for the stamp to change
        self._failed_at: dict[tuple, int] = {}
        # statements known by their parts (``_unknown``): every part is recorded once found,
        # so a statement found so stays so; the rotations of a triangle pair and the rules
        # sharing a conclusion ask again and again
        self._folded: set[Fact] = set(parent._folded) if parent is not None else set()
        # statement known by its parts -> the state's stamp when its parts were last asked
        # and one did not follow, and what it then waited for: asked again on the same
        # stamp, the parts before it are recorded and it fails again, so the answer stands
        # (not inherited: a child's diagram has more points, so some statements more
        # equations, on the same stamp)
        self._unfolded: dict[Fact, tuple[int, Waiting]] = {}
        self._goal_failed = -1  # the state's stamp when the goal last did not follow
        # conclusions (as the rule states them, made canonical: ``Fact.make``) that settle
        # every instance concluding them for good: degenerate, false on the diagram, or
        # known. Rules sharing a conclusion (the eleven triangle rules, the three rotations
        # of a triangle pair) settle at once, without asking the diagram and the state
        # again. A child's diagram keeps the parent's points and its state the parent's
        # facts: inherited (with the same goal: the goal is worth adding even when its parts
        # are known)
        self._void: set[Fact] = (
            set(parent._void) if parent is not None and parent.goal == self.goal else set())
        # instance -> what it waits for, when it failed for want of a premise; a child's
        # state extends its parent's, so the parent's waiting instances wait for the same
        self._waiting: dict[tuple, Waiting] = dict(parent._waiting) if parent is not None else {}

    def _tick(self) -> None:
        check()

    def run(self) -> DDARRun:
        """Deduce until the goal, a fixpoint, ``max_levels`` or the deadline (this
        configuration's, or an enclosing ``symbolic.deadline.until``'s if earlier)."""
        with until(self.config.deadline):
            return self._run()

    def _run(self) -> DDARRun:
        st = self.state
        for fact, text in given_facts(self.problem, self._given_from):
            st.add(fact, Derivation(Rules.GIVEN, (), 0, (("construction", text),)))
        proved = self._proved
        run = DDARRun(st, proved(), saturation=self)
        start = self.level
        try:
            while run.goal is None and self.level - start < self.config.max_levels:
                self.level += 1
                before = st.changed
                for rule in self.rules:
                    self._apply_rule(rule)
                    run.goal = proved()
                    if run.goal is not None:
                        break
                if run.goal is None:
                    self._bridge()
                    self._bridge_squared()
                    self._bridge_sines()
                    run.goal = proved()
                if st.changed == before:
                    break
        except Deadline:
            run.timed_out = True
        run.levels = self.level
        run.stats = dict(self.stats, facts=len(st.facts), levels=self.level)
        return run

    def _proved(self) -> Fact | None:
        """The goal as a fact if it follows now (``goal_fact``): asked again only once the
        state's stamp has moved since it last did not follow (without changing it)."""
        st = self.state
        stamp = st.stamp
        if stamp == self._goal_failed:  # nothing the goal may follow from has changed
            return None
        found = goal_fact(st, self.goal_atom)
        if found is None and st.stamp == stamp:
            self._goal_failed = stamp
        return found

    def _bridge(self) -> None:
        """Let the ratio and distance tables teach each other: every numerically equal or
        simply proportional pair of segments that one table proves enters the others."""
        if len(self.state.enabled & {"ratio", "dist", "squared"}) < 2:
            return
        if self._ratios is None:
            self._ratios = self.index.rational_ratios()
        for a, b, c, d, p, q in self._ratios:
            self._tick()
            if p == q:
                self.state.derive(CONG, (a, b, c, d))
            else:
                self.state.derive(RCONST, (a, b, c, d, str(p), str(q)))

    def _bridge_squared(self) -> None:
        """Feed the squared table what no fact it is given states: every right angle at a
        named point that the angle table proves (Pythagoras, as the perp fact), and every
        midpoint proved (the median's length from each other point, as the midp fact)."""
        st = self.state
        if "squared" not in st.enabled:
            return
        if self._right is None:
            self._right = self.index.right_angles()
        for x, p, y in self._right:
            self._tick()
            st.derive(PERP, (x, p, p, y))
        fresh = sorted(self.index.fresh or ())
        for m, a, b in self.index.midpoints:
            self._tick()
            if (m, a, b) not in self._fed:
                found = st.derive(MIDP, (m, a, b))
                if found is not None:
                    st.feed(found)
                    self._fed.add((m, a, b))
            elif fresh and (m, a, b) not in self._fed_fresh:  # fed with the parent's points
                self._fed_fresh.add((m, a, b))
                fact = Fact.make(MIDP, (m, a, b))
                st.feed_equations(fact, MIDP.medians(fact.args, st, fresh))

    def _bridge_sines(self) -> None:
        """Tie the sines of the triangles' angles together in the ratio table: of two
        angles with the same sine on the diagram, the angle table proving them equal or
        supplementary (an ``eqangle`` either way round) records that fact, whose equations
        give the ratio table n(first) = n(second); an angle the angle table proves right, or
        30°, 45°, 60° (or their supplements), records ``perp`` or ``aconst``, whose
        equations give its sine. The triangles' own ``sines`` facts (r59) state the law.

        Which angles the angle table proves equal is read off its normal forms: an angle's
        expression d(vy) - d(vx) reduced by the table, without its multiple of pi (``key``),
        is another's exactly when the difference of the two reduces to a multiple of pi,
        which on the diagram (where their sines agree) is the equal angles' equation; the
        same form negated, the supplementary angles'. So each angle is asked about once, and
        only of an earlier one with the same form."""
        st = self.state
        if SINE not in st.enabled or "ratio" not in st.enabled:
            return
        if self._sine_groups is None:
            self._sine_groups = self.index.sine_groups()
        tied = self._sine_tied
        for value, group in self._sine_groups:
            first: dict[frozenset, tuple[str, str, str]] = {}
            for angle in group:
                self._tick()
                key = self._angle_key(angle)
                if angle not in tied:
                    v, x, y = angle
                    if self._sine_constant(value, v, x, y):
                        tied.add(angle)
                    else:
                        other = first.get(key)
                        same = other is not None
                        if other is None:
                            other = first.get(frozenset((k, -c) for k, c in key))
                        if other is not None:
                            w, p, q = other
                            args = (v, x, v, y, w, p, w, q) if same else (v, x, v, y, w, q, w, p)
                            if self._tie(EQANGLE, args):
                                tied.add(angle)
                first.setdefault(key, angle)

    def _angle_key(self, angle: tuple[str, str, str]) -> frozenset:
        """The angle table's normal form of the angle xvy, d(vy) - d(vx), without its multiple
        of pi (kept up to date from the last one with ``residual_since``)."""
        table = self.state.angles
        last = self._angle_forms.get(angle)
        if last is None:
            v, x, y = angle
            res = table.residual({("d",) + seg(v, y): 1, ("d",) + seg(v, x): -1})
        else:
            res = table.residual_since(*last)
        self._angle_forms[angle] = (res, len(table.pivots))
        return frozenset((k, c) for k, c in res.items() if k != PI)

    def _tie(self, pred: Predicate, args: tuple[str, ...]) -> bool:
        """Whether the state derives ``pred args`` (recorded, with its equations shared)."""
        st = self.state
        known = len(st.facts)
        found = st.derive(pred, args)
        if found is not None and len(st.facts) > known:
            self.sine_ties.append(found)
        return found is not None

    def _sine_constant(self, value: float, v: str, x: str, y: str) -> bool:
        """Whether the angle xvy is proved right (``perp``) or 30°, 45°, 60° or a supplement
        (``aconst``), when its sine on the diagram says it may be."""
        st = self.state
        if abs(value - 1.0) < SINE_TOL:
            return self._tie(PERP, (v, x, v, y))
        for s in SINE_CONSTANTS[1:]:  # sin 30°, 45°, 60°
            if abs(value - s) < SINE_TOL:
                turn = math.degrees(st.direction(v, y) - st.direction(v, x)) % 180
                return self._tie(ACONST, (v, x, v, y, str(round(turn))))
        return False

    def _apply_rule(self, rule: Rule) -> None:
        self._tick()
        static = rule.id in STATIC
        if static and rule.id in self._pending:  # a static matcher's unsettled candidates
            candidates: Iterable[tuple[tuple, dict[str, str]]] = self._pending[rule.id]
        else:
            variables = self._variables[rule.id]
            candidates = (((rule.id, *map(m.get, variables)), m)
                          for m in MATCHERS[rule.id](self.index, self.state))
            if static and rule.id in self._inherited:
                candidates = chain(self._inherited.pop(rule.id), candidates)
        left = []
        failed_at = self._failed_at
        for seen, (key, mapping) in enumerate(candidates):
            if seen % 64 == 63:
                self._tick()
            if key in self.settled:
                continue
            stamp = self.state.stamp
            if failed_at.get(key) == stamp:
                left.append((key, mapping))
                continue
            waiting = self._waiting.get(key)
            if waiting is not None and not self._wakes(waiting):
                failed_at[key] = stamp
                left.append((key, mapping))
                continue
            self.stats["candidates"] += 1
            self._try(rule, mapping, key)
            if key not in self.settled:
                failed_at[key] = stamp
                left.append((key, mapping))
        if static:
            self._pending[rule.id] = left

    def _try(self, rule: Rule, mapping: dict[str, str], key: tuple) -> Fact | None:
        """Try one rule instance (``key``: its rule and points); the new conclusion, or
        None. Settles the instance unless it failed for want of a premise."""
        st = self.state
        pred = rule.conclusion.pred
        read, read_premises = self._readers[rule.id]
        try:
            args = read(mapping)
        except KeyError:  # an argument that is no variable of the mapping: kept as it is
            args = instantiate(rule.conclusion, mapping)
        stated = Fact.make(pred, args)  # the same statement in any of its spellings
        if stated in self._void:
            self.settled.add(key)
            return None
        if pred.cases:  # either orientation: the one the diagram shows
            first, second = pred.cases
            pred = first if st.holds(first, args) else second
        if pred.degenerate(args) or not st.holds(pred, args):
            self.settled.add(key)
            self._void.add(stated)
            return None
        unknown = self._unknown(pred, args)
        if unknown is None:  # nothing new to conclude
            self.settled.add(key)
            self._void.add(stated)
            return None
        premises = []
        for atom, read in zip(rule.premises, read_premises):
            try:
                pargs = read(mapping)
            except KeyError:
                pargs = instantiate(atom, mapping)
            if atom.pred.numeric_only:
                if not st.holds(atom.pred, pargs):
                    self.settled.add(key)
                    return None
                continue
            f, missing = self._premise(atom.pred, pargs)
            if f is None:
                self._waiting[key] = Waiting(unknown.folded, unknown.leaves + missing)
                return None
            premises.append(f)
        self.settled.add(key)
        fact = Fact.make(pred, args)
        st.add(fact, Derivation(rule.id, tuple(premises), self.level,
                                tuple(sorted(mapping.items()))))
        self.stats["applied"] += 1
        return fact

    def _premise(self, pred: Predicate, args: tuple[str, ...]
                 ) -> tuple[Fact | None, tuple[Fact, ...]]:
        """The premise ``pred args`` as a fact (in the first orientation that follows, for
        one with ``cases``), or None and the statements that did not follow."""
        tried = []
        for case in pred.cases or (pred,):
            fact = Fact.make(case, args)
            if self.state.derive_fact(fact) is not None:
                return fact, ()
            tried.append(fact)
        return None, tuple(tried)

    def _unknown(self, pred: Predicate, args: tuple[str, ...]) -> Waiting | None:
        """None if the conclusion ``pred args`` is known already, else what would have to
        change for it to be (``Waiting``, without a premise yet)."""
        st = self.state
        fact = Fact.make(pred, args)
        if not pred.known_by_parts:
            return None if st.derive_fact(fact) is not None else Waiting(None, (fact,))
        if fact in st.facts:
            return None
        if fact == self.goal:  # stated as the goal: worth adding even if its parts are known
            return Waiting(fact, ())
        if fact in self._folded:
            return None
        last = self._unfolded.get(fact)
        if last is not None and last[0] == st.stamp:
            return last[1]
        for part in fact.pred.unfold(fact.args):
            if st.derive_fact(part) is None:
                waiting = Waiting(fact, (part,))
                self._unfolded[fact] = (st.stamp, waiting)
                return waiting
        self._folded.add(fact)
        return None

    def _wakes(self, waiting: Waiting) -> bool:
        """Whether what a waiting instance waits for may have come: trying it may now do
        something."""
        st, folded = self.state, waiting.folded
        if folded is not None and (folded in st.facts or folded in self._folded):
            return True
        may_follow = st.may_follow
        for f in waiting.leaves:  # (a loop: a generator costs more than most answers)
            if may_follow(f):
                return True
        return False


def saturate(problem: Problem, coords, config: DDARConfig | None = None,
             parent: Saturation | None = None) -> DDARRun:
    """Run DD+AR on ``problem`` drawn as ``coords`` until the goal, a fixpoint or the deadline.

    With ``parent``, a saturation of a problem that ``problem`` extends (its clauses first,
    drawn as in ``coords``), start from the parent's closure instead of from nothing.
    """
    return Saturation(problem, coords, config or DDARConfig(), parent).run()
