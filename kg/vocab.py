"""The one RDF vocabulary of the knowledge graph (namespace ``NS``, prefix ``ns``).

Classes: ``Construction``, ``Rule``, ``Predicate``, ``Atom`` (a predicate applied to argument
names, used in rules and construction definitions), ``Problem``, ``Clause``, ``Proof``,
``Step``, ``Fact``, ``Point``, ``Certificate`` and ``Term`` (an AR linear combination).

Ordered things (an atom's arguments, a rule's or step's premises, certificate terms) are
``rdf:List`` values of the ``...List`` properties; the unordered properties beside them
(``premise``, ``argument``) say the same without order, for SPARQL.
"""

from __future__ import annotations

from urllib.parse import quote

from rdflib import Namespace, URIRef

NS = Namespace("urn:neurosym:kg#")
PREFIX = "ns"

# classes
Construction = NS["Construction"]
Rule = NS["Rule"]
Predicate = NS["Predicate"]
Atom = NS["Atom"]
Problem = NS["Problem"]
Clause = NS["Clause"]
Proof = NS["Proof"]
Step = NS["Step"]
Fact = NS["Fact"]
Point = NS["Point"]
Certificate = NS["Certificate"]
Term = NS["Term"]
Arm = NS["Arm"]                      # a proposal source and construction kind (ranking)

# properties: names and text
name = NS["name"]                    # any -> literal: the thing's own name ("r04", "foot", "a")
text = NS["text"]                    # any -> literal: AlphaGeometry-language text of the thing
readable = NS["readable"]            # Fact -> literal: human-readable statement

# atoms, facts and predicates
predicate = NS["predicate"]          # Atom/Fact -> Predicate
argumentList = NS["argumentList"]    # Atom/Fact -> rdf:List of literals (ordered)
argument = NS["argument"]            # Atom/Fact -> literal (each argument, unordered)

# constructions
newPoint = NS["newPoint"]            # Construction -> literal (formal point it creates)
inputPoint = NS["inputPoint"]        # Construction -> literal (formal point it needs)
prerequisite = NS["prerequisite"]    # Construction -> Atom (checked on the diagram)
asserts = NS["asserts"]              # Construction -> Atom (premise it adds to the proof state)
sketch = NS["sketch"]                # Construction -> Atom (a locus drawn)

# rules and steps
ruleId = NS["ruleId"]                # Rule/Step -> literal: "r04", or "angle chase", "given"...
premise = NS["premise"]              # Rule -> Atom, Step -> Fact (unordered)
premiseList = NS["premiseList"]      # Rule/Step -> rdf:List of Atom/Fact (ordered)
conclusion = NS["conclusion"]        # Rule -> Atom, Step -> Fact
usesRule = NS["usesRule"]            # Step -> Rule (table rules only)
index = NS["index"]                  # Step/Term -> integer position (1-based for steps)
level = NS["level"]                  # Step -> integer DD level
binding = NS["binding"]              # Step -> literal "variable=point" of the rule instance

# AR certificates
certificate = NS["certificate"]      # Step -> Certificate
table = NS["table"]                  # Certificate -> literal: "angle" / "ratio" / "dist"
target = NS["target"]                # Certificate -> literal linear expression
term = NS["term"]                    # Certificate -> Term
source = NS["source"]                # Term -> Fact (the premise whose equation is used)
equation = NS["equation"]            # Term -> literal linear expression
coefficient = NS["coefficient"]      # Term -> literal exact fraction ("-1/2")

# problems and proofs
goal = NS["goal"]                    # Problem/Proof -> Atom/Fact
goalPredicate = NS["goalPredicate"]  # Problem -> Predicate
clause = NS["clause"]                # Problem -> Clause
usesConstruction = NS["usesConstruction"]  # Clause -> Construction
point = NS["point"]                  # Problem -> Point, Clause -> Point (created)
auxiliary = NS["auxiliary"]          # Problem -> Clause: an auxiliary construction that worked
auxiliaryPoint = NS["auxiliaryPoint"]  # Proof -> Point
signature = NS["signature"]          # Problem -> literal: construction/goal signature
problem = NS["problem"]              # Proof -> Problem
given = NS["given"]                  # Proof -> Fact (given by the problem's constructions)
givenList = NS["givenList"]          # Proof -> rdf:List of the given facts (ordered)
auxiliaryPointList = NS["auxiliaryPointList"]  # Proof -> rdf:List of auxiliary point names
byConstruction = NS["byConstruction"]  # Fact -> literal: the construction that gives it
step = NS["step"]                    # Proof -> Step
proof = NS["proof"]                  # Problem -> Proof
stepCount = NS["stepCount"]          # Proof -> integer
trials = NS["trials"]                # Arm -> integer: candidates of the arm the search tried
successes = NS["successes"]          # Arm -> integer: of which closed a proof


def iri(*parts: str) -> URIRef:
    """An IRI in the namespace from path parts (each percent-encoded)."""
    return URIRef(str(NS) + "/".join(quote(p, safe="") for p in parts))


def predicate_iri(pred: str) -> URIRef:
    return iri("predicate", pred)


def rule_iri(rule_id: str) -> URIRef:
    return iri("rule", rule_id)


def construction_iri(cname: str) -> URIRef:
    return iri("construction", cname)


def bind(graph) -> None:
    """Bind the ``ns`` prefix (readable Turtle and SPARQL)."""
    graph.bind(PREFIX, NS)
