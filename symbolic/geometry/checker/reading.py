"""Read back what a printed fact says to a person (``ab ∥ cd``, ``a, b, c are collinear``,
``ma:mc = mb:md = ab:cd, ...``), so that the checker can hold the printed text to the fact
it checks: a text saying less or other than the fact (issue 15: an ``eqratio3`` printed
with two of its four ratios) is an error of the proof a person reads.

Written from the printed forms alone; segment names such as ``ab`` are split with the
statement's point names (an ambiguous split is unreadable).
"""

from __future__ import annotations

import re
from collections.abc import Collection

from .meaning import Stmt, Unreadable, key, parts

_W = r"([^\s,:()=∥⊥△∠°]+)"
_FORMS: list[tuple[re.Pattern[str], str]] = [
    (re.compile(r"^(.+) are collinear$"), "coll"),
    (re.compile(r"^(.+) are concyclic$"), "cyclic"),
    (re.compile(rf"^{_W} is the centre of the circle through (.+)$"), "circle"),
    (re.compile(rf"^{_W} is the midpoint of {_W}$"), "midp"),
    (re.compile(rf"^△{_W} (similar|congruent) to △{_W}(?: \((same orientation|reflected)\))?$"),
     "triangles"),
    (re.compile(rf"^∠\({_W},{_W}\) = ∠\({_W},{_W}\)$"), "eqangle"),
    (re.compile(rf"^∠\({_W},{_W}\) = (-?\d+(?:/\d+)?)°$"), "aconst"),
    (re.compile(rf"^{_W} ∥ {_W}$"), "para"),
    (re.compile(rf"^{_W} ⊥ {_W}$"), "perp"),
    (re.compile(rf"^{_W}·{_W}·{_W} = {_W}·{_W}·{_W}$"), "menelaus"),
    (re.compile(rf"^the law of sines in △{_W}$"), "sines"),
    (re.compile(rf"^{_W} = {_W}$"), "cong"),
    (re.compile(rf"^{_W}·{_W} = {_W}² − {_W}² \(vectors\)$"), "power"),
    (re.compile(rf"^{_W}·{_W} = {_W}·{_W} \(vectors\)$"), "eqdot"),
]


def _split(word: str, n: int, points: Collection[str]) -> tuple[str, ...]:
    """``word`` as ``n`` point names run together; Unreadable unless exactly one way."""
    if n == 1:
        if word in points:
            return (word,)
        raise Unreadable(f"{word!r} is not a point")
    found = []
    for i in range(1, len(word)):
        if word[:i] in points:
            try:
                found.append((word[:i],) + _split(word[i:], n - 1, points))
            except Unreadable:
                pass
    if len(found) != 1:
        raise Unreadable(f"{word!r} is not {n} points" if not found
                         else f"{word!r} splits into points in several ways")
    return found[0]


def _names(text: str, points: Collection[str]) -> tuple[str, ...]:
    return tuple(_split(w, 1, points)[0] for w in text.split(", "))


def said(text: str, points: Collection[str]) -> list[Stmt]:
    """The statements a printed fact asserts (several for a conjunction); Unreadable if the
    text is none of the printed forms."""
    seg = lambda w: _split(w, 2, points)  # noqa: E731
    for pattern, name in _FORMS:
        m = pattern.match(text)
        if not m:
            continue
        g = m.groups()
        if name in ("coll", "cyclic"):
            return [(name, _names(g[0], points))]
        if name == "circle":
            return [(name, _split(g[0], 1, points) + _names(g[1], points))]
        if name == "midp":
            return [(name, _split(g[0], 1, points) + seg(g[1]))]
        if name == "triangles":
            t1, word, t2, how = g
            pred = {"similar": "simtri", "congruent": "contri"}[word]
            if how is not None:
                pred += "2" if how == "reflected" else ""
            else:
                pred += "*"
            return [(pred, _split(t1, 3, points) + _split(t2, 3, points))]
        if name == "eqangle":
            return [(name, seg(g[0]) + seg(g[1]) + seg(g[2]) + seg(g[3]))]
        if name == "sines":
            return [(name, _split(g[0], 3, points))]
        if name == "aconst":
            return [(name, seg(g[0]) + seg(g[1]) + (g[2],))]
        if name == "power":  # px·py = po² − ox²
            (p, x), (p2, y), (p3, o), (o2, x2) = (seg(w) for w in g)
            if p != p2 or p != p3 or o != o2 or x != x2:
                raise Unreadable(f"not a power of a point: {text!r}")
            return [(name, (p, o, x, y))]
        if name == "eqdot":  # pa·pb = pc·pd
            (p, x), (p2, y), (p3, z), (p4, w) = (seg(w) for w in g)
            if len({p, p2, p3, p4}) != 1:
                raise Unreadable(f"not equal products at one point: {text!r}")
            return [(name, (p, x, y, z, w))]
        if name == "menelaus":  # af·bd·ce = fb·dc·ea
            (a, f), (b, d), (c, e), (f2, b2), (d2, c2), (e2, a2) = (seg(w) for w in g)
            if (f, b, d, c, e, a) != (f2, b2, d2, c2, e2, a2):
                raise Unreadable(f"not a product of ratios around a triangle: {text!r}")
            return [(name, (a, b, c, d, e, f))]
        return [(name, seg(g[0]) + seg(g[1]))]
    return _ratios(text, points)


def _ratios(text: str, points: Collection[str]) -> list[Stmt]:
    """Chains of equal ratios separated by ', ': each ratio of a chain equal to its first."""
    out: list[Stmt] = []
    for chain in text.split(", "):
        ratios = [r.split(":") for r in chain.split(" = ")]
        if len(ratios) < 2 or any(len(r) != 2 for r in ratios):
            raise Unreadable(f"not a printed fact: {text!r}")
        first = ratios[0]
        if len(ratios) == 2 and all(x.isdigit() for x in ratios[1]):
            out.append(("rconst", _split(first[0], 2, points) + _split(first[1], 2, points)
                        + tuple(ratios[1])))
            continue
        head = _split(first[0], 2, points) + _split(first[1], 2, points)
        for r in ratios[1:]:
            out.append(("eqratio", head + _split(r[0], 2, points) + _split(r[1], 2, points)))
    return out


def says_all(fact: Stmt, text: str, points: Collection[str]) -> str | None:
    """None if ``text`` says exactly what ``fact`` asserts (all the parts of an ``eqratio3``),
    else what is wrong."""
    try:
        stated = {key(s) for s in said(text, points)}
    except Unreadable as e:
        return f"the printed text is unreadable: {e}"
    want = {key(p) for p in parts(fact)} if fact[0] == "eqratio3" else {key(fact)}
    if stated != want:
        return f"the printed text {text!r} does not say what {' '.join((fact[0],) + fact[1])} says"
    return None
