"""The law of sines in the ratio table (#17): r59 states ``sines A B C`` for every triangle
(AB / sin C = BC / sin A = CA / sin B, with one variable n(xy,zw) = log |sin ∠(xy,zw)| per
angle), equal angles (``eqangle``, either pairing) and known ones (``perp``, ``aconst``)
state the sines' variables, and ``Saturation._bridge_sines`` records the equal and known
angles of the diagram's triangles that the angle table proves."""

import math
from fractions import Fraction

import numpy as np
import pytest
from rule_ablation import rule as table_rule

from symbolic.geometry.checker import meaning as M
from symbolic.geometry.checker.reading import said
from symbolic.geometry.facts import Fact
from symbolic.geometry.predicates import ACONST, EQANGLE, PERP, SINES
from symbolic.geometry.problem import parse_problem
from symbolic.geometry.proof import equation_json
from symbolic.geometry.prover import ProverConfig, prove
from symbolic.geometry.state import AR_TABLES, SINE, ProofState, sine_var

# c on the perpendicular bisector of ab, d and e on the perpendiculars to ab at b and a,
# c, d, e on one line: c is the midpoint of de. The sines of the equal angles at a and b
# (and the vertical angles at c) give ec = cd with no rule of the table but r59.
MIDPOINT = ("a b = segment a b; c = on_bline c a b; d = on_tline d b a b; "
            "e = on_line e c d, on_tline e a a b ? cong e c c d")


def _value(expr, coords):
    """An equation of the ratio table evaluated on a diagram (logs of lengths, of sines and
    of primes)."""
    total = 0.0
    for var, k in expr.items():
        if var[0] == "l":
            total += float(k) * math.log(np.linalg.norm(coords[var[1]] - coords[var[2]]))
        elif var[0] == "n":
            a, b, c, d = (coords[p] for p in var[1:])
            u, v = b - a, d - c
            sin = abs(u[0] * v[1] - u[1] * v[0]) / (np.linalg.norm(u) * np.linalg.norm(v))
            total += float(k) * math.log(sin)
        else:
            total += float(k) * math.log(var[1])
    return total


def _triangle(rng):
    while True:
        a, b, c = (rng.normal(size=2) * 3 for _ in range(3))
        if abs((b - a)[0] * (c - a)[1] - (b - a)[1] * (c - a)[0]) > 0.5:
            return {"a": a, "b": b, "c": c}


def test_r59_states_the_law_of_sines_on_random_triangles():
    rule = table_rule("r59")
    assert [str(a) for a in rule.premises] == ["ncoll A B C"]
    rng = np.random.default_rng(59)
    for _ in range(100):
        coords = _triangle(rng)
        st = ProofState(coords)
        args = ("a", "b", "c")
        assert SINES.holds(args, coords)
        eqs = st.equations(Fact.make(SINES, args))
        assert len(eqs) == 2 and all(t == SINE for t, _ in eqs)  # fed to the ratio table
        for _, expr in eqs:
            assert abs(_value(expr, coords)) < 1e-9
            assert M.states(("sines", args), "ratio", M.read_equation(
                equation_json(expr.items())), coords)


def test_equal_angles_give_equal_sines_in_both_pairings_and_known_angles_their_sines():
    """Inscribed angles on one arc (∠(pa,pb) = ∠(qa,qb)), a right angle, and 30° and 150°."""
    rng = np.random.default_rng(60)
    for _ in range(50):
        t = rng.uniform(0, 2 * math.pi, size=4)
        a, b, p, q = (np.array([math.cos(x), math.sin(x)]) * 2 for x in t)
        coords = {"a": a, "b": b, "p": p, "q": q}
        args = ("p", "a", "p", "b", "q", "a", "q", "b")
        assert EQANGLE.holds(args, coords)
        st = ProofState(coords)
        sines = [e for t_, e in st.equations(Fact.make(EQANGLE, args))
                 if any(v[0] == "n" for v in e)]
        assert len(sines) == 2  # ∠(pa,pb) = ∠(qa,qb) and ∠(pa,qa) = ∠(pb,qb)
        for expr in sines:
            assert abs(_value(expr, coords)) < 1e-9
    coords = {"a": np.array([0.0, 0.0]), "b": np.array([3.0, 0.0]),
              "c": np.array([0.0, 2.0]), "d": np.array([1.0, math.sqrt(3)])}
    st = ProofState(coords)
    (right,) = [e for _, e in st.equations(Fact.make(PERP, ("a", "b", "a", "c")))
                if sine_var("a", "b", "a", "c") in e]
    assert right == {sine_var("a", "b", "a", "c"): 1}  # log |sin 90°| = 0
    for y in ("60", "-120"):  # the directed angle from ab to ad: 60° (mod 180)
        (expr,) = [e for _, e in st.equations(Fact.make(ACONST, ("a", "b", "a", "d", y)))
                   if sine_var("a", "b", "a", "d") in e]
        assert abs(_value(expr, coords)) < 1e-12
        assert expr[("log", 3)] == Fraction(-1, 2) and expr[("log", 2)] == 1


def test_no_sine_for_parallel_lines_or_without_the_sine_table():
    coords = {"a": np.array([0.0, 0.0]), "b": np.array([1.0, 0.0]),
              "c": np.array([0.0, 1.0]), "d": np.array([2.0, 1.0]),
              "e": np.array([1.0, 2.0])}
    st = ProofState(coords)
    # ∠(ab,cd) = 0: the equal angles' first pairing has no logarithm, the other has
    eqs = st.equations(Fact.make(EQANGLE, ("a", "b", "c", "d", "a", "e", "c", "e")))
    sines = [e for _, e in eqs if any(v[0] == "n" for v in e)]
    assert sines == [{sine_var("a", "b", "a", "e"): 1, sine_var("c", "d", "c", "e"): -1}]
    bare = ProofState(coords, AR_TABLES - {SINE})
    assert not [e for _, e in bare.equations(Fact.make(SINES, ("a", "b", "c")))]
    assert all(not any(v[0] == "n" for v in e)
               for _, e in bare.equations(Fact.make(PERP, ("a", "b", "a", "c"))))


def test_equal_sines_never_make_equal_angles():
    """∠(ab,ac) = ∠(de,df) gives the ratio table n(ab,ac) = n(de,df); the opposite angle
    ∠(df,de) has the same sine but is not equal: the table must not derive it (an equation
    labelled "sine" is fed to the ratio table, never read to derive its statement)."""
    from symbolic.geometry.facts import Derivation, Rules

    coords = {"a": np.array([0.0, 0.0]), "b": np.array([2.0, 0.0]), "c": np.array([1.0, 1.5]),
              "d": np.array([5.0, 1.0]), "e": np.array([7.0, 1.0]), "f": np.array([6.0, 2.5])}
    st = ProofState(coords)
    given = Fact.make(EQANGLE, ("a", "b", "a", "c", "d", "e", "d", "f"))
    assert EQANGLE.holds(given.args, coords)
    st.add(given, Derivation(Rules.GIVEN, ()))
    assert st.ratios.residual({sine_var("a", "b", "a", "c"): 1,
                               sine_var("d", "e", "d", "f"): -1}) == {}
    assert st.derive(EQANGLE, ("a", "b", "a", "c", "d", "f", "d", "e")) is None
    assert st.derive(ACONST, ("a", "b", "a", "c", "60")) is None


def test_the_checker_reads_sines_and_refuses_what_they_do_not_state():
    args = ("a", "b", "c")
    text = SINES.text(args)
    assert text == "the law of sines in △abc"
    assert said(text, {"a", "b", "c"}) == [("sines", args)]
    assert M.key(("sines", ("c", "a", "b"))) == M.key(("sines", args))
    c = {"a": (0.0, 0.0), "b": (4.0, 0.0), "c": (1.0, 3.0), "d": (2.0, 3.0)}
    law = M.sines_equations(args)[0]
    assert M.states(("sines", args), "ratio", law, c)
    wrong = dict(law)
    wrong[M.sine("a", "b", "a", "c")] = -wrong[M.sine("a", "b", "a", "c")]
    assert not M.states(("sines", args), "ratio", wrong, c)
    assert not M.states(("sines", args), "ratio", M.sines_equations(("a", "b", "d"))[0], c)
    assert not M.holds(("sines", ("a", "b", "a")), c)
    # a sine of an angle between parallel lines is no statement's
    par = M.sine_equation([(("a", "b", "c", "d"), 1), (("a", "c", "b", "c"), -1)])
    assert not M.states(("eqangle", ("a", "b", "c", "d", "a", "c", "b", "c")), "ratio", par, c)


@pytest.fixture(scope="module")
def midpoint():
    return parse_problem(MIDPOINT, name="sines_midpoint")


def test_the_law_of_sines_proves_a_midpoint_and_the_proof_is_checked(midpoint):
    outcome = prove(midpoint, ProverConfig(timeout=30))
    assert outcome.proved, outcome.stats
    used = {s.derivation.rule for s in outcome.proof.steps}
    assert {"r59", "ratio chase"} <= used
    assert any(s.conclusion.pred is SINES for s in outcome.proof.steps)


def test_without_the_sine_table_or_r59_it_is_not_proved(midpoint):
    assert not prove(midpoint, ProverConfig(timeout=30, ar_tables=AR_TABLES - {SINE})).proved
    from rule_ablation import proved_without

    assert not proved_without(midpoint, "r59")


def test_attempts_leave_the_law_of_sines_to_the_statement_unless_asked():
    """The search's statement feeds the law of sines; an attempt continues from that closure
    with the sine table off (no r59, no bridge: a new point's triangles would cost several
    attempts' time) unless ``attempt_sines`` covers its number of points; what the
    statement's closure holds stays."""
    from reasoner.config import EVERY_ATTEMPT
    from reasoner.search import SearchConfig
    from symbolic.geometry.dd import DDARConfig, Saturation, saturate
    from symbolic.geometry.numeric import build_diagram

    config = SearchConfig()
    assert SINE in config.prover(10).ar_tables
    assert SINE not in config.prover(10, 1).ar_tables
    one = SearchConfig(attempt_sines=1)  # attempts with one point keep it, deeper ones not
    assert SINE in one.prover(10, 1).ar_tables and SINE not in one.prover(10, 2).ar_tables
    every = SearchConfig(attempt_sines=EVERY_ATTEMPT)
    assert all(SINE in every.prover(10, k).ar_tables for k in (0, 1, 6, 40))
    problem = parse_problem(MIDPOINT, name="parent")
    coords = build_diagram(problem, np.random.default_rng(0)).coords
    parent = saturate(problem, coords, DDARConfig())  # proved, its closure kept all the same
    assert parent.saturation.sine_ties and any(f.pred is SINES for f in parent.state.facts)
    child = Saturation(problem, coords, DDARConfig(ar_tables=AR_TABLES - {SINE}),
                       parent.saturation)
    assert SINE not in child.state.enabled and "r59" not in {r.id for r in child.rules}
    assert set(parent.state.facts) <= set(child.state.facts)
    assert child.state.ratios.residual({sine_var("a", "b", "b", "d"): 1}) == {}  # a right angle
