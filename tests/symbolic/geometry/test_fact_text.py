"""Every fact's text says everything the fact asserts (issue 15: an ``eqratio3`` printed with
two of its ratios made the next step, citing a third, unreadable)."""

from __future__ import annotations

from symbolic.geometry.facts import Fact
from symbolic.geometry.predicates import (
    CONTRI,
    CONTRI2,
    EQRATIO,
    EQRATIO3,
    PREDICATES,
    SIMTRI,
    SIMTRI2,
)


def _stated(text: str) -> set[Fact]:
    """The equal ratios a text states (``ab:cd = pq:uv = ...``, chains separated by ', '),
    as canonical eqratio facts."""
    out = set()
    for chain in text.split(", "):
        ratios = [tuple(r.replace(":", "")) for r in chain.split(" = ")]
        for i in range(len(ratios)):
            for j in range(i + 1, len(ratios)):
                out.add(Fact.make(EQRATIO, ratios[i] + ratios[j]))
    return out


def test_eqratio3_text_states_every_ratio_it_unfolds_into():
    for args in [("a", "c", "f", "d", "b", "b"), ("a", "b", "c", "d", "m", "n")]:
        f = Fact.make(EQRATIO3, args)
        stated = _stated(f.text())
        parts = f.pred.unfold(f.args)
        assert len(parts) == (4 if args[4] == args[5] else 3)
        for part in parts:
            assert part in stated, (f.text(), part)


def test_triangle_texts_say_the_orientation():
    args = ("a", "b", "c", "d", "e", "f")
    texts = {p: Fact.make(p, args).text() for p in (SIMTRI, SIMTRI2, CONTRI, CONTRI2)}
    assert len(set(texts.values())) == 4
    assert "reflected" in texts[SIMTRI2] and "reflected" in texts[CONTRI2]
    assert "same orientation" in texts[SIMTRI] and "same orientation" in texts[CONTRI]


def test_every_predicate_prints_a_sentence_naming_all_its_arguments():
    """No predicate falls back to the raw ``name args`` form, and every argument (point or
    number) appears in its text."""
    names = [f"p{k}" for k in range(9)]
    for name, pred in PREDICATES.items():
        n = pred.arity or max(pred.min_arity, 4)
        args = tuple(names[:n - pred.numeric_args]) + ("30", "7")[:pred.numeric_args]
        if name == "rconst":
            args = args[:4] + ("1", "2")
        pred2, args2 = pred.resolve(args)
        text = pred2.text(args2)
        assert not text.startswith(pred2.name + " "), name
        for a in args2:
            assert a in text, (name, text)
