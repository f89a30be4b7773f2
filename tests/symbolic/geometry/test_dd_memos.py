"""The deduction loop's memos change what it costs, never what it deduces: with each one
disabled (the oracle), fresh and continued runs record the same facts with the same
derivations, settle the same instances and apply the same number of rules."""

import itertools
import random

import pytest
from test_incremental import _children, _problems

from symbolic.geometry.dd import DDARConfig, Saturation, saturate
from symbolic.geometry.predicates.triangles import _tri_canonical, _tri_canonical_spelled


class _Never(set):
    """A set that keeps nothing."""

    def __contains__(self, item):
        return False

    def add(self, item):
        pass


class _Forgets(dict):
    """A dict that keeps nothing."""

    def __setitem__(self, key, value):
        pass


def _outcomes(problem):
    parent, children = _children(problem, 3)
    out = []
    for child, coords in children:
        for from_parent in (False, True):
            run = saturate(child, coords, DDARConfig(),
                           parent=parent if from_parent else None)
            facts = {f: (d.rule, d.premises) for f, d in run.state.facts.items()}
            out.append((facts, set(run.saturation.settled), run.stats["applied"]))
    return out


@pytest.mark.parametrize("memo", ["_void", "_unfolded"])
@pytest.mark.parametrize("problem", _problems()[:3], ids=lambda p: p.name)
def test_a_memo_changes_nothing_deduced(problem, memo, monkeypatch):
    with_memo = _outcomes(problem)
    init = Saturation.__init__

    def without(self, *args, **kwargs):
        init(self, *args, **kwargs)
        setattr(self, memo, _Never() if memo == "_void" else _Forgets())

    monkeypatch.setattr(Saturation, "__init__", without)
    assert with_memo == _outcomes(problem)


def _remembered_answers(problem, monkeypatch) -> int:
    """Runs ``_outcomes`` with every ``may_follow`` answer checked against the one without
    the memo, then with the memo off: the same outcomes. The number of answers the memo
    gave (all False)."""
    from symbolic.geometry.state import ProofState

    with_memo = _outcomes(problem)
    may_follow = ProofState.may_follow
    answers = {False: 0, True: 0}

    def checked(self, fact):
        remembered = self._stuck.get(fact) == self.stamp
        got = may_follow(self, fact)
        kept, self._stuck = self._stuck, {}
        try:
            assert may_follow(self, fact) == got
        finally:
            self._stuck = kept
        answers[got] += remembered
        return got

    monkeypatch.setattr(ProofState, "may_follow", checked)
    assert with_memo == _outcomes(problem)
    init = Saturation.__init__

    def without(self, *args, **kwargs):
        init(self, *args, **kwargs)
        self.state._stuck = _Forgets()

    monkeypatch.setattr(ProofState, "may_follow", may_follow)
    monkeypatch.setattr(Saturation, "__init__", without)
    assert with_memo == _outcomes(problem)
    assert answers[True] == 0  # a remembered answer is always False
    return answers[False]


@pytest.mark.parametrize("problem", _problems()[:4], ids=lambda p: p.name)
def test_the_states_memo_of_what_cannot_follow_changes_nothing(problem, monkeypatch):
    """``ProofState.may_follow`` remembers a False answer for the stamp it was given at:
    each answer is the one it gives without the memo, and so is every run's outcome (on
    2004CTSTp22 a statement stuck at one stamp may follow at a later one: remembering it
    for good gives a wrong answer)."""
    remembered = _remembered_answers(problem, monkeypatch)
    if problem.name == _problems()[1].name:  # waiting instances share what they wait for
        assert remembered > 0


@pytest.mark.parametrize("problem", _problems()[:4], ids=lambda p: p.name)
def test_a_statement_that_cannot_follow_does_not(problem, monkeypatch):
    """Whenever ``may_follow`` says no, ``derive_fact`` fails and records nothing; and
    answering yes for every statement that is not an AR one (as before predicates said
    for lines, circles and stored facts) deduces the same."""
    from symbolic.geometry.predicates.base import ARPredicate
    from symbolic.geometry.state import ProofState

    may_follow = ProofState.may_follow
    said_no: dict[str, int] = {}

    def checked(self, fact):
        got = may_follow(self, fact)
        if not got:
            before = len(self.facts)
            assert self.derive_fact(fact) is None and len(self.facts) == before, fact
            said_no[fact.pred.name] = said_no.get(fact.pred.name, 0) + 1
        return got

    monkeypatch.setattr(ProofState, "may_follow", checked)
    precise = _outcomes(problem)

    def as_before(self, fact):
        if fact not in self.facts and type(fact.pred).derive is not ARPredicate.derive:
            return True
        return may_follow(self, fact)

    monkeypatch.setattr(ProofState, "may_follow", as_before)
    assert precise == _outcomes(problem)
    if problem.name == _problems()[1].name:
        assert said_no.get("coll", 0) + said_no.get("cyclic", 0) > 0, said_no


def test_the_written_out_triangle_canonical_form_is_the_looped_one():
    names = "abcdef"
    for args in itertools.permutations(names, 6):
        assert _tri_canonical(args) == _tri_canonical_spelled(args)
    rng = random.Random(0)
    for _ in range(2000):  # repeated points too
        args = tuple(rng.choice("abcd") for _ in range(6))
        assert _tri_canonical(args) == _tri_canonical_spelled(args)


def _bisected_pairs_spelled(ix):
    import numpy as np

    out = {}
    names = ix.names
    for a in names:
        others = [p for p in names if p != a and ix.dist[(a, p)] >= 1e-6]
        m = len(others)
        if m < 3:
            continue
        theta = np.array([ix.direction(a, p) for p in others])
        v = (theta[None, :] - theta[:, None]) % np.pi
        total = (v[:, :, None] + v[:, None, :]) % np.pi
        near = (np.minimum(total, np.pi - total) < 1e-6) & (np.abs(v) > 1e-6)[:, :, None]
        k = np.arange(m)
        near[k, k, :] = near[k, :, k] = near[:, k, k] = False
        if not ix.is_new(a):
            new = np.array([ix.is_new(p) for p in others])
            near &= new[:, None, None] | new[None, :, None] | new[None, None, :]
        for i, j, c in zip(*np.nonzero(near)):
            out.setdefault((a, others[i]), set()).add((others[j], others[c]))
    return out


@pytest.mark.parametrize("problem", _problems()[:3], ids=lambda p: p.name)
def test_bisected_pairs_on_the_slices_with_a_new_point_are_those_of_the_whole_cube(problem):
    """Only the slices of the cube at a new point are worked out on an extended index:
    the same entries, in the same order (the order instances are tried in)."""
    from symbolic.geometry.matchers import _bisected_pairs
    from symbolic.geometry.numeric_index import NumericIndex

    parent, children = _children(problem, 4)
    indexes = [parent.index] + [NumericIndex(xy, parent.index) for _, xy in children]
    assert any(_bisected_pairs_spelled(ix) for ix in indexes)
    for ix in indexes:
        got, want = _bisected_pairs(ix), _bisected_pairs_spelled(ix)
        assert list(got.items()) == list(want.items())
        assert [list(s) for s in got.values()] == [list(s) for s in want.values()]


def test_bisected_pairs_stop_at_a_passed_deadline():
    """The cube is worked out point by point, each behind a deadline check (a large
    diagram's cubes take tens of milliseconds each, past a search's deadline otherwise)."""
    import time

    from symbolic.deadline import Deadline, until
    from symbolic.geometry.matchers import _bisected_pairs

    parent, _ = _children(_problems()[0], 1)
    assert _bisected_pairs(parent.index) is not None
    with until(time.monotonic() - 1.0), pytest.raises(Deadline):
        _bisected_pairs(parent.index)


def test_a_reader_reads_what_instantiate_makes():
    """``reader(atom)(mapping)`` is ``instantiate(atom, mapping)`` for every atom of the rule
    table and a mapping of its rule's variables; without one of them it raises KeyError
    (the deduction loop then instantiates)."""
    from symbolic.geometry.dd import instantiate, reader
    from symbolic.geometry.tables import rules

    rng = random.Random(0)
    for rule in rules():
        mapping = {v: rng.choice("abcdefgh") for v in rule.variables}
        for atom in rule.premises + (rule.conclusion,):
            assert reader(atom)(mapping) == instantiate(atom, mapping), (rule.id, atom)
            with pytest.raises(KeyError):
                reader(atom)({})


def test_a_conclusion_found_void_settles_its_other_spellings_without_a_check(monkeypatch):
    """The memo of void conclusions holds statements made canonical: once r34's
    conclusion for a pair of triangles is found false on the diagram, the same pair turned
    (another spelling of one statement) settles without asking the diagram again, while a
    different pair is checked."""
    from symbolic.geometry.state import ProofState

    problem = _problems()[0]
    parent, _ = _children(problem, 1)
    rule = next(r for r in parent.rules if r.id == "r34")
    a, b, c, d, e = sorted(parent.index.names)[:5]
    asked = []
    holds = ProofState.holds

    def counted(self, pred, args):
        asked.append(args)
        return holds(self, pred, args)

    monkeypatch.setattr(ProofState, "holds", counted)

    def attempt(a, b, c, p, q, r):
        mapping = {"A": a, "B": b, "C": c, "P": p, "Q": q, "R": r}
        key = ("r34", a, b, c, p, q, r)
        before = len(asked)
        assert parent._try(rule, mapping, key) is None and key in parent.settled
        return len(asked) - before

    assert attempt(a, b, c, c, d, e) >= 1  # not similar on this drawing: false, void
    assert attempt(b, c, a, d, e, c) == 0  # the same statement: no check
    assert attempt(c, d, e, a, b, c) == 0
    assert attempt(a, c, b, c, d, e) >= 1  # another statement


@pytest.mark.parametrize("problem", _problems()[:3], ids=lambda p: p.name)
def test_the_goal_is_asked_again_only_once_the_state_moved(problem, monkeypatch):
    """The goal check after every rule is skipped while the state's stamp stands where the
    goal last failed: the same outcomes as asking every time, in fewer asks."""
    import symbolic.geometry.dd as dd

    asked = []
    goal_fact = dd.goal_fact

    def counted(state, goal):
        asked.append(state.stamp)
        return goal_fact(state, goal)

    monkeypatch.setattr(dd, "goal_fact", counted)
    with_memo, fewer = _outcomes(problem), len(asked)
    asked.clear()
    monkeypatch.setattr(Saturation, "_proved",
                        lambda self: dd.goal_fact(self.state, self.goal_atom))
    assert with_memo == _outcomes(problem)
    assert fewer < len(asked) / 2
