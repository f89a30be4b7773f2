"""Menelaus' converse (#17): r55, menelaus A B C D E F, coll B C D, coll C A E, coll A B F,
ncoll A B C => coll D E F. The product AF·BD·CE = FB·DC·EA (lengths) holds for a transversal
(Menelaus) and for concurrent cevians AD, BE, CF (Ceva) alike; which of the two a diagram
shows is a sign (an odd or even number of feet outside their sides), read off the diagram as
every conclusion is. With r52 it proves Desargues' theorem by ratio chasing, which DD+AR did
not before."""

import numpy as np
from plane import meet
from rule_ablation import proved_through
from rule_ablation import rule as table_rule

from symbolic.geometry.checker import meaning as M
from symbolic.geometry.predicates import COLL, MENELAUS
from symbolic.geometry.problem import parse_problem
from symbolic.geometry.prover import ProverConfig, prove

ARGS = ("a", "b", "c", "d", "e", "f")
# Two triangles abc and def in perspective from o: the meets of their corresponding sides
# are collinear. Menelaus (r52) on the triangles oab, obc, oca with the transversals dex,
# efy, fdz, multiplied in the ratio table, gives Menelaus' product for abc and x, y, z.
DESARGUES = ("a b c = triangle a b c; o = free o; d = on_line d o a; e = on_line e o b; "
             "f = on_line f o c; x = on_line x a b, on_line x d e; "
             "y = on_line y b c, on_line y e f; z = on_line z c a, on_line z f d ? coll x y z")
# Concurrent cevians ad, be, cf through p: the same product of ratios, feet not collinear;
# beside them Pappus' configuration, whose goal DD+AR leaves (so that it saturates).
CEVA = ("a b c = triangle a b c; p = free p; d = on_line d a p, on_line d b c; "
        "e = on_line e b p, on_line e c a; f = on_line f c p, on_line f a b; "
        "g = free g; h = free h; i = on_line i g h; j = free j; k = free k; l = on_line l j k; "
        "x = on_line x g k, on_line x h j; y = on_line y g l, on_line y i j; "
        "z = on_line z h l, on_line z i k ? coll x y z")


def _triangles(rng, n):
    while n:
        a, b, c = (rng.normal(size=2) * 3 for _ in range(3))
        if abs((b - a)[0] * (c - a)[1] - (b - a)[1] * (c - a)[0]) < 0.5:
            continue
        n -= 1
        yield a, b, c


def _far_from_vertices(pts, a, b, c):
    return (min(np.linalg.norm(x - y) for x in pts for y in (a, b, c)) > 1e-3
            and max(np.linalg.norm(x) for x in pts) < 1e3)


def test_r55_holds_for_transversals_and_its_premises_also_for_cevians():
    rng = np.random.default_rng(55)
    rule = table_rule("r55")
    assert [str(a) for a in rule.premises] == ["menelaus A B C D E F", "coll B C D",
                                               "coll C A E", "coll A B F", "ncoll A B C"]
    assert str(rule.conclusion) == "coll D E F"
    seen = 0
    for a, b, c in _triangles(rng, 300):
        p, u = rng.normal(size=2) * 3, rng.normal(size=2)
        # a transversal: every premise and the conclusion hold
        d, e, f = meet(b, c - b, p, u), meet(c, a - c, p, u), meet(a, b - a, p, u)
        if _far_from_vertices((d, e, f), a, b, c):
            pts = dict(zip(ARGS, (a, b, c, d, e, f)))
            assert MENELAUS.holds(ARGS, pts)
            assert M.holds(("menelaus", ARGS), {k: tuple(v) for k, v in pts.items()})
            assert COLL.holds(("d", "e", "f"), pts)
            seen += 1
        # cevians through p: the premises hold, the conclusion does not (the diagram's sign)
        d, e, f = meet(a, p - a, b, c - b), meet(b, p - b, c, a - c), meet(c, p - c, a, b - a)
        if _far_from_vertices((d, e, f), a, b, c):
            pts = dict(zip(ARGS, (a, b, c, d, e, f)))
            assert MENELAUS.holds(ARGS, pts)
            assert not COLL.holds(("d", "e", "f"), pts)
    assert seen > 200


def test_desargues_is_proved_with_r55_and_checked_and_not_without():
    proved_through(parse_problem(DESARGUES, name="desargues"), {"r52", "r55"}, "r55")


def test_cevians_get_menelaus_product_but_not_a_false_collinearity():
    """In the Ceva configuration DD+AR derives r55's first premise (Menelaus on abd and adc,
    r52, combined) and the side collinearities, but never the conclusion: it is false on the
    diagram."""
    outcome = prove(parse_problem(CEVA, name="ceva"), ProverConfig(timeout=60))
    assert not outcome.proved and outcome.closure is not None, outcome.stats
    st = outcome.closure.state
    assert st.derive(MENELAUS, ARGS) is not None
    assert st.derive(COLL, ("d", "e", "f")) is None
