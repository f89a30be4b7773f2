"""Small geometry problems for the tests of the auxiliary search.

``BISECTOR_FEET`` (JGEX-AG-231's ``ye_aux_y1``, AlphaGeometry, CC-BY-4.0; also in
``problems/geometry/examples.txt``): ``d`` and ``e`` are the feet of the perpendiculars from
``c`` to the bisectors at ``b`` and ``a``, and ``de`` is parallel to ``ab``. DD+AR with its
default tables saturates without the goal; the incentre ``INCENTRE`` (where the two bisectors
meet) proves it, and the heuristic source proposes it among its first candidates.

``ORTHOCENTER`` (AlphaGeometry's example) needs the foot of an altitude only when the
squared-length table is off (``WITHOUT_SQUARED``): with it, one squared-length chase proves
the third altitude. Tests whose subject is the search's bookkeeping on that problem's known
auxiliary points pin those tables.
"""

from __future__ import annotations

BISECTOR_FEET = ("a b c = triangle a b c; d = angle_bisector d a b c, on_dia d b c; "
                 "e = angle_bisector e b a c, on_dia e a c ? para d e a b")
# the same problem with other point names
BISECTOR_FEET_RENAMED = ("p q r = triangle p q r; s = angle_bisector s p q r, on_dia s q r; "
                         "t = angle_bisector t q p r, on_dia t p r ? para s t p q")
INCENTRE = "x = on_line x b d, on_line x a e"

ORTHOCENTER = "a b c = triangle a b c; h = on_tline h b a c, on_tline h c a b ? perp a h b c"
WITHOUT_SQUARED = frozenset({"angle", "ratio", "dist"})
