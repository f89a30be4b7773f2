"""Proofs as RDF and back.

A checked ``Proof`` becomes an ``ns:Proof`` node with its problem, goal, given facts (each with
the construction that gives it), auxiliary points, and ordered ``ns:Step`` nodes: rule id (and
a link to the ``ns:Rule`` for table rules), ordered premises, conclusion, DD level, the rule
instance's bindings, and for AR steps the exact certificate (target equation, and each term's
source fact, equation and coefficient). ``read_proof`` rebuilds the ``Proof`` so that it can be
re-checked with ``check_proof``.

Facts are nodes scoped to their proof (``<proof>/fact/<fact>``): the same statement in two
problems is about different points.
"""

from __future__ import annotations

import hashlib
from fractions import Fraction

from rdflib import RDF, Graph, Literal, URIRef
from rdflib.collection import Collection
from rdflib.term import Node

from symbolic.geometry.facts import ARCertificate, Derivation, Fact
from symbolic.geometry.predicates import predicate
from symbolic.geometry.proof import Proof, ProofStep
from symbolic.geometry.state import PI, pi_coefficient, pi_multiple

from . import vocab as V
from .theory import add_predicates

# ------------------------------------------------------------------ AR expressions as text


def var_text(var: object) -> str:
    """An AR variable as text: ``PI``, ``d:a:b`` (direction), ``l:a:b`` (log length),
    ``s:a:b`` (length), ``log:2`` (log of a prime)."""
    if isinstance(var, tuple):
        return ":".join(str(x) for x in var)
    return str(var)


def parse_var(text: str) -> object:
    parts = text.split(":")
    if len(parts) == 1:
        return text
    if parts[0] == "log":
        return ("log", int(parts[1]))
    return tuple(parts)


def expr_text(expr) -> str:
    """A linear expression (pairs of variable and coefficient) as ``var*coef`` terms; the
    coefficient of ``PI`` as a multiple of pi."""
    return " ".join(f"{var_text(v)}*{pi_multiple(c) if v == PI else Fraction(c)}"
                    for v, c in expr)


def parse_expr(text: str) -> tuple[tuple[object, Fraction], ...]:
    out: list[tuple[object, Fraction]] = []
    for item in text.split():
        v, _, c = item.rpartition("*")
        var, k = parse_var(v), Fraction(c)
        out.append((var, pi_coefficient(k) if var == PI else k))
    return tuple(out)


# ------------------------------------------------------------------ writing


def proof_key(proof: Proof) -> str:
    """A stable id for a proof: a hash of its problem name and its text."""
    return hashlib.sha1((proof.problem + "\n" + proof.text()).encode()).hexdigest()[:16]


def _fact(graph: Graph, base: str, fact: Fact) -> URIRef:
    node = URIRef(f"{base}/fact/" + V.iri(str(fact))[len(str(V.NS)):])
    if (node, RDF.type, V.Fact) in graph:
        return node
    graph.add((node, RDF.type, V.Fact))
    graph.add((node, V.predicate, V.predicate_iri(fact.pred.name)))
    graph.add((node, V.text, Literal(str(fact))))
    graph.add((node, V.readable, Literal(fact.text())))
    lst = URIRef(f"{node}/args")
    Collection(graph, lst, [Literal(a) for a in fact.args])
    graph.add((node, V.argumentList, lst))
    for a in fact.args:
        graph.add((node, V.argument, Literal(a)))
    return node


def add_proof(graph: Graph, proof: Proof, problem_node: URIRef | None = None) -> URIRef:
    """Add ``proof`` to ``graph``; its node (``ns:proof/<key>``). Idempotent."""
    node = V.iri("proof", proof_key(proof))
    if (node, RDF.type, V.Proof) in graph:
        return node
    base = str(node)
    facts = {proof.goal} | {f for f, _ in proof.given} | {s.conclusion for s in proof.steps}
    add_predicates(graph, sorted({f.pred.name for f in facts}))
    graph.add((node, RDF.type, V.Proof))
    graph.add((node, V.name, Literal(proof.problem)))
    graph.add((node, V.stepCount, Literal(len(proof.steps))))
    graph.add((node, V.goal, _fact(graph, base, proof.goal)))
    if problem_node is not None:
        graph.add((node, V.problem, problem_node))
    given: list[Node] = []
    for f, constr in proof.given:
        fn = _fact(graph, base, f)
        given.append(fn)
        graph.add((node, V.given, fn))
        graph.add((fn, V.byConstruction, Literal(constr)))
    Collection(graph, URIRef(f"{base}/given"), given)
    graph.add((node, V.givenList, URIRef(f"{base}/given")))
    for p in proof.auxiliary_points:
        graph.add((node, V.auxiliaryPoint, Literal(p)))
    aux = URIRef(f"{base}/auxiliary")
    Collection(graph, aux, [Literal(p) for p in proof.auxiliary_points])
    graph.add((node, V.auxiliaryPointList, aux))
    for i, s in enumerate(proof.steps, start=1):
        graph.add((node, V.step, _step(graph, base, i, s)))
    return node


def _step(graph: Graph, base: str, i: int, s: ProofStep) -> URIRef:
    d = s.derivation
    node = URIRef(f"{base}/step/{i}")
    graph.add((node, RDF.type, V.Step))
    graph.add((node, V.index, Literal(i)))
    graph.add((node, V.ruleId, Literal(d.rule)))
    graph.add((node, V.level, Literal(d.level)))
    if d.is_table_rule:
        graph.add((node, V.usesRule, V.rule_iri(d.rule)))
    prem: list[Node] = [_fact(graph, base, p) for p in d.premises]
    for p in prem:
        graph.add((node, V.premise, p))
    lst = URIRef(f"{node}/premises")
    Collection(graph, lst, prem)
    graph.add((node, V.premiseList, lst))
    graph.add((node, V.conclusion, _fact(graph, base, s.conclusion)))
    for var, pt in d.mapping:
        graph.add((node, V.binding, Literal(f"{var}={pt}")))
    if d.certificate is not None:
        graph.add((node, V.certificate, _certificate(graph, base, str(node), d.certificate)))
    return node


def _certificate(graph: Graph, base: str, step: str, cert: ARCertificate) -> URIRef:
    node = URIRef(f"{step}/certificate")
    graph.add((node, RDF.type, V.Certificate))
    graph.add((node, V.table, Literal(cert.table)))
    graph.add((node, V.target, Literal(expr_text(cert.target))))
    for k, (src, eq, coef) in enumerate(cert.terms):
        t = URIRef(f"{node}/term/{k}")
        graph.add((node, V.term, t))
        graph.add((t, RDF.type, V.Term))
        graph.add((t, V.index, Literal(k)))
        graph.add((t, V.source, _fact(graph, base, src)))
        graph.add((t, V.equation, Literal(expr_text(eq))))
        graph.add((t, V.coefficient, Literal(str(Fraction(coef)))))
    return node


# ------------------------------------------------------------------ reading


def read_fact(graph: Graph, node) -> Fact:
    pred = str(graph.value(graph.value(node, V.predicate), V.name))
    args = tuple(str(a) for a in Collection(graph, graph.value(node, V.argumentList)))
    return Fact(predicate(pred), args)


def _int(graph: Graph, node, prop) -> int:
    return int(graph.value(node, prop).toPython())


def read_proof(graph: Graph, node) -> Proof:
    """Rebuild the ``Proof`` stored at ``node``."""
    given = tuple((read_fact(graph, fn), str(graph.value(fn, V.byConstruction)))
                  for fn in Collection(graph, graph.value(node, V.givenList)))
    steps = sorted(graph.objects(node, V.step), key=lambda s: _int(graph, s, V.index))
    aux = tuple(str(p) for p in Collection(graph, graph.value(node, V.auxiliaryPointList)))
    return Proof(str(graph.value(node, V.name)), read_fact(graph, graph.value(node, V.goal)),
                 given, tuple(_read_step(graph, s) for s in steps), aux)


def _read_step(graph: Graph, node) -> ProofStep:
    premises = tuple(read_fact(graph, p)
                     for p in Collection(graph, graph.value(node, V.premiseList)))
    mapping = tuple(sorted((var, point) for var, point in (
        str(b).split("=", 1) for b in graph.objects(node, V.binding))))
    cnode = graph.value(node, V.certificate)
    cert = None
    if cnode is not None:
        terms = sorted(graph.objects(cnode, V.term), key=lambda t: _int(graph, t, V.index))
        cert = ARCertificate(
            str(graph.value(cnode, V.table)), parse_expr(str(graph.value(cnode, V.target))),
            tuple((read_fact(graph, graph.value(t, V.source)),
                   parse_expr(str(graph.value(t, V.equation))),
                   Fraction(str(graph.value(t, V.coefficient)))) for t in terms))
    d = Derivation(str(graph.value(node, V.ruleId)), premises, _int(graph, node, V.level),
                   mapping, cert)
    return ProofStep(read_fact(graph, graph.value(node, V.conclusion)), d)


def proof_nodes(graph: Graph) -> list[URIRef]:
    """Every proof node in ``graph``, sorted."""
    return sorted(graph.subjects(RDF.type, V.Proof))  # type: ignore[arg-type]
