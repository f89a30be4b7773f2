"""Match facts against a rule's premises and conclusion (rule variable -> point).

Used to name an AR step after the table rule it is an instance of (``r09``: transitivity of
equal angles, ``r00``: two perpendiculars give parallels, ...), so that proofs read like the
rule table and each such step is re-checked as a rule instance.
"""

from __future__ import annotations

from .facts import Fact
from .tables import Atom, Rule


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
            for args in f.pred.variants(f.args):
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
