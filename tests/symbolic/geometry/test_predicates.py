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


# A square-ish diagram: a b on the x axis, m the midpoint of ab, c d above a and b.
COORDS = {"a": (0.0, 0.0), "b": (2.0, 0.0), "m": (1.0, 0.0), "c": (0.0, 2.0), "d": (2.0, 2.0)}


def _state():
    import numpy as np

    from symbolic.geometry.state import AR_TABLES, ProofState

    return ProofState({k: np.array(v) for k, v in COORDS.items()}, AR_TABLES)  # every table


def test_ar_equations_of_angle_predicates():
    from symbolic.geometry.predicates import COLL, PERP
    from symbolic.geometry.state import PI, PI_PARTS

    st = _state()
    assert PI_PARTS == 360  # PI stands for pi / 360: pi/2 is 180 PI
    # ab ⊥ ac: d(ab) - d(ac) = 0 - pi/2, so the equation is d(ab) - d(ac) + pi/2 = 0
    # ab ⊥ ac: and |bc|² = |ab|² + |ac|² (Pythagoras: |aa|² + |bc|² = |ac|² + |ba|²)
    # ab ⊥ ac: and log |sin ∠(ab,ac)| = 0 (fed to the ratio table, labelled "sine")
    assert st.equations(Fact.make(PERP, ("a", "b", "a", "c"))) == [
        ("angle", {("d", "a", "b"): 1, ("d", "a", "c"): -1, PI: 180}),
        ("squared", {("q", "b", "c"): 1, ("q", "a", "c"): -1, ("q", "a", "b"): -1}),
        ("sine", {("n", "a", "b", "a", "c"): 1})]
    assert st.equations(Fact.make(PARA, ("a", "b", "c", "d"))) == [
        ("angle", {("d", "a", "b"): 1, ("d", "c", "d"): -1})]
    # ∠(ab, ac) = ∠(cd, ca): d(ac) - d(ab) - d(ac) + d(cd) = 0; equal sines, but not of
    # ∠(ab,cd) and ∠(ac,ca) (the means exchanged), parallel lines
    assert st.equations(Fact.make(EQANGLE, ("a", "b", "a", "c", "c", "d", "c", "a"))) == [
        ("angle", {("d", "a", "b"): -1, ("d", "c", "d"): 1}),
        ("sine", {("n", "a", "b", "a", "c"): 1, ("n", "a", "c", "c", "d"): -1})]
    # ∠(ab, ac) = 90°: d(ac) - d(ab) - 1/2 pi = 0, and log |sin| = 0
    assert st.equations(Fact.make(ACONST, ("a", "b", "a", "c", "90"))) == [
        ("angle", {("d", "a", "c"): 1, ("d", "a", "b"): -1, PI: -180}),
        ("sine", {("n", "a", "b", "a", "c"): 1})]
    # a, b, m collinear: two directions equal the first pair's; |ab| = |am| + |mb|
    assert st.equations(Fact.make(COLL, ("m", "b", "a"))) == [
        ("angle", {("d", "a", "m"): 1, ("d", "a", "b"): -1}),
        ("angle", {("d", "b", "m"): 1, ("d", "a", "b"): -1}),
        ("dist", {("s", "a", "b"): 1, ("s", "a", "m"): -1, ("s", "b", "m"): -1})]
    # an angle equation the diagram contradicts is no equation at all
    assert st.equations(Fact.make(PARA, ("a", "b", "a", "c"))) == []


def test_ar_equations_of_length_predicates():
    from symbolic.geometry.predicates import CONG, CYCLIC, EQRATIO

    st = _state()
    assert st.equations(Fact.make(CONG, ("a", "b", "c", "d"))) == [
        ("ratio", {("l", "a", "b"): 1, ("l", "c", "d"): -1}),
        ("dist", {("s", "a", "b"): 1, ("s", "c", "d"): -1}),
        ("squared", {("q", "a", "b"): 1, ("q", "c", "d"): -1})]
    # am : ab = 1 : 2 is log|am| - log|ab| + log 2 = 0, and 2|am| - |ab| = 0
    assert st.equations(Fact.make(RCONST, ("a", "m", "a", "b", "1", "2"))) == [
        ("ratio", {("l", "a", "m"): 1, ("l", "a", "b"): -1, ("log", 2): 1}),
        ("dist", {("s", "a", "m"): 2, ("s", "a", "b"): -1}),
        ("squared", {("q", "a", "m"): 4, ("q", "a", "b"): -1})]
    # am/ab = cd/ad (the hook on these arguments; a fact would hold them in canonical order)
    assert EQRATIO.equations(("a", "m", "a", "b", "c", "d", "a", "d"), st) == [
        ("ratio", {("l", "a", "m"): 1, ("l", "a", "b"): -1, ("l", "a", "d"): 1,
                   ("l", "c", "d"): -1})]
    assert st.equations(Fact.make(CYCLIC, ("a", "b", "c", "d"))) == []  # a structure, not AR


def _strs(facts):
    return [str(f) for f in facts]


def test_unfolding_of_composite_predicates():
    from symbolic.geometry.predicates import CIRCLE, EQRATIO3, MIDP

    assert _strs(MIDP.unfold(("m", "a", "b"))) == [
        "coll a b m", "cong a m b m", "rconst m a a b 1 2"]
    assert MIDP.needed_parts == 2  # coll and cong fold it back
    assert _strs(CIRCLE.unfold(("o", "a", "b", "c"))) == ["cong a o b o", "cong a o c o"]
    # Thales through o: oa/oc = ob/od = ab/cd
    assert EQRATIO3.unfold(("a", "b", "c", "d", "o", "o")) == [
        Fact.make(EQRATIO, ("o", "a", "o", "c", "o", "b", "o", "d")),
        Fact.make(EQRATIO, ("o", "a", "a", "c", "o", "b", "b", "d")),
        Fact.make(EQRATIO, ("o", "c", "a", "c", "o", "d", "b", "d")),
        Fact.make(EQRATIO, ("o", "a", "o", "c", "a", "b", "c", "d"))]
    assert PARA.unfold(("a", "b", "c", "d")) == []


def test_unfolding_of_triangles():
    from symbolic.geometry.predicates import CONG

    t = ("a", "b", "c", "p", "q", "r")
    angles = [Fact.make(EQANGLE, ("b", "a", "b", "c", "q", "p", "q", "r")),  # at b and q
              Fact.make(EQANGLE, ("c", "b", "c", "a", "r", "q", "r", "p")),  # at c and r
              Fact.make(EQANGLE, ("a", "c", "a", "b", "p", "r", "p", "q"))]  # at a and p
    ratios = [Fact.make(EQRATIO, ("a", "b", "p", "q", "b", "c", "q", "r")),
              Fact.make(EQRATIO, ("b", "c", "q", "r", "c", "a", "r", "p"))]
    assert SIMTRI.unfold(t) == angles + ratios
    mirrored = [Fact.make(EQANGLE, ("b", "a", "b", "c", "q", "r", "q", "p")),
                Fact.make(EQANGLE, ("c", "b", "c", "a", "r", "p", "r", "q")),
                Fact.make(EQANGLE, ("a", "c", "a", "b", "p", "q", "p", "r"))]
    assert SIMTRI2.unfold(t) == mirrored + ratios
    sides = [Fact.make(CONG, ("a", "b", "p", "q")), Fact.make(CONG, ("b", "c", "q", "r")),
             Fact.make(CONG, ("c", "a", "r", "p"))]
    assert CONTRI.unfold(t) == angles + ratios + sides
    assert CONTRI2.unfold(t) == mirrored + ratios + sides
    assert SIMTRI_ANY.unfold(t) == []  # stored as one of its cases, never itself
    assert SIMTRI.known_by_parts and not PARA.known_by_parts


def test_degenerate_statements():
    from symbolic.geometry.predicates import COLL, CYCLIC, MIDP

    assert PARA.degenerate(("a", "a", "b", "c")) and not PARA.degenerate(("a", "b", "a", "c"))
    assert EQANGLE6.degenerate(("a", "b", "c", "c", "a", "b", "a", "d"))
    assert COLL.degenerate(("a", "b", "a")) and CYCLIC.degenerate(("a", "b", "c", "a"))
    assert MIDP.degenerate(("m", "a", "a"))
    assert SIMTRI.degenerate(("a", "b", "c", "a", "b", "c"))
    assert not RCONST.degenerate(("a", "b", "a", "b", "1", "1"))


def test_a_composite_fact_is_derived_from_its_parts():
    from symbolic.geometry.facts import Derivation, Rules
    from symbolic.geometry.predicates import COLL, CONG, MIDP

    st = _state()
    given = Derivation(Rules.GIVEN, ())
    st.add(Fact.make(COLL, ("a", "m", "b")), given)
    assert st.derive(MIDP, ("m", "a", "b")) is None
    st.add(Fact.make(CONG, ("m", "a", "m", "b")), given)
    f = st.derive(MIDP, ("m", "b", "a"))
    assert f == Fact.make(MIDP, ("m", "a", "b"))
    assert st.facts[f].rule == Rules.FOLD
    assert _strs(st.facts[f].premises) == ["coll a b m", "cong a m b m"]


def test_variants_for_unification():
    from symbolic.geometry.predicates import COLL

    para = set(PARA.variants(("a", "b", "c", "d")))
    assert len(para) == 8 and ("d", "c", "b", "a") in para and ("a", "c", "b", "d") not in para
    assert len(set(EQANGLE.variants(tuple("abcdefgh")))) == 128
    assert ("f", "e", "h", "g", "b", "a", "d", "c") in set(EQRATIO.variants(tuple("abcdefgh")))
    assert sorted(COLL.variants(("a", "b", "c")))[-1] == ("c", "b", "a")
    assert list(RCONST.variants(("a", "b", "c", "d", "1", "2"))) == [
        ("a", "b", "c", "d", "1", "2")]


def test_what_a_statement_draws():
    from symbolic.geometry.predicates import COLL, CYCLIC, EQRATIO3, MIDP

    assert MIDP.drawn(("m", "a", "b")) == ([("a", "m", "b")], [])
    assert SANGLE.drawn(("a", "b", "x")) == ([("b", "a"), ("b", "x")], [])
    assert EQRATIO3.drawn(("a", "b", "c", "d", "o", "o")) == (
        [("o", "a", "c"), ("o", "b", "d"), ("a", "b"), ("c", "d")], [])
    assert CONTRI_ANY.drawn(tuple("abcpqr"))[0][3:] == [("p", "q"), ("q", "r"), ("r", "p")]
    # the lines of the figure that heuristic constructions intersect
    assert COLL.figure_lines(("c", "a", "b")) == [("a", "b"), ("a", "c"), ("b", "c")]
    assert MIDP.figure_lines(("m", "a", "b")) == [("m", "a"), ("m", "b"), ("a", "b")]
    assert PARA.figure_lines(("a", "b", "c", "d")) == [("a", "b"), ("c", "d")]
    assert CYCLIC.figure_lines(("a", "b", "c", "d")) == []
    assert EQRATIO.figure_lines(tuple("abcdefgh")) == []


def test_an_atom_takes_the_predicate_object_not_its_name():
    from symbolic.geometry.tables import Atom

    with pytest.raises(TypeError, match="predicate object"):
        Atom("coll", ("a", "b", "c"))  # type: ignore[arg-type]


def test_the_goal_predicates_are_those_that_say_so():
    from symbolic.geometry.problem import GOAL_PREDICATES

    assert GOAL_PREDICATES == ("coll", "para", "perp", "cong", "cyclic", "circle", "midp",
                               "eqangle", "eqratio", "simtri", "simtri2", "contri", "contri2",
                               "aconst", "rconst", "power", "eqdot", "menelaus")
    assert all(PREDICATES[name].goal for name in GOAL_PREDICATES)


def test_triangle_sides_in_one_go_are_the_lengths_one_by_one():
    """``_sides`` (one array, one ``np.hypot``) gives each side the bits ``length`` gives."""
    import numpy as np

    from symbolic.geometry.predicates.triangles import _sides, _sides_spelled

    rng = np.random.default_rng(0)
    for _ in range(20000):
        ps = [rng.normal(size=2) * 10.0 ** int(rng.integers(-4, 4)) for _ in range(6)]
        assert _sides(ps) == _sides_spelled(ps)
    ps = [np.array(p, dtype=float) for p in ((0, 0), (3, 0), (0, 4), (1, 1), (1, 1), (2, 2))]
    assert _sides(ps) == _sides_spelled(ps) == [3.0, 5.0, 4.0, 0.0, 2 ** 0.5, 2 ** 0.5]


def test_collinearity_in_one_go_is_the_check_one_point_at_a_time():
    """``is_coll`` (Python floats) answers as its spelled form on random, nearly
    collinear and coincident points, and ``cross``, ``orientation``, ``length``, ``unit_between``
    and the parallel check (Python floats) give the numpy products' bits."""
    import numpy as np

    from symbolic.geometry.predicates.measure import (
        _is_coll_spelled,
        cross,
        is_coll,
        length,
        orientation,
        unit,
        unit_between,
    )

    rng = np.random.default_rng(1)
    answers = set()
    for _ in range(20000):
        k = int(rng.integers(3, 6))
        scale = 10.0 ** int(rng.integers(-4, 4))
        a, d = rng.normal(size=2) * scale, rng.normal(size=2)
        kind = int(rng.integers(0, 5))
        if kind == 0:  # anywhere
            ps = [rng.normal(size=2) * scale for _ in range(k)]
        elif kind == 1:  # on a line, off by about the tolerance
            ps = [a + t * d + rng.normal(size=2) * 10.0 ** int(rng.integers(-10, -5))
                  for t in rng.normal(size=k) * scale]
        elif kind == 2:  # some points on others
            ps = [a + t * d for t in rng.normal(size=k) * scale]
            ps[int(rng.integers(1, k))] = ps[0].copy()
        elif kind == 3:  # all on one point, nearly
            ps = [a + rng.normal(size=2) * 1e-9 for _ in range(k)]
        else:  # two farthest points, as far (a tie), on the line or off it
            t = float(rng.normal()) * scale
            off = rng.normal(size=2) * 10.0 ** int(rng.integers(-10, -5))
            inside = rng.uniform(-0.5, 0.5, k - 3) * t
            ps = [a, a + t * d, a - t * d + off] + [a + u * d for u in inside]
        want = _is_coll_spelled(ps)
        assert is_coll(ps) is want
        answers.add((kind, want))
        u, v = ps[1] - ps[0], ps[2] - ps[0]
        assert cross(u, v) == float(u[0] * v[1] - u[1] * v[0])
        assert length(ps[0], ps[1]) == float(np.hypot(*(ps[1] - ps[0])))
        assert unit_between(ps[0], ps[1]) == tuple(unit(ps[1] - ps[0]).tolist())
        para = abs(float(unit(u)[0] * unit(v)[1] - unit(u)[1] * unit(v)[0])) < 1e-7
        assert PREDICATES["para"].check([ps[0], ps[1], ps[0], ps[2]]) is para
        s = float(u[0] * v[1] - u[1] * v[0])
        assert orientation(*ps[:3]) == (0 if abs(s) < 1e-7 else (1 if s > 0 else -1))
    assert {(1, True), (1, False), (0, False), (2, True), (3, True), (4, True),
            (4, False)} <= answers


def test_the_written_out_quad_canonical_form_is_the_spelled_one():
    import itertools
    import random

    from symbolic.geometry.predicates.base import quad_canonical, quad_canonical_spelled

    rng = random.Random(0)
    for args in itertools.permutations("abcdefgh", 8):
        if rng.random() < 0.05:
            assert quad_canonical(args) == quad_canonical_spelled(args)
    for _ in range(20000):  # repeated points, shared segments
        args = tuple(rng.choice("abcde") for _ in range(8))
        assert quad_canonical(args) == quad_canonical_spelled(args)


def test_remembered_triangle_parts_are_the_parts():
    import random

    from symbolic.geometry.predicates.triangles import (
        _PARTS,
        CONTRI,
        CONTRI2,
        SIMTRI,
        SIMTRI2,
        SIMTRI_ANY,
    )

    rng = random.Random(0)
    _PARTS.clear()
    for _ in range(2):
        for pred in (SIMTRI, SIMTRI2, CONTRI, CONTRI2, SIMTRI_ANY):
            for _ in range(200):
                args = tuple(rng.sample("abcdefgh", 6))
                got = pred.unfold(args)
                assert got == pred.unfold_once(args) and got is not pred.unfold(args)


def test_a_fact_is_one_object_however_spelled_and_equal_to_its_copies():
    """``Fact.make`` gives one object per fact for every spelling of it (so the state's
    dicts find it by identity); a copy from a pickle is another object, equal, with the same
    hash; different facts are unequal."""
    import pickle

    from symbolic.geometry.facts import Fact
    from symbolic.geometry.predicates import PARA

    one = Fact.make(PARA, ("a", "b", "c", "d"))
    assert Fact.make(PARA, ("d", "c", "a", "b")) is one
    copy = pickle.loads(pickle.dumps(one))
    assert copy is not one and copy == one and not copy != one and hash(copy) == hash(one)
    other = Fact.make(PARA, ("a", "b", "c", "e"))
    assert other != one and not other == one and (one < other) != (other < one)
    assert one != ("para", ("a", "b", "c", "d"))
