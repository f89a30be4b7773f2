"""The memory: SPARQL over stored proofs, persistence in Oxigraph, retrieval ranking."""

from __future__ import annotations

from collections import Counter

import pytest

pytest.importorskip("rdflib")

from kg.memory import Memory, auxiliary_clauses, signature, similarity  # noqa: E402
from symbolic.geometry.problem import parse_problem  # noqa: E402


def test_auxiliary_clauses_are_the_used_aux_points(solved):
    s = solved["bisector_feet_aux"]
    assert auxiliary_clauses(s.problem, s.proof) == [3]
    assert auxiliary_clauses(solved["midline"].problem, solved["midline"].proof) == []


def test_sparql_rules_used_by_goal_kind(solved):
    m = Memory()
    for s in solved.values():
        m.add(s.problem, s.proof)
    for goal, names in (("perp", ("thales",)), ("para", ("bisector_feet_aux", "midline"))):
        want = Counter(st.derivation.rule for name in names for st in solved[name].proof.steps)
        assert dict(m.rules_for_goal(goal)) == dict(want)
    assert m.rules_for_goal("cong") == []
    rows = m.query("SELECT ?name WHERE { ?p a ns:Problem ; ns:name ?name ; ns:auxiliary ?c } ")
    assert rows == [("bisector_feet_aux",)]


def test_persists_across_reopen(tmp_path, solved):
    path = tmp_path / "kg"
    s = solved["bisector_feet_aux"]
    with Memory(path) as m:
        m.add(s.problem, s.proof)
        n = len(m.graph)
    with Memory(path) as m:
        assert len(m.graph) == n
        from kg.proofs import proof_nodes, read_proof

        [node] = proof_nodes(m.graph)
        assert read_proof(m.graph, node) == s.proof
        assert [c.text() for c in m.candidates(s.problem)] == \
            ["f = on_line f b d, on_line f a e"]  # x renamed to the first free letter


def test_export_turtle_parses(tmp_path, solved):
    from rdflib import Graph

    m = Memory(theory=True)
    m.add(solved["euler"].problem, solved["euler"].proof)
    out = m.export(tmp_path / "out.ttl")
    g = Graph()
    g.parse(out, format="turtle")
    assert len(g) == len(m.graph)


def test_similarity_is_goal_then_constructions():
    a = ("perp", Counter({"triangle": 1, "on_tline": 2}))
    assert similarity(a, a) == 1.0
    assert similarity(a, ("para", a[1])) == 0.5
    assert similarity(a, ("perp", Counter({"triangle": 1}))) == pytest.approx(0.5 + 0.5 / 3)


def test_retrieval_ranks_and_renames():
    m = Memory()
    # orthocenter-like: aux point on two lines; a midpoint problem with a different aux point
    m.add(parse_problem("a b c = triangle; d = on_tline d b a c, on_tline d c a b; "
                        "e = on_line e a c, on_line e b d ? perp a d b c", "ortho"),
          auxiliary=[2])
    m.add(parse_problem("a b c = triangle; d = midpoint d a b; e = midpoint e b c "
                        "? cong a d d b", "mid"), auxiliary=[2])
    new = parse_problem("x y z = triangle; w = on_tline w y x z, on_tline w z x y "
                        "? perp x w y z", "new")
    assert signature(new) == ("perp", Counter({"triangle": 1, "on_tline": 2}))
    cands = m.candidates(new)
    assert [c.source for c in cands] == ["ortho", "mid"]
    assert cands[0].text() == "a = on_line a x z, on_line a y w"
    assert cands[0].score == 1.0 and cands[0].score > cands[1].score
    assert cands[1].text() == "a = midpoint a y z"
    for c in cands:  # every proposal is a well-formed clause over existing points
        parse_problem(f"{'; '.join(map(str, new.clauses))}; {c.text()} ? {new.goal}")
        assert new.with_auxiliary(c.clauses).clauses[-1] == new.parse_clause(c.text())
    assert m.candidates(new, k=1) == cands[:1]


def test_retrieval_skips_proposals_without_counterparts():
    m = Memory()
    m.add(parse_problem("a b c d = quadrangle; e = on_line e a c, on_line e b d "
                        "? coll a b e", "quad"), auxiliary=[1])
    new = parse_problem("x y = segment; z = midpoint z x y ? cong x z z y", "new")
    assert m.candidates(new) == []


def test_export_solved_skips_unsolved(tmp_path, solved):
    from rdflib import Graph

    from kg.memory import export_solved

    s = solved["thales"]
    out = export_solved([(s.problem, s.proof), (solved["midline"].problem, None)],
                        tmp_path / "out.ttl", theory=False)
    g = Graph().parse(out, format="turtle")
    names = {str(n) for (n,) in g.query("SELECT ?n WHERE { ?p a ns:Problem ; ns:name ?n }",
                                        initNs={"ns": "urn:neurosym:kg#"})}
    assert names == {"thales"}
