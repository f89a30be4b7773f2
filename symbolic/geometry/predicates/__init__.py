"""The closed vocabulary of geometry predicates, one object per predicate.

Each predicate is the single instance of its class and owns its whole protocol: arity and
which arguments are points, canonical argument order (so that equal statements compare
equal), aliases (``eqangle6`` is stored as ``eqangle``), numeric check on a diagram, and
printing. ``PREDICATES`` is the explicit registry from the name used in problem files and
rule tables to the predicate; ``Fact.pred`` and ``Atom.pred`` hold these objects, never
names. One file per family: lines, circles, lengths, angles, triangles, side conditions.
"""

from __future__ import annotations

from collections.abc import Mapping

from .angles import ACONST, EQANGLE, EQANGLE6, SANGLE
from .base import Args, Pred, Predicate
from .circles import CIRCLE, CYCLIC, EQDOT, POWER
from .conditions import DIFF, NCOLL, NPARA, NPERP, SAMESIDE
from .lengths import CONG, EQRATIO, EQRATIO3, EQRATIO6, MENELAUS, MIDP, RCONST
from .lines import COLL, PARA, PERP
from .measure import TOL, Vec, direction, length
from .sines import SINES
from .triangles import CONTRI, CONTRI2, CONTRI_ANY, SIMTRI, SIMTRI2, SIMTRI_ANY

__all__ = [
    "ACONST", "CIRCLE", "COLL", "CONG", "CONTRI", "CONTRI2", "CONTRI_ANY", "CYCLIC", "DIFF",
    "EQANGLE", "EQANGLE6", "EQDOT", "EQRATIO", "EQRATIO3", "EQRATIO6", "MENELAUS", "MIDP",
    "NCOLL", "NPARA", "NPERP", "PARA", "PERP", "POWER", "RCONST", "SAMESIDE", "SANGLE", "SINES",
    "SIMTRI", "SIMTRI2", "SIMTRI_ANY", "NUMERIC_ARGS", "PREDICATES", "TOL", "Args", "Pred",
    "Predicate", "Vec", "direction", "holds", "length", "predicate",
]

PREDICATES: dict[str, Predicate] = {
    p.name: p
    for p in (COLL, PARA, PERP, CONG, CYCLIC, CIRCLE, MIDP, EQANGLE, EQANGLE6, EQRATIO,
              EQRATIO6, EQRATIO3, SIMTRI, SIMTRI2, SIMTRI_ANY, CONTRI, CONTRI2, CONTRI_ANY,
              SANGLE, ACONST, RCONST, NCOLL, NPARA, NPERP, SAMESIDE, DIFF, POWER, EQDOT,
              MENELAUS, SINES)
}

# How many trailing arguments of each predicate are numbers (a view of ``numeric_args``).
NUMERIC_ARGS: dict[Pred, int] = {p.pred: p.numeric_args for p in PREDICATES.values()
                                 if p.numeric_args}


def predicate(name: str) -> Predicate:
    """The predicate called ``name``; KeyError if there is none."""
    return PREDICATES[name]


def holds(pred: Predicate, args: Args, coords: Mapping[str, Vec]) -> bool:
    """Does ``pred args`` hold numerically on this diagram?"""
    return pred.holds(args, coords)
