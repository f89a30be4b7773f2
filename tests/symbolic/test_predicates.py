"""Predicates are objects: one per name, identity-compared, printed and pickled by name,
and each owns its protocol (aliases, canonical form, points)."""

from __future__ import annotations

import copy
import pickle

import pytest

from symbolic.geometry.facts import Fact
from symbolic.geometry.predicates import (
    ACONST,
    CONTRI,
    CONTRI2,
    CONTRI_ANY,
    EQANGLE,
    EQANGLE6,
    EQRATIO,
    EQRATIO6,
    PARA,
    PREDICATES,
    RCONST,
    SANGLE,
    SIMTRI,
    SIMTRI2,
    SIMTRI_ANY,
    Pred,
    Predicate,
    predicate,
)
from symbolic.geometry.problem import parse_problem
from symbolic.geometry.tables import definitions, rules

ALL = list(PREDICATES.values())


def test_every_pred_member_has_exactly_one_predicate_object():
    assert sorted(PREDICATES) == sorted(p.value for p in Pred)
    assert [p.pred.value for p in ALL] == list(PREDICATES)
    assert len({type(p) for p in ALL}) == len(ALL) == len(Pred)
    for p in ALL:
        assert type(p)() is p  # the class has this one instance
        assert predicate(p.name) is p and str(p) == p.name == p.pred.value


def test_every_predicate_of_the_tables_resolves_to_the_registry():
    atoms = [a for r in rules() for a in r.premises + (r.conclusion,)]
    atoms += [a for c in definitions().values() for a in c.prerequisites + c.premises]
    assert atoms
    for a in atoms:
        assert isinstance(a.pred, Predicate) and a.pred is PREDICATES[a.name]
        assert a.pred.check_arity(len(a.args)), str(a)


@pytest.mark.parametrize("p", ALL, ids=str)
def test_pickle_and_copy_keep_identity(p):
    data = pickle.dumps(p)
    assert pickle.loads(data) is p
    assert p.name.encode() in data  # by name: a registry lookup on the other side
    assert copy.copy(p) is p and copy.deepcopy(p) is p


def test_facts_pickle_and_print_as_before():
    f = Fact.make(PARA, ("d", "c", "b", "a"))
    assert str(f) == "para a b c d" and f.args == ("a", "b", "c", "d")
    g = pickle.loads(pickle.dumps(f))
    assert g == f and g.pred is PARA and hash(g) == hash(f)
    assert sorted([Fact.make(RCONST, ("a", "b", "a", "c", "1", "2")), f,
                   Fact.make(ACONST, ("a", "b", "a", "c", "30"))]) == \
        sorted([f, Fact.make(ACONST, ("a", "b", "a", "c", "30")),
                Fact.make(RCONST, ("a", "b", "a", "c", "1", "2"))], key=str)


def test_a_pickled_proof_is_the_same_proof():
    from symbolic.geometry.prover import prove

    problem = parse_problem("a b c = triangle a b c; d = on_tline d b a c, on_tline d c a b; "
                            "e = on_line e a c, on_line e b d ? perp a d b c", "orthocenter_aux")
    proof = prove(problem).proof
    assert proof is not None
    back = pickle.loads(pickle.dumps(proof))
    assert back == proof and back.text() == proof.text()
    assert all(s.conclusion.pred is PREDICATES[s.conclusion.pred.name] for s in back.steps)


def test_aliases_are_stored_as_their_predicate():
    args = ("a", "b", "a", "c", "d", "e", "d", "f")
    assert Fact.make(EQANGLE6, args) == Fact.make(EQANGLE, args)
    assert Fact.make(EQANGLE6, args).pred is EQANGLE and EQANGLE6.stored is EQANGLE
    assert Fact.make(EQRATIO6, args).pred is EQRATIO
    f = Fact.make(SANGLE, ("a", "b", "x", "30"))  # angle at b from ba to bx
    assert f.pred is ACONST and f.args == ("b", "a", "b", "x", "30")
    assert f.points == ("b", "a", "b", "x")
    assert SIMTRI_ANY.cases == (SIMTRI, SIMTRI2) and CONTRI_ANY.cases == (CONTRI, CONTRI2)
    assert PARA.cases == ()


def test_goal_atoms_hold_predicate_objects():
    p = parse_problem("a b c = triangle a b c; d = on_line d b c ? rconst a b a c 1 2")
    assert p.goal.pred is RCONST and p.goal.name == "rconst"
    assert str(p.goal) == "rconst a b a c 1 2"
    assert RCONST.split(p.goal.args) == (("a", "b", "a", "c"), ("1", "2"))
