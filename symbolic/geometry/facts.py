"""Facts (proved statements) and their derivations: the nodes and edges of a proof."""

from __future__ import annotations

from dataclasses import dataclass, field
from fractions import Fraction
from functools import lru_cache

from .predicates import PREDICATES, Pred

# Predicates that are one concept under several rule-table spellings.
ALIASES = {"eqangle6": "eqangle", "eqratio6": "eqratio", "s_angle": "aconst"}


@dataclass(frozen=True, order=True)
class Fact:
    """A geometric statement in canonical form, e.g. ``Fact("para", ("a", "b", "c", "d"))``."""

    pred: str
    args: tuple[str, ...]

    @staticmethod
    def make(pred: str, args: tuple[str, ...]) -> Fact:
        """The canonical fact ``pred args`` (aliases such as eqangle6 resolved)."""
        return _make(pred, tuple(args))

    def __str__(self) -> str:
        return " ".join((self.pred,) + self.args)

    def text(self) -> str:
        return PREDICATES[self.pred].text(self.args)

    @property
    def points(self) -> tuple[str, ...]:
        n = {"aconst": 4, "rconst": 4}.get(self.pred)
        return self.args[:n] if n else self.args


@lru_cache(maxsize=1 << 18)
def _make(pred: str, args: tuple[str, ...]) -> Fact:
    """Canonical fact (memoised: the deduction loop states the same facts over and over)."""
    pred = ALIASES.get(pred, pred)
    if pred == "aconst" and len(args) == 4:  # s_angle a b x y -> aconst b a b x y
        a, b, x, y = args
        args = (b, a, b, x, y)
    if pred in ("aconst", "rconst"):
        return Fact(pred, args)
    return Fact(pred, PREDICATES[pred].canonical(args))


class Rules:
    """Names of derivation kinds that are not rules of the table."""

    GIVEN = "given"            # premise of a construction in the problem
    AR_ANGLE = "angle chase"   # exact linear combination in the angle table
    AR_RATIO = "ratio chase"   # exact linear combination in the ratio table
    AR_DIST = "distance chase"  # exact linear combination of lengths along lines
    LINE = "same line"         # collinear sets sharing two points are one line
    CIRCLE = "same circle"     # concyclic sets sharing three points are one circle
    DEF = "definition"         # unfolding a composite predicate (midp, circle, simtri...)
    FOLD = "by definition"     # folding parts back into a composite predicate


@dataclass(frozen=True)
class ARCertificate:
    """Why an AR step holds: ``target == sum(k * equation)`` exactly, each equation being one
    of the AR equations of a premise fact (angles: with its multiple of pi)."""

    table: str
    target: tuple[tuple[object, Fraction], ...]
    terms: tuple[tuple[Fact, tuple[tuple[object, Fraction], ...], Fraction], ...]


@dataclass(frozen=True)
class Derivation:
    """How a fact was obtained: a rule (table id or a ``Rules`` name) applied to premises.

    ``mapping`` records the rule instance (rule variable -> point) for table rules;
    ``certificate`` records, for AR steps, the exact linear combination used.
    """

    rule: str
    premises: tuple[Fact, ...]
    level: int = 0
    mapping: tuple[tuple[str, str], ...] = ()
    certificate: ARCertificate | None = field(default=None, compare=False)

    @property
    def is_table_rule(self) -> bool:
        return self.rule[:1] == "r" and self.rule[1:].isdigit()


def pred_enum(name: str) -> Pred:
    return Pred(ALIASES.get(name, name))
