"""The theory graph: the rule table round-trips, and SPARQL sees rules as structure."""

from __future__ import annotations

import pytest

pytest.importorskip("rdflib")

from kg import vocab as V  # noqa: E402
from kg.store import open_graph  # noqa: E402
from kg.theory import add_theory, read_rules  # noqa: E402
from symbolic.geometry.tables import definitions, rules  # noqa: E402


@pytest.fixture(scope="module")
def theory():
    return add_theory(open_graph())


def test_rule_table_round_trips(theory):
    assert read_rules(theory) == tuple(sorted(rules(), key=lambda r: r.id))


def test_every_construction_is_a_node(theory):
    from rdflib import RDF

    names = {str(theory.value(c, V.name)) for c in theory.subjects(RDF.type, V.Construction)}
    assert names == set(definitions())


def test_sparql_rules_concluding_cyclic_from_eqangle(theory):
    rows = theory.query("""
        SELECT DISTINCT ?id WHERE {
          ?r a ns:Rule ; ns:ruleId ?id ; ns:conclusion/ns:predicate/ns:name "cyclic" ;
             ns:premise/ns:predicate/ns:name ?p .
          FILTER(STRSTARTS(?p, "eqangle"))
        } ORDER BY ?id""")
    ids = [str(r[0]) for r in rows]
    want = sorted(r.id for r in rules() if r.conclusion.name == "cyclic"
                  and any(a.name.startswith("eqangle") for a in r.premises))
    assert ids == want and ids


def test_adding_theory_twice_is_idempotent(theory):
    n = len(theory)
    add_theory(theory)
    assert len(theory) == n
