"""Examples up to point renaming and symmetry: one canonical text per (statement, auxiliary
clauses, goal), so the generator keeps one of the many spellings of the same example.

Two spellings of one example differ by the names of their points, by the order of clauses
that do not depend on each other, by the order of the two loci of a clause, and by the order
of a construction's symmetric arguments (``midpoint x a b`` is ``midpoint x b a``; the base
``triangle a b c`` is any of its six relabellings, ``iso_triangle a b c`` swaps ``b`` and
``c``). A construction's symmetries are the permutations of its inputs that map the facts it
asserts (its premises) and its prerequisites onto themselves (``symmetries``); so
``eq_triangle x b c``, whose facts do not say on which side of ``bc`` it lies, is not taken
as ``eq_triangle x c b``.

``canonical`` tries each symmetry of the base, then names the points clause by clause: of the
clauses whose inputs are named, the one that reads least (its steps in canonical form, its new
points given the next names) comes next, statement clauses before auxiliary ones; the goal is
the canonical fact. The least text over the base's symmetries is the canonical example.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import cache
from itertools import permutations

from symbolic.geometry.facts import Fact
from symbolic.geometry.problem import Clause, Step, canonical_names, make_problem
from symbolic.geometry.tables import Atom, Construction, definitions

MAX_SYMMETRIC_ARGS = 5  # constructions with more movable arguments are taken as asymmetric


def _facts(atoms: Sequence[Atom], mapping: dict[str, str]) -> frozenset | None:
    """The atoms renamed, in canonical form (the non-degeneracy conditions of
    prerequisites, which ``Fact.make`` keeps as written, by their point sets)."""
    out: set = set()
    for a in atoms:
        args = tuple(mapping.get(x, x) for x in a.args)
        if a.pred.name in ("diff", "ncoll"):
            out.add((a.pred.name, frozenset(args)))
        elif a.pred.name in ("npara", "nperp"):
            out.add((a.pred.name, frozenset((frozenset(args[:2]), frozenset(args[2:])))))
        else:
            try:
                out.add(Fact.make(a.pred, args))
            except (KeyError, ValueError, TypeError):
                return None
    return frozenset(out)


@cache
def symmetries(name: str) -> tuple[dict[str, str], ...]:
    """The renamings of construction ``name``'s point arguments (its inputs; for a base with
    no inputs, its new points) that leave its premises and prerequisites unchanged, the
    identity first."""
    c: Construction = definitions()[name]
    movable = [a for a in c.args if a not in c.numeric_args
               and (a not in c.new_points or not c.inputs)]
    identity = {a: a for a in movable}
    premises = _facts(c.premises, identity)
    prereqs = _facts(c.prerequisites, identity)
    if len(movable) > MAX_SYMMETRIC_ARGS or premises is None or prereqs is None:
        return (identity,)
    out = [identity]
    for perm in permutations(movable):
        m = dict(zip(movable, perm))
        if m != identity and _facts(c.premises, m) == premises \
                and _facts(c.prerequisites, m) == prereqs:
            out.append(m)
    return tuple(out)


def _spelling(step: Step, rank: dict[str, int]) -> tuple[tuple, tuple[str, ...]]:
    """The step's least spelling under its construction's symmetries: a sortable key (the
    construction, then its point arguments' ranks) and the arguments."""
    c, binding = step.construction, step.mapping
    best: tuple[tuple, tuple[str, ...]] | None = None
    for m in symmetries(c.name):
        args = tuple(binding[m.get(f, f)] for f in c.args)
        key = (c.name, tuple((1, a, 0) if f in c.numeric_args else (0, "", rank[a])
                             for f, a in zip(c.args, args)))
        if best is None or key < best[0]:
            best = (key, args)
    assert best is not None
    return best


def _inputs(clause: Clause) -> set[str]:
    return {a for s in clause.steps for f, a in zip(s.construction.args, s.args)
            if f not in s.construction.numeric_args} - set(clause.points)


def _order(clauses: Sequence[Clause], rank: dict[str, int]) -> list[Clause]:
    """``clauses`` in canonical order: next, of those whose inputs are ranked, the one whose
    steps read least with its new points ranked next (``rank`` is extended in place)."""
    left = list(clauses)
    out: list[Clause] = []
    while left:
        best: tuple[tuple, int] | None = None
        for i, clause in enumerate(left):
            if not _inputs(clause) <= rank.keys():
                continue
            trial = dict(rank)
            trial.update((p, len(rank) + j) for j, p in enumerate(clause.points))
            key = tuple(sorted(_spelling(s, trial)[0] for s in clause.steps))
            if best is None or key < best[0]:
                best = (key, i)
        if best is None:
            raise ValueError("a clause uses points that no clause before it makes")
        clause = left.pop(best[1])
        rank.update((p, len(rank) + j) for j, p in enumerate(clause.points))
        out.append(clause)
    return out


def _spelled(clause: Clause, rank: dict[str, int], names: dict[str, str]) -> Clause:
    """The clause renamed by ``names``: its points in rank order, each step in its least
    spelling, the steps sorted."""
    spelled = sorted((*_spelling(s, rank), s.construction) for s in clause.steps)
    return Clause(tuple(names[p] for p in sorted(clause.points, key=rank.__getitem__)),
                  tuple(Step(c, args).rename(names) for _, args, c in spelled))


def _base_symmetries(base: Clause) -> list[dict[str, str]]:
    """Relabellings of the base clause's points that leave it the same clause."""
    if len(base.steps) != 1 or base.steps[0].construction.inputs \
            or base.steps[0].args != base.points:
        return [{}]
    step = base.steps[0]
    return [{step.mapping[k]: step.mapping[v] for k, v in m.items()}
            for m in symmetries(step.construction.name)]


def canonical(statement: Sequence[Clause], auxiliary: Sequence[Clause], goal: Atom
              ) -> tuple[tuple[Clause, ...], tuple[Clause, ...], Atom]:
    """The canonical spelling of an example (``statement[0]`` the base clause): statement
    clauses, auxiliary clauses and goal, points renamed ``a, b, c, ...`` in that order."""
    base = statement[0]
    best: tuple[str, tuple[Clause, ...], tuple[Clause, ...], Atom] | None = None
    for sym in _base_symmetries(base):
        rank = {p: base.points.index(sym.get(p, p)) for p in base.points}
        rest = _order(statement[1:], rank)
        aux = _order(auxiliary, rank)
        names = dict(zip(sorted(rank, key=rank.__getitem__), canonical_names(len(rank))))
        stated = tuple(_spelled(c, rank, names) for c in (base, *rest))
        added = tuple(_spelled(c, rank, names) for c in aux)
        fact = Fact.make(goal.pred, tuple(names.get(a, a) for a in goal.args))
        atom = Atom(fact.pred, fact.args)
        text = spelled(stated, added, atom)
        if best is None or text < best[0]:
            best = (text, stated, added, atom)
    assert best is not None
    return best[1], best[2], best[3]


def canonical_text(statement: Sequence[Clause], auxiliary: Sequence[Clause], goal: Atom
                   ) -> str:
    """The example's canonical problem text (auxiliary clauses last): the same for every
    spelling of one example."""
    return spelled(*canonical(statement, auxiliary, goal))


def spelled(statement: Sequence[Clause], auxiliary: Sequence[Clause], goal: Atom) -> str:
    """The problem text of the statement with its auxiliary clauses last."""
    return make_problem("synthetic", (*statement, *auxiliary), goal).text()
