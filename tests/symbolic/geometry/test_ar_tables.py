"""The AR tables one by one: a witness problem only that table proves, the distance table's
equations and derivations, and its conclusions true on fresh drawings."""

from __future__ import annotations

import dataclasses
import time
from pathlib import Path

import numpy as np
import pytest
from differential_geometry import refuted

from symbolic.geometry.dd import DDARConfig, saturate
from symbolic.geometry.facts import Derivation, Fact, LazyAR, Rules
from symbolic.geometry.numeric import build_diagram
from symbolic.geometry.predicates import COLL, CONG, MIDP, RCONST
from symbolic.geometry.problem import parse_problem, read_problems
from symbolic.geometry.prover import ProverConfig, prove
from symbolic.geometry.state import AR_RULES, AR_TABLES, SINE, ProofState
from symbolic.geometry.tables import Atom

WITNESSES = Path(__file__).resolve().parents[3] / "problems" / "geometry" / "ar_witnesses.txt"
PROBLEMS = {p.name: p for p in read_problems(WITNESSES)}


def test_every_table_has_a_witness():
    assert sorted(PROBLEMS) == sorted(AR_TABLES)


# the rules a witness may use: the law of sines ("sine") is the ratio table's, stated by r59
RULES = {SINE: frozenset({"r59"})}
CHASE = {**AR_RULES, SINE: AR_RULES["ratio"]}


@pytest.mark.parametrize("table", sorted(PROBLEMS))
def test_witness_is_proved_by_its_table_and_only_with_it(table):
    problem = PROBLEMS[table]
    outcome = prove(problem, ProverConfig(rules=RULES.get(table, frozenset()), timeout=30,
                                          ar_tables=AR_TABLES))
    assert outcome.proved, outcome.stats
    assert CHASE[table] in {s.derivation.rule for s in outcome.proof.steps}
    without = prove(problem, ProverConfig(timeout=30, ar_tables=AR_TABLES - {table}))
    assert not without.proved


@pytest.mark.parametrize("table", sorted(PROBLEMS))
def test_the_printed_proof_of_a_witness_reads_and_checks(table):
    """The independent checker reads the printed text back, finds each AR step's equations
    itself, and accepts it."""
    from symbolic.geometry.checker import check_document
    from symbolic.geometry.checker.text_form import read_text

    outcome = prove(PROBLEMS[table], ProverConfig(timeout=30, ar_tables=AR_TABLES))
    doc = read_text(f"{table}: proved in 0.1 s\n" + outcome.proof.text())
    chase = [s for s in doc["steps"] if s["rule"] == CHASE[table]]
    assert chase and all(s["terms"] for s in chase)
    report = check_document(doc)
    assert report.valid, report.errors


def test_every_table_is_on_by_default_and_squared_proves_the_orthocentre_alone():
    from symbolic.geometry.dd import DDARConfig

    assert DDARConfig().ar_tables == ProverConfig().ar_tables == AR_TABLES
    problem = parse_problem("a b c = triangle a b c; h = on_tline h b a c, on_tline h c a b "
                            "? perp a h b c", name="orthocentre")
    assert not prove(problem, ProverConfig(ar_tables=AR_TABLES - {"squared"})).proved
    assert prove(problem).proved


def test_an_unknown_table_is_refused():
    with pytest.raises(ValueError, match="unknown AR table"):
        ProofState({}, frozenset({"angle", "area"}))


def _line(*xs: float) -> dict[str, np.ndarray]:
    return {name: np.array([x, 0.5 * x]) for name, x in zip("abcd", xs)}


def test_additivity_reads_the_order_along_the_line_off_the_diagram():
    st = ProofState(_line(0.0, 3.0, 1.0))  # c between a and b
    eqs = st.additivity(["a", "b", "c"])
    assert eqs == [("dist", {("s", "a", "b"): 1, ("s", "a", "c"): -1, ("s", "b", "c"): -1})]
    st = ProofState(_line(0.0, 1.0, 3.0, 4.0))  # a b c d in this order: one per triple
    assert len(st.additivity(["d", "b", "a", "c"])) == 4


def test_the_distance_table_derives_a_difference_of_sums_and_cites_its_premises():
    st = ProofState(_line(0.0, 1.0, 3.0, 4.0))
    given = [Fact.make(COLL, ("a", "b", "c", "d")), Fact.make(CONG, ("a", "b", "c", "d"))]
    for f in given:
        st.add(f, Derivation(Rules.GIVEN, ()))
    found = st.derive(CONG, ("a", "c", "b", "d"))  # ab + bc = bc + cd
    assert found is not None
    step = st.facts[found]
    assert isinstance(step, LazyAR) and step.rule == Rules.AR_DIST
    assert set(step.premises) == set(given)
    assert st.derive(RCONST, ("a", "d", "a", "b", "4", "1")) is None  # true here, not implied
    off = ProofState(_line(0.0, 1.0, 3.0, 4.0), AR_TABLES - {"dist"})
    for f in given:
        off.add(f, Derivation(Rules.GIVEN, ()))
    assert off.derive(CONG, ("a", "c", "b", "d")) is None


def test_a_midpoint_of_midpoints_follows_by_distances():
    st = ProofState(_line(0.0, 2.0, 6.0, 1.0))  # d: midpoint of ab, and of the whole
    st.add(Fact.make(MIDP, ("d", "a", "b")), Derivation(Rules.GIVEN, ()))
    st.add(Fact.make(COLL, ("a", "b", "c", "d")), Derivation(Rules.GIVEN, ()))
    st.add(Fact.make(CONG, ("a", "b", "b", "c")), Derivation(Rules.GIVEN, ()))
    assert st.derive(RCONST, ("d", "c", "a", "c", "3", "4")) is not None  # 3/2 ab : 2 ab


DIST_PROBLEMS = [
    "a b = segment a b; c = on_line c a b; m = midpoint m a b; n = midpoint n b c; "
    "p = midpoint p a c ? cong a m a m",
    "a b = segment a b; c = on_line c a b; d = on_line d a b, eqdistance d c a b; "
    "e = on_line e a b, eqdistance e d a c ? cong a b a b",
]


@pytest.mark.parametrize("text", DIST_PROBLEMS)
def test_distance_chase_conclusions_hold_on_fresh_drawings(text):
    """The whole closure's distance-chase facts: none is false on every fresh drawing with
    the same configuration (the oracle of the differential tests)."""
    problem = parse_problem(text, name="dist")
    coords = build_diagram(problem, np.random.default_rng(3)).coords
    run = saturate(problem, coords, DDARConfig(deadline=time.monotonic() + 30))
    st = run.state
    for a, b, c, d in _segment_pairs(problem.points):  # ask every equal pair: the table answers
        if CONG.holds((a, b, c, d), coords):
            st.derive(CONG, (a, b, c, d))
    chased = [(f.pred, f.args) for f, d in st.facts.items() if d.rule == Rules.AR_DIST]
    assert len(chased) >= 2
    assert refuted(chased, coords, problem, 11) is None


def _segment_pairs(points):
    segs = [(a, b) for i, a in enumerate(points) for b in points[i + 1:]]
    return [s + t for i, s in enumerate(segs) for t in segs[i + 1:]]


def test_squared_equations_hold_numerically_and_agree_with_the_checker():
    """Every squared-length equation of cong, rconst and perp is true on a drawing where the
    fact holds, and is the one the independent checker restates (up to a factor)."""
    from symbolic.geometry.checker import meaning as M
    from symbolic.geometry.predicates import PERP

    rng = np.random.default_rng(5)
    for _ in range(20):
        a, b, c = rng.normal(size=(3, 2))
        u = b - a
        d = c + rng.normal() * np.array([-u[1], u[0]])  # cd ⊥ ab
        e = a + 1.5 * (b - a)  # ae : ab = 3 : 2, and ae = cf
        f = c + np.linalg.norm(e - a) * np.array([1.0, 0.0])
        coords = dict(zip("abcdef", (a, b, c, d, e, f)))
        st = ProofState(coords, AR_TABLES)
        coords["m"] = (b + c) / 2
        for pred, args in [(PERP, ("a", "b", "c", "d")), (PERP, ("a", "b", "a", "c")),
                           (RCONST, ("a", "e", "a", "b", "3", "2")), (CONG, ("a", "e", "c", "f")),
                           (MIDP, ("m", "b", "c"))]:
            if not pred.holds(args, coords):
                continue
            fact = Fact.make(pred, args)
            exprs = [e for t, e in st.equations(fact) if t == "squared"]
            theirs = M.squared_equations((fact.pred.name, fact.args), coords)
            assert len(exprs) == len(theirs) >= 1
            for expr, their in zip(exprs, theirs, strict=True):
                value = sum(k * float(np.sum((coords[x] - coords[y]) ** 2))
                            for (_, x, y), k in expr.items())
                assert abs(value) < 1e-9
                mine = {f"q({x},{y})": k for (_, x, y), k in expr.items()}
                assert M._scaled(their, mine, False)


def test_right_angles_at_named_points_are_found_on_the_diagram():
    from symbolic.geometry.numeric_index import NumericIndex

    coords = {"a": np.array([0.0, 0.0]), "b": np.array([2.0, 0.0]), "c": np.array([0.0, 1.0]),
              "d": np.array([2.0, 1.0]), "e": np.array([1.0, 2.5])}
    assert sorted(NumericIndex(coords).right_angles()) == [
        ("a", "b", "d"), ("a", "c", "d"), ("b", "a", "c"), ("b", "d", "c")]


def _right_angles_point_by_point(ix):
    """``NumericIndex.right_angles`` as first written: one point at a time, with a matrix
    product for the cosines."""
    out = []
    for k, p in enumerate(ix.names):
        v = ix.xy - ix.xy[k]
        norm = np.hypot(v[:, 0], v[:, 1])
        ok = norm >= 1e-6
        u = v / np.where(ok, norm, 1.0)[:, None]
        cos = np.abs(u @ u.T)
        i, j = np.nonzero(np.triu(cos < 1e-6, 1) & ok[:, None] & ok[None, :])
        out += [(ix.names[a], p, ix.names[b]) for a, b in zip(i, j)]
    return out


def test_right_angles_for_all_points_at_once_are_those_point_by_point():
    """Same right angles in the same order, on a lattice (many right angles, coincident
    points) and random figures with feet of perpendiculars."""
    from symbolic.geometry.numeric_index import NumericIndex

    lattice = {f"p{x}{y}": np.array([x, y], dtype=float) for x in range(4) for y in range(3)}
    lattice["q"] = lattice["p11"].copy()
    figures = [lattice]
    rng = np.random.default_rng(5)
    for _ in range(5):
        pts = {chr(97 + i): rng.normal(size=2) for i in range(8)}
        a, b, c = pts["a"], pts["b"], pts["c"]
        t = np.dot(c - a, b - a) / np.dot(b - a, b - a)
        pts["z"] = a + t * (b - a)  # the foot of c on ab
        figures.append(pts)
    for coords in figures:
        ix = NumericIndex(coords)
        assert ix.right_angles() == _right_angles_point_by_point(ix)
    assert len(NumericIndex(lattice).right_angles()) > 30


def _rational_ratios_by_bisection(ix, max_term=4):
    """``NumericIndex.rational_ratios`` as first written: two bisections per segment."""
    import bisect
    import math
    from fractions import Fraction
    from itertools import combinations

    segs = [(a, b) for a, b in combinations(ix.names, 2) if ix.dist[(a, b)] > 1e-6]
    logs = sorted((math.log(ix.dist[s]), s) for s in segs)
    values = [v for v, _ in logs]
    out = []
    for fr in sorted({Fraction(p, q) for q in range(1, max_term + 1) for p in range(1, q + 1)}):
        shift = math.log(fr.denominator / fr.numerator)
        for v, (a, b) in logs:
            lo = bisect.bisect_left(values, v + shift - 1e-7)
            hi = bisect.bisect_right(values, v + shift + 1e-7)
            for _, (c, d) in logs[lo:hi]:
                if (a, b) == (c, d) or (fr == 1 and (c, d) < (a, b)):
                    continue
                out.append((a, b, c, d, fr.numerator, fr.denominator))
    return out


def test_rational_ratios_found_at_once_are_those_of_the_bisections():
    from symbolic.geometry.numeric_index import NumericIndex

    lattice = {f"p{x}{y}": np.array([x, y], dtype=float) for x in range(4) for y in range(3)}
    rng = np.random.default_rng(2)
    figures = [lattice, {chr(97 + i): rng.normal(size=2) for i in range(9)}]
    for coords in figures:
        ix = NumericIndex(coords)
        assert ix.rational_ratios() == _rational_ratios_by_bisection(ix)
    assert {r[4:] for r in NumericIndex(lattice).rational_ratios()} == {(1, 1), (1, 2), (1, 3),
                                                                         (2, 3)}


def test_feet_of_perpendiculars_are_equidistant_from_the_midpoint_by_squared_lengths():
    """JGEX E051-14-1 (and L053-1): the midpoint of ab, and the feet f, g of a and b on cd:
    ef = eg. Pythagoras at f and g and the medians ef, eg (Apollonius) give it at once."""
    problem = parse_problem("a b c d = quadrangle a b c d; e = midpoint e b a; f = foot f a c d;"
                            " g = foot g b c d ? cong e f e g", name="feet")
    assert not prove(problem, ProverConfig(ar_tables=AR_TABLES - {"squared"})).proved
    outcome = prove(problem, ProverConfig(timeout=30))
    assert outcome.proved
    assert outcome.proof.steps[-1].derivation.rule == Rules.AR_SQUARED


SQUARED_PROBLEMS = [
    "a b c d = quadrangle a b c d; e = midpoint e b a; f = foot f a c d; g = foot g b c d "
    "? cong a b a b",
    "a b c = triangle a b c; h = on_tline h a b c, on_tline h b a c; d = foot d c a b "
    "? cong a b a b",
    "a b c = triangle a b c; o = circle o a b c; d = on_tline d o a b; e = on_tline e c a b "
    "? cong a b a b",
]


@pytest.mark.parametrize("text", SQUARED_PROBLEMS)
def test_squared_chase_conclusions_hold_on_fresh_drawings(text):
    from symbolic.geometry.predicates import PERP

    problem = parse_problem(text, name="squared")
    coords = build_diagram(problem, np.random.default_rng(4)).coords
    bare = dataclasses.replace(problem, goal=Atom(COLL, problem.points[:3]))  # whole closure
    run = saturate(bare, coords, DDARConfig(deadline=time.monotonic() + 30, ar_tables=AR_TABLES))
    st = run.state
    for a, b, c, d in _segment_pairs(problem.points):  # the table answers what it is asked
        for pred in (CONG, PERP):
            if pred.holds((a, b, c, d), coords):
                st.derive(pred, (a, b, c, d))
    chased = [(f.pred, f.args) for f, d in st.facts.items() if d.rule == Rules.AR_SQUARED]
    assert chased
    assert refuted(chased, coords, problem, 13) is None


def test_a_midpoint_speaks_of_the_points_a_continuation_adds():
    """Continuing from a closure, the points a child adds get their medians to the parent's
    midpoints too: the child knows what a fresh run knows."""
    parent = parse_problem("a b c d = quadrangle a b c d; e = midpoint e b a; f = foot f a c d"
                           " ? cong a b a b", name="parent")
    child = parse_problem(parent.text().split(" ?")[0] + "; g = foot g b c d ? cong e f e g",
                          name="child")
    coords = build_diagram(child, np.random.default_rng(2)).coords
    config = DDARConfig(deadline=time.monotonic() + 30, ar_tables=AR_TABLES)

    def bare(problem):
        return dataclasses.replace(problem, goal=Atom(COLL, ("a", "b", "c")))

    first = saturate(bare(parent), {p: coords[p] for p in parent.points}, config)
    assert first.goal is None and first.state.derive(MIDP, ("e", "a", "b")) is not None
    then = saturate(bare(child), coords, config, parent=first.saturation)
    fresh = saturate(bare(child), coords, config)
    assert fresh.state.derive(CONG, ("e", "f", "e", "g")) is not None
    assert then.state.derive(CONG, ("e", "f", "e", "g")) is not None
