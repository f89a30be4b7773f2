"""The example construction grammar speaks the definitions table's language."""

from __future__ import annotations

from grammars.constrained import compile_grammar
from grammars.constrained.examples.samples import CONSTRUCTIONS
from grammars.load import grammar_text
from symbolic.geometry.tables import definitions


def test_every_construction_of_the_grammar_is_defined():
    assert len(CONSTRUCTIONS) == 68  # AlphaGeometry's constructions
    assert set(CONSTRUCTIONS) <= set(definitions())


def test_examples_parse():
    g = compile_grammar(grammar_text("geometry_construction"))
    assert g.matches("x = on_line x a b, on_circle x o a")
    assert g.matches("e f = midpoint e a b; f = foot f c a b")
    assert g.matches("x = s_angle a b x 30")
    assert not g.matches("x = no_such_construction a b")
    assert not g.matches("x = on_line x a b,")
