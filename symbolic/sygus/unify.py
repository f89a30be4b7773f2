"""EUSolver-style divide and conquer: terms that are each correct on some examples, joined by
a decision tree over predicates (ID3 with information gain; a point's label is spread over
every term correct on it). Sound only for point-wise specs (PBE, single invocation)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .enumerate import Production
from .terms import App, Call, Function, Hole, Term, Var, substitute


@dataclass(frozen=True)
class IteRule:
    """A production that can join two programs under a condition.

    ``cond`` is a term over the single hole ``pred_hole`` (of non-terminal ``pred_nt``);
    the production's ``then_hole``/``else_hole`` take the branches."""

    prod: Production
    cond: Term
    pred_hole: str
    pred_nt: str
    then_hole: str
    else_hole: str

    def join(self, pred: Term, then: Term, other: Term) -> Term:
        return substitute(self.prod.term, {self.pred_hole: pred, self.then_hole: then,
                                           self.else_hole: other})


def find_ite(prods: list[Production], nt: str, macros: dict[str, Function]) -> IteRule | None:
    """The first ite-like production of ``nt``: ``(ite B nt nt)`` or a macro whose body is
    ``(ite c(p0) p1 p2)`` applied to (pred, nt, nt)."""
    for p in prods:
        if p.nt != nt or len(p.children) != 3:
            continue
        t = p.term
        if isinstance(t, App) and t.op == "ite" and all(isinstance(a, Hole) for a in t.args):
            c, a, b = (_hole_name(h) for h in t.args)
            if _child(p, a) == nt and _child(p, b) == nt:
                return IteRule(p, t.args[0], c, _child(p, c), a, b)
        if isinstance(t, Call) and t.func in macros and all(isinstance(a, Hole)
                                                             for a in t.args):
            rule = _macro_ite(p, t, macros[t.func], nt)
            if rule is not None:
                return rule
    return None


def _child(p: Production, hole: str) -> str:
    return p.children[int(hole[1:])]


def _macro_ite(p: Production, t: Call, m: Function, nt: str) -> IteRule | None:
    body = m.body
    if not (isinstance(body, App) and body.op == "ite"):
        return None
    names = [q.name for q in m.params]
    _, y, z = body.args
    if not (isinstance(y, Var) and isinstance(z, Var) and y.name in names
            and z.name in names):
        return None
    holes = {q: a for q, a in zip(names, t.args)}
    then_h, else_h = _hole_name(holes[y.name]), _hole_name(holes[z.name])
    rest = [_hole_name(h) for q, h in holes.items() if q not in (y.name, z.name)]
    if len(rest) != 1 or _child(p, then_h) != nt or _child(p, else_h) != nt:
        return None
    cond = substitute(body.args[0], holes)
    if _mentions_other(cond, rest[0]):
        return None
    return IteRule(p, cond, rest[0], _child(p, rest[0]), then_h, else_h)


def _hole_name(t: Term) -> str:
    if not isinstance(t, Hole):
        raise TypeError(f"expected a hole, got {t!r}")
    return t.name


def _mentions_other(t: Term, hole: str) -> bool:
    if isinstance(t, Hole):
        return t.name != hole
    if isinstance(t, Var):
        return True
    if isinstance(t, (App, Call)):
        return any(_mentions_other(a, hole) for a in t.args)
    return False


@dataclass(frozen=True)
class Leaf:
    term: int


@dataclass(frozen=True)
class Node:
    pred: int
    then: Tree
    other: Tree


Tree = Leaf | Node


def greedy_cover(correct: np.ndarray) -> list[int]:
    """Few terms (rows) that together are correct on every unit, earliest (cheapest) first
    among those covering the most still-uncovered units."""
    left = np.ones(correct.shape[1], dtype=bool)
    out: list[int] = []
    while left.any():
        gain = (correct & left).sum(axis=1)
        best = int(np.argmax(gain))
        if gain[best] == 0:
            break
        out.append(best)
        left &= ~correct[best]
    return sorted(out)


def learn(correct: np.ndarray, preds: np.ndarray, units: np.ndarray | None = None,
          depth: int = 0) -> Tree | None:
    """A decision tree sending each unit (column) to a term (row of ``correct``) correct on it.

    ``correct`` is (T, U) bool, terms in preference order; ``preds`` is (K, U) bool."""
    if units is None:
        units = np.arange(correct.shape[1])
    c = correct[:, units]
    whole = np.flatnonzero(c.all(axis=1))
    if len(whole):
        return Leaf(int(whole[0]))
    if depth > 24 or not c.any(axis=0).all() or len(preds) == 0:
        return None
    q = preds[:, units]
    k = _best_split(c, q)
    if k is None:
        return None
    pos, neg = units[q[k]], units[~q[k]]
    then = learn(correct, preds, pos, depth + 1)
    if then is None:
        return None
    other = learn(correct, preds, neg, depth + 1)
    return None if other is None else Node(k, then, other)


def _best_split(c: np.ndarray, q: np.ndarray) -> int | None:
    w = c / c.sum(axis=0, keepdims=True)  # (T, U): each unit's weight spread on its terms
    n_pos = q.sum(axis=1)
    useful = (n_pos > 0) & (n_pos < q.shape[1])
    if not useful.any():
        return None
    qf = q.astype(np.float64)
    wp = w @ qf.T  # (T, K)
    wn = w.sum(axis=1, keepdims=True) - wp
    h = _entropy(wp) * n_pos + _entropy(wn) * (q.shape[1] - n_pos)
    h = np.where(useful, h, np.inf)
    return int(np.argmin(h))


def _entropy(dist: np.ndarray) -> np.ndarray:
    tot = dist.sum(axis=0, keepdims=True)
    p = np.divide(dist, tot, out=np.zeros_like(dist), where=tot > 0)
    with np.errstate(divide="ignore", invalid="ignore"):
        logs = np.where(p > 0, np.log2(np.where(p > 0, p, 1)), 0.0)
    return -(p * logs).sum(axis=0)


def to_term(tree: Tree, terms: list[Term], preds: list[Term], rule: IteRule) -> Term:
    if isinstance(tree, Leaf):
        return terms[tree.term]
    return rule.join(preds[tree.pred], to_term(tree.then, terms, preds, rule),
                     to_term(tree.other, terms, preds, rule))
