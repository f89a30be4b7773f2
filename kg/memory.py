"""A memory of solved problems and the auxiliary constructions that worked, with retrieval.

``Memory`` keeps, for each solved problem, its text, its clauses (each linked to the
constructions it uses), its goal predicate, its checked proof (see ``kg.proofs``) and which
clauses were auxiliary constructions the proof used. The store is an in-memory rdflib graph by
default or a persistent Oxigraph store at ``path``; ``export`` writes Turtle.

Retrieval (``Memory.candidates``): a problem's *signature* is the multiset of construction
names in its statement clauses (auxiliary clauses excluded) plus its goal predicate. The
similarity of two signatures is ``0.5 * [same goal predicate] + 0.5 * J`` where ``J`` is the
multiset Jaccard index of the construction names (sum of minimum counts over sum of maximum
counts). Stored problems are ranked by similarity (ties by name, then text), and each
contributes its auxiliary clauses, renamed onto the new problem: the stored statement's points
map to the new problem's points by position in construction order (AlphaGeometry names points
``a, b, c, ...`` in that order), the points the auxiliary clauses create get fresh names (the
first letters the new problem does not use, ``Naming.ALPHABETICAL``). A renamed proposal is
kept only if the new problem accepts it (``Problem.with_auxiliary``: every argument an existing
point, prerequisites aside); the same proposal from several sources keeps its best score.
Everything is deterministic.

As a live proposal source of the auxiliary search (``MemoryProposer``, ``source="memory"``)
retrieval runs over a snapshot of the stored problems taken when a problem's search starts,
read from the persistent store without locking it (``Memory(path, read_only=True)``), while
the one writer (``solve-problem --memory``: the batch's parent process) adds each problem as
soon as it is proved (``record_solved``), with the auxiliary clauses it needed and the
search's per-arm trial counts for the ranking (``reasoner.ranking``). A stored problem with
the same statement or name as the one being solved is never proposed to it.
"""

from __future__ import annotations

import hashlib
from collections import Counter
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from rdflib import RDF, Graph, Literal, URIRef

from symbolic.geometry.errors import GeometryError
from symbolic.geometry.problem import Clause, Naming, Problem, parse_problem
from symbolic.geometry.proof import Proof
from symbolic.geometry.proposal import Candidate

from . import vocab as V
from .proofs import add_proof
from .store import Pending, Triple, commit, flush, open_graph
from .theory import add_predicates


def signature(problem: Problem, auxiliary: Sequence[int] = ()) -> tuple[str, Counter[str]]:
    """(goal predicate, multiset of construction names of the non-auxiliary clauses)."""
    names: Counter[str] = Counter()
    for i, c in enumerate(problem.clauses):
        if i not in auxiliary:
            names.update(s.construction.name for s in c.steps)
    return problem.goal.name, names


def similarity(a: tuple[str, Counter[str]], b: tuple[str, Counter[str]]) -> float:
    """0.5 * [same goal predicate] + 0.5 * multiset Jaccard of construction names."""
    union = sum((a[1] | b[1]).values())
    jac = sum((a[1] & b[1]).values()) / union if union else 1.0
    return 0.5 * (a[0] == b[0]) + 0.5 * jac


def signature_text(sig: tuple[str, Counter[str]]) -> str:
    return f"{sig[0]} ? " + " ".join(f"{k}:{n}" for k, n in sorted(sig[1].items()))


def auxiliary_clauses(problem: Problem, proof: Proof | None) -> list[int]:
    """Indices of the clauses that only create auxiliary points (``proof.auxiliary_points``)
    and that the proof uses (one of their constructions gives a fact it starts from)."""
    if proof is None:
        return []
    aux = set(proof.auxiliary_points)
    used = {constr for _, constr in proof.given}
    return [i for i, c in enumerate(problem.clauses)
            if c.points and set(c.points) <= aux and any(str(s) in used for s in c.steps)]


@dataclass(frozen=True)
class _Stored:
    node: URIRef
    name: str
    problem: Problem
    auxiliary: tuple[int, ...]


class Memory:
    """Solved problems, their proofs and the auxiliary constructions that worked.

    Every write (``add``, ``add_trials``, the theory) is committed to the store as one
    transaction, or several as one inside ``with memory.transaction():``; ``wait``: seconds to
    wait for a store another process holds open for writing (then ``StoreLocked``).
    """

    def __init__(self, path: str | Path | None = None, *, theory: bool = False,
                 read_only: bool = False, wait: float = 0.0) -> None:
        self.path = path
        self.graph: Graph = open_graph(path, read_only=read_only, wait=wait)
        self._cache: dict[URIRef, _Stored] = {}
        self._pending: tuple[Pending, list[Triple]] | None = None
        if theory:
            from .theory import add_theory

            with self.transaction() as (g, _):
                add_theory(g)

    # ------------------------------------------------------------------ lifecycle
    def close(self) -> None:
        self.graph.close()

    def __enter__(self) -> Memory:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def flush(self) -> None:
        """Write what was committed to the store's disk files (durable across a crash of the
        machine, not only of the process)."""
        flush(self.graph)

    @contextmanager
    def transaction(self) -> Iterator[tuple[Pending, list[Triple]]]:
        """Collect the writes made inside the block and commit them as one transaction when
        it ends (nothing when it raises); yields (triples to add, triples to remove). Nested
        blocks join the outer one."""
        if self._pending is not None:
            yield self._pending
            return
        self._pending = (Pending(self.graph), [])
        try:
            yield self._pending
            add, remove = self._pending
            commit(self.graph, add, remove)
        finally:
            self._pending = None

    def export(self, path: str | Path) -> Path:
        """Write the whole graph as Turtle to ``path``."""
        path = Path(path)
        path.write_text(self.graph.serialize(format="turtle"), encoding="utf-8")
        return path

    # ------------------------------------------------------------------ writing
    def add(self, problem: Problem, proof: Proof | None = None,
            auxiliary: Sequence[int] | None = None) -> URIRef:
        """Record a solved problem (idempotent). ``auxiliary`` are indices of the clauses that
        were auxiliary constructions; by default those ``auxiliary_clauses`` finds."""
        text = problem.text()
        node = V.iri("problem", hashlib.sha1(text.encode()).hexdigest()[:16])
        aux = sorted(auxiliary_clauses(problem, proof) if auxiliary is None else auxiliary)
        with self.transaction() as (g, _):
            if (node, RDF.type, V.Problem) not in g:
                add_predicates(g, [problem.goal.name])
                g.add((node, RDF.type, V.Problem))
                g.add((node, V.name, Literal(problem.name)))
                g.add((node, V.text, Literal(text)))
                g.add((node, V.goalPredicate, V.predicate_iri(problem.goal.name)))
                g.add((node, V.signature, Literal(signature_text(signature(problem, aux)))))
                for i, c in enumerate(problem.clauses):
                    cn = URIRef(f"{node}/clause/{i}")
                    g.add((cn, RDF.type, V.Clause))
                    g.add((cn, V.index, Literal(i)))
                    g.add((cn, V.text, Literal(str(c))))
                    for p in c.points:
                        g.add((cn, V.point, Literal(p)))
                    for s in c.steps:
                        g.add((cn, V.usesConstruction, V.construction_iri(s.construction.name)))
                    g.add((node, V.clause, cn))
                    if i in aux:
                        g.add((node, V.auxiliary, cn))
            if proof is not None:
                g.add((node, V.proof, add_proof(g, proof, node)))
        return node

    # ------------------------------------------------------------------ queries
    def query(self, sparql: str) -> list[tuple]:
        """Run a SPARQL SELECT (prefix ``ns:`` bound); rows of Python values."""
        rows = self.graph.query(sparql, initNs={V.PREFIX: V.NS})
        return [tuple(None if x is None else x.toPython() for x in row)  # type: ignore[union-attr]
                for row in rows]

    def rules_for_goal(self, predicate: str) -> list[tuple[str, int]]:
        """Which rules (ids, with step counts) the stored proofs of ``predicate`` goals used."""
        q = f"""
        SELECT ?rule (COUNT(?step) AS ?n) WHERE {{
          ?proof a ns:Proof ; ns:goal ?goal ; ns:step ?step .
          ?goal ns:predicate/ns:name "{predicate}" .
          ?step ns:ruleId ?rule .
        }} GROUP BY ?rule ORDER BY DESC(?n) ?rule"""
        return [(str(r), int(n)) for r, n in self.query(q)]

    def _stored(self) -> list[_Stored]:
        rows = self.query("""
        SELECT ?p ?name ?text WHERE { ?p a ns:Problem ; ns:name ?name ; ns:text ?text }""")
        out = []
        for node, name, text in rows:
            node = URIRef(node)
            if node not in self._cache:
                aux = tuple(sorted(int(i) for (i,) in self.query(
                    f"SELECT ?i WHERE {{ <{node}> ns:auxiliary ?c . ?c ns:index ?i }}")))
                try:
                    parsed = parse_problem(str(text), str(name))
                except GeometryError:
                    continue
                self._cache[node] = _Stored(node, str(name), parsed, aux)
            out.append(self._cache[node])
        return out

    # ------------------------------------------------------------------ retrieval
    def snapshot(self) -> list[_Stored]:
        """The stored problems that have auxiliary constructions (for ``retrieve``), read with
        one query."""
        rows = self.query("""
        SELECT ?p ?name ?text ?i WHERE { ?p a ns:Problem ; ns:name ?name ; ns:text ?text ;
                                            ns:auxiliary ?c . ?c ns:index ?i }""")
        found: dict[URIRef, tuple[str, str, list[int]]] = {}
        for node, name, text, i in rows:
            found.setdefault(URIRef(node), (str(name), str(text), []))[2].append(int(i))
        out = []
        for node, (name, text, aux) in sorted(found.items()):
            if node not in self._cache:
                try:
                    parsed = parse_problem(text, name)
                except GeometryError:
                    continue
                self._cache[node] = _Stored(node, name, parsed, tuple(sorted(aux)))
            out.append(self._cache[node])
        return out

    def candidates(self, problem: Problem, k: int = 5) -> list[Candidate]:
        """Up to ``k`` auxiliary-construction proposals for ``problem``, best first; each
        candidate's source is the name of the stored problem it comes from."""
        return retrieve(problem, self.snapshot(), k)

    # ------------------------------------------------------------------ ranking counts
    def ranking_counts(self) -> dict[str, tuple[int, int]]:
        """Per arm of the proposal ranking: (candidates tried, of which closed a proof)."""
        rows = self.query("SELECT ?n ?t ?s WHERE { ?a a ns:Arm ; ns:name ?n ; ns:trials ?t ; "
                          "ns:successes ?s }")
        return {str(n): (int(t), int(w)) for n, t, w in rows}

    def add_trials(self, trials: dict[str, tuple[int, int]]) -> None:
        """Add search outcomes (arm -> (tried, won)) to the stored counts."""
        current = self.ranking_counts()
        with self.transaction() as (g, removed):
            for name, (n, won) in trials.items():
                node = V.iri("arm", name)
                t0, s0 = current.get(name, (0, 0))
                t, w = g.value(node, V.trials), g.value(node, V.successes)
                if t is not None and w is not None:  # counted before in this transaction
                    t0, s0 = int(t), int(w)  # type: ignore[call-overload]
                for prop in (V.trials, V.successes):
                    g.remove((node, prop, None))
                    removed += self.graph.triples((node, prop, None))
                g.add((node, RDF.type, V.Arm))
                g.add((node, V.name, Literal(name)))
                g.add((node, V.trials, Literal(t0 + n)))
                g.add((node, V.successes, Literal(s0 + won)))


def retrieve(problem: Problem, stored: Sequence[_Stored], k: int = 5,
             exclude: Problem | None = None) -> list[Candidate]:
    """Up to ``k`` proposals for ``problem`` from ``stored`` problems, best first (see the
    module docstring). A stored problem whose statement (auxiliary clauses left out) is that
    of ``exclude``, or that has its name, is skipped: never a problem's own answer."""
    sig = signature(problem)
    banned = None if exclude is None else statement(exclude, ())
    scored = sorted(((similarity(sig, signature(s.problem, s.auxiliary)), s)
                     for s in stored if s.auxiliary
                     and (exclude is None or (s.name != exclude.name
                                              and statement(s.problem, s.auxiliary) != banned))),
                    key=lambda t: (-t[0], t[1].name, t[1].problem.text()))
    best: dict[tuple[Clause, ...], Candidate] = {}
    for score, s in scored:
        clauses = _adapt(problem, s)
        if clauses is None or clauses in best:
            continue
        best[clauses] = Candidate(clauses, round(score, 6), s.name)
        if len(best) >= k:
            break
    return sorted(best.values(), key=lambda c: (-c.score, tuple(map(str, c.clauses))))


def statement(problem: Problem, auxiliary: Sequence[int]) -> tuple[str, ...]:
    """The problem without the clauses at indices ``auxiliary``, to compare statements: its
    clauses and goal as written in the store (pinned coordinates aside)."""
    return (*(str(c) for i, c in enumerate(problem.clauses) if i not in auxiliary),
            str(problem.goal))


def _adapt(problem: Problem, stored: _Stored) -> tuple[Clause, ...] | None:
    """The stored problem's auxiliary clauses renamed onto ``problem``, or None."""
    statement = [p for i, c in enumerate(stored.problem.clauses) if i not in stored.auxiliary
                 for p in c.points]
    target = problem.points
    mapping = dict(zip(statement, target))
    aux_clauses = [stored.problem.clauses[i] for i in stored.auxiliary]
    new = [p for c in aux_clauses for p in c.points]
    mapping.update(zip(new, problem.fresh_points(len(new), Naming.ALPHABETICAL)))
    args = {a for c in aux_clauses for s in c.steps
            for f, a in zip(s.construction.args, s.args)
            if f not in s.construction.numeric_args}
    if not args <= set(mapping):
        return None  # refers to a point the new problem has no counterpart for
    clauses = tuple(c.rename(mapping) for c in aux_clauses)
    try:
        problem.with_auxiliary(clauses)
    except GeometryError:
        return None
    return clauses


class MemoryProposer:
    """The memory as a proposal source (``source="memory"``): retrieval over a snapshot of the
    stored problems with auxiliary constructions, taken once. ``exclude``: the problem being
    solved, whose own stored answer (same statement or name) is never proposed."""

    source = "memory"

    def __init__(self, stored: Sequence[_Stored], exclude: Problem | None = None) -> None:
        self.stored = list(stored)
        self.exclude = exclude

    @classmethod
    def open(cls, path: str | Path, exclude: Problem | None = None) -> MemoryProposer:
        """Read the store at ``path`` without locking it (empty if there is none yet)."""
        if not Path(path).exists():
            return cls([], exclude)
        with Memory(path, read_only=True) as m:
            return cls(m.snapshot(), exclude)

    def propose(self, problem: Problem, k: int) -> list[Candidate]:
        return [Candidate(c.clauses, c.score, self.source)
                for c in retrieve(problem, self.stored, k, self.exclude)]


def record_solved(path: str | Path, problem: Problem, proof: Proof | None,
                  auxiliary: Sequence[str] = (),
                  trials: dict[str, tuple[int, int]] | None = None, *,
                  wait: float = 0.0) -> None:
    """Add a solved problem (``auxiliary``: the clauses the search added to it, as text) and the
    search's per-arm trial counts to the persistent memory at ``path``, as one transaction,
    then flush it to disk. ``wait``: seconds to wait for a store another run is writing."""
    with Memory(path, wait=wait) as m:
        with m.transaction():
            if proof is not None:
                full = problem.with_auxiliary(problem.parse_clauses(auxiliary))
                n = len(problem.clauses)
                aux = list(range(n, len(full.clauses)))
                used = [i for i in auxiliary_clauses(full, proof) if i >= n]
                m.add(full, proof, auxiliary=used or aux)
            if trials:
                m.add_trials(trials)
        m.flush()


def export_solved(solved, out: str | Path, store: str | Path | None = None,
                  theory: bool = True, *, wait: float = 0.0) -> Path:
    """Record ``(problem, proof)`` pairs (proof None: unsolved, skipped) in the memory at
    ``store`` (in memory if None), with the theory, and write it all as Turtle to ``out``.
    This is what ``solve-problem --kg out.ttl`` calls. Each problem is its own transaction
    (already there, from ``record_solved`` during the run: nothing new)."""
    with Memory(store, theory=theory, wait=wait) as m:
        for problem, proof in solved:
            if proof is not None:
                m.add(problem, proof)
        return m.export(out)
