"""The theory as RDF: the construction table and the rule table of the geometry prover.

Every rule is ``ns:rule/<id>`` with its id, an ordered premise list and a conclusion, each an
``ns:Atom`` node (predicate + ordered arguments), so SPARQL can ask which rules conclude
``cong`` or use ``cyclic`` premises. ``read_rules`` rebuilds the table from a graph (tested
against the shipped table).
"""

from __future__ import annotations

from rdflib import RDF, RDFS, Graph, Literal, URIRef
from rdflib.collection import Collection
from rdflib.term import Node

from symbolic.geometry import tables
from symbolic.geometry.predicates import PREDICATES, predicate

from . import vocab as V
from .store import required


def add_atom(graph: Graph, node: URIRef, atom: tables.Atom | tables.Sketch) -> URIRef:
    """Describe ``atom`` at ``node``: an ns:Atom with its predicate (or locus, for a sketch)
    and ordered arguments."""
    if (node, RDF.type, V.Atom) in graph:
        return node
    graph.add((node, RDF.type, V.Atom))
    graph.add((node, V.predicate, V.predicate_iri(atom.name)))
    graph.add((node, V.text, Literal(str(atom))))
    lst = URIRef(str(node) + "/args")
    Collection(graph, lst, [Literal(a) for a in atom.args])
    graph.add((node, V.argumentList, lst))
    for a in atom.args:
        graph.add((node, V.argument, Literal(a)))
    return node


def read_atom(graph: Graph, node) -> tables.Atom:
    pred = graph.value(node, V.predicate)
    name = str(graph.value(pred, V.name))
    args = tuple(str(a) for a in Collection(graph, graph.value(node, V.argumentList)))
    return tables.Atom(predicate(name), args)


def add_predicates(graph: Graph, names) -> None:
    for name in names:
        p = V.predicate_iri(name)
        graph.add((p, RDF.type, V.Predicate))
        graph.add((p, V.name, Literal(name)))
        graph.add((p, RDFS.label, Literal(name)))


def add_rules(graph: Graph, rules: tuple[tables.Rule, ...] | None = None) -> None:
    rules = tables.rules() if rules is None else rules
    names = {a.name for r in rules for a in r.premises + (r.conclusion,)}
    add_predicates(graph, sorted(names))
    for r in rules:
        node = V.rule_iri(r.id)
        if (node, RDF.type, V.Rule) in graph:
            continue
        graph.add((node, RDF.type, V.Rule))
        graph.add((node, V.ruleId, Literal(r.id)))
        graph.add((node, V.name, Literal(r.id)))
        graph.add((node, V.text, Literal(str(r))))
        prem: list[Node] = [add_atom(graph, URIRef(f"{node}/premise/{i}"), a)
                            for i, a in enumerate(r.premises)]
        for p in prem:
            graph.add((node, V.premise, p))
        lst = URIRef(f"{node}/premises")
        Collection(graph, lst, prem)
        graph.add((node, V.premiseList, lst))
        graph.add((node, V.conclusion, add_atom(graph, URIRef(f"{node}/conclusion"),
                                                r.conclusion)))


def read_rules(graph: Graph) -> tuple[tables.Rule, ...]:
    """The rule table stored in ``graph``, sorted by id."""
    out = []
    for node in graph.subjects(RDF.type, V.Rule):
        rid = str(graph.value(node, V.ruleId))
        prem = tuple(read_atom(graph, a)
                     for a in Collection(graph, required(graph, node, V.premiseList)))
        out.append(tables.Rule(rid, prem, read_atom(graph, graph.value(node, V.conclusion))))
    return tuple(sorted(out, key=lambda r: r.id))


def add_constructions(graph: Graph, defs: dict[str, tables.Construction] | None = None) -> None:
    defs = tables.definitions() if defs is None else defs
    names = {a.name for c in defs.values()
             for a in c.prerequisites + c.premises if a.name in PREDICATES}
    add_predicates(graph, sorted(names))
    for c in defs.values():
        node = V.construction_iri(c.name)
        if (node, RDF.type, V.Construction) in graph:
            continue
        graph.add((node, RDF.type, V.Construction))
        graph.add((node, V.name, Literal(c.name)))
        graph.add((node, V.text, Literal(" ".join((c.name,) + c.args))))
        lst = URIRef(f"{node}/args")
        Collection(graph, lst, [Literal(a) for a in c.args])
        graph.add((node, V.argumentList, lst))
        for p in c.new_points:
            graph.add((node, V.newPoint, Literal(p)))
        for p in c.inputs:
            graph.add((node, V.inputPoint, Literal(p)))
        for i, a in enumerate(c.prerequisites):
            graph.add((node, V.prerequisite,
                       add_atom(graph, URIRef(f"{node}/prerequisite/{i}"), a)))
        for g, group in enumerate(c.premise_groups):
            for i, a in enumerate(group):
                graph.add((node, V.asserts,
                           add_atom(graph, URIRef(f"{node}/asserts/{g}/{i}"), a)))
        for i, sk in enumerate(c.sketches):
            graph.add((node, V.sketch, add_atom(graph, URIRef(f"{node}/sketch/{i}"), sk)))


def add_theory(graph: Graph) -> Graph:
    """Add the shipped construction and rule tables to ``graph`` (idempotent)."""
    add_constructions(graph)
    add_rules(graph)
    return graph
