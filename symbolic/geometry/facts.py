"""Facts (proved statements) and their derivations: the nodes and edges of a proof."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from fractions import Fraction
from functools import lru_cache
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .predicates import Predicate


@dataclass(frozen=True, order=True, slots=True)
class Fact:
    """A geometric statement in canonical form, e.g. ``Fact.make(PARA, ("a", "b", "c", "d"))``.

    ``pred`` is the predicate object (``symbolic.geometry.predicates``), never its name.
    """

    pred: Predicate
    args: tuple[str, ...]
    _hash: int = field(init=False, repr=False, compare=False)  # from the others, never pickled

    def __post_init__(self) -> None:
        # Facts key the state's dicts and sets: hashing one is asked millions of times per
        # search, so its hash is computed once (what the dataclass's own would return)
        object.__setattr__(self, "_hash", hash((self.pred, self.args)))

    def __hash__(self) -> int:
        return self._hash

    def __eq__(self, other: object) -> bool:
        # (``Fact.make`` gives one object per fact, so most comparisons end at ``is``)
        if self is other:
            return True
        if type(other) is not Fact:
            return NotImplemented
        return (self._hash == other._hash and self.args == other.args
                and self.pred == other.pred)

    def __reduce__(self) -> tuple[type[Fact], tuple[Predicate, tuple[str, ...]]]:
        return Fact, (self.pred, self.args)  # a process's hash of strings is its own

    @staticmethod
    def make(pred: Predicate, args: tuple[str, ...]) -> Fact:
        """The canonical fact ``pred args`` (aliases such as eqangle6 resolved)."""
        return _make(pred, tuple(args))

    def __str__(self) -> str:
        return " ".join((self.pred.name,) + self.args)

    def text(self) -> str:
        return self.pred.text(self.args)

    @property
    def points(self) -> tuple[str, ...]:
        """The arguments that are points (not the numbers of aconst / rconst)."""
        return self.pred.points(self.args)


@lru_cache(maxsize=1 << 18)
def _make(pred: Predicate, args: tuple[str, ...]) -> Fact:
    """Canonical fact (memoised: the deduction loop states the same facts over and over),
    the one object of that fact (``_ONE``) however it was spelled: the state's dicts and
    sets then find it by identity, without comparing."""
    pred, args = pred.resolve(args)
    fact = Fact(pred, pred.canonical(args))
    if len(_ONE) > 1 << 19:  # forgotten: an equal fact made later is another object
        _ONE.clear()
    return _ONE.setdefault(fact, fact)


_ONE: dict[Fact, Fact] = {}


class Rules:
    """Names of derivation kinds that are not rules of the table."""

    GIVEN = "given"            # premise of a construction in the problem
    AR_ANGLE = "angle chase"   # exact linear combination in the angle table
    AR_RATIO = "ratio chase"   # exact linear combination in the ratio table
    AR_DIST = "distance chase"  # exact linear combination of lengths along lines
    AR_SQUARED = "squared-length chase"  # exact linear combination of squared lengths
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

    def resolved(self) -> Derivation:
        """This derivation with everything it says worked out (``LazyAR``'s combination)."""
        return self


class LazyAR(Derivation):
    """An AR step whose combination (premises and certificate) is worked out when first
    read. Deduction derives many AR statements and a proof cites few: the table keeps what
    finding the combination reads (``LinearTable.snapshot``: its rows never change in
    place), so finding it later gives exactly the combination found at once."""

    def __init__(self, rule: str, find: Callable[[], tuple[tuple[Fact, ...], ARCertificate]]
                 ) -> None:
        object.__setattr__(self, "rule", rule)
        object.__setattr__(self, "_find", find)
        object.__setattr__(self, "_found", None)

    def _worked_out(self) -> tuple[tuple[Fact, ...], ARCertificate]:
        found = self.__dict__["_found"]
        if found is None:
            found = self.__dict__["_find"]()
            object.__setattr__(self, "_found", found)
            object.__setattr__(self, "_find", None)  # drop the rows it read
        return found

    @property  # type: ignore[override]
    def premises(self) -> tuple[Fact, ...]:
        return self._worked_out()[0]

    @property  # type: ignore[override]
    def certificate(self) -> ARCertificate:
        return self._worked_out()[1]

    def resolved(self) -> Derivation:
        premises, certificate = self._worked_out()
        return Derivation(self.rule, premises, self.level, self.mapping, certificate)

    def __reduce__(self):  # pickled (a proof sent between processes) as what it says
        return (Derivation, (self.rule, self.premises, self.level, self.mapping,
                             self.certificate))

