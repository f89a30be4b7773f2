"""Match facts against a rule's premises and conclusion (rule variable -> point).

Used to name an AR step after the table rule it is an instance of (``r09``: transitivity of
equal angles, ``r00``: two perpendiculars give parallels, ...), so that proofs read like the
rule table and each such step is re-checked as a rule instance.
"""

from __future__ import annotations

from collections.abc import Iterator
from itertools import permutations

from .facts import Fact
from .predicates import COLL, CONG, CYCLIC, EQANGLE, EQRATIO, PARA, PERP
from .tables import Atom, Rule

_PAIR_FORMS = [(0, 1, 2, 3), (1, 0, 2, 3), (0, 1, 3, 2), (1, 0, 3, 2),
               (2, 3, 0, 1), (3, 2, 0, 1), (2, 3, 1, 0), (3, 2, 1, 0)]


def _variants(fact: Fact) -> Iterator[tuple[str, ...]]:
    """Argument tuples that state the same fact (for unification against an atom)."""
    a = fact.args
    if fact.pred in (COLL, CYCLIC):
        yield from permutations(a)
    elif len(a) == 4 and fact.pred in (PARA, PERP, CONG):
        for f in _PAIR_FORMS:
            yield tuple(a[i] for i in f)
    elif fact.pred in (EQANGLE, EQRATIO):
        segs = [(a[i], a[i + 1]) for i in range(0, 8, 2)]
        for order in ((0, 1, 2, 3), (2, 3, 0, 1), (1, 0, 3, 2), (3, 2, 1, 0),
                      (0, 2, 1, 3), (1, 3, 0, 2), (2, 0, 3, 1), (3, 1, 2, 0)):
            for flips in range(16):
                out = []
                for k, i in enumerate(order):
                    x, y = segs[i]
                    out += [y, x] if flips >> k & 1 else [x, y]
                yield tuple(out)
    else:
        yield a


def _bind(atom: Atom, args: tuple[str, ...], m: dict[str, str]) -> dict[str, str] | None:
    if len(atom.args) != len(args):
        return None
    out = dict(m)
    for var, pt in zip(atom.args, args):
        if out.setdefault(var, pt) != pt:
            return None
    return out


def match_rule(rule: Rule, premises: list[Fact], conclusion: Fact,
               side_condition) -> tuple[dict[str, str], list[Fact]] | None:
    """A mapping under which ``rule`` derives ``conclusion`` from exactly ``premises``.

    ``side_condition(pred, args)`` decides numeric-only premises. Returns the mapping and
    the premises in the rule's order, or None.
    """
    proved = [a for a in rule.premises if not _numeric(a)]
    if len(proved) != len(premises):
        return None

    def search(i: int, m: dict[str, str], left: list[Fact]):
        if i == len(proved):
            yield m
            return
        atom = proved[i]
        name = atom.pred.stored
        for f in left:
            if f.pred is not name:
                continue
            for args in _variants(f):
                m2 = _bind(atom, args, m)
                if m2 is not None:
                    yield from search(i + 1, m2, [g for g in left if g != f])

    cname = rule.conclusion.pred.stored
    if cname is not conclusion.pred:
        return None
    for m in search(0, {}, list(premises)):
        if any(v not in m for a in rule.premises + (rule.conclusion,) for v in a.args):
            continue
        if Fact.make(cname, tuple(m[v] for v in rule.conclusion.args)) != conclusion:
            continue
        if all(side_condition(a.pred, tuple(m[v] for v in a.args))
               for a in rule.premises if _numeric(a)):
            order = [Fact.make(a.pred, tuple(m[v] for v in a.args)) for a in proved]
            return m, order
    return None


def _numeric(atom: Atom) -> bool:
    return atom.pred.numeric_only
