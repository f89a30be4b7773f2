"""The closed vocabulary of predicate names (``Pred``) and the protocol every predicate owns.

A predicate is a singleton object of its own class (``COLL``, ``PARA``...): compared and
hashed by identity (the C-level ``object`` hash, cheap in the deduction loop where facts are
made and looked up millions of times), printed as its name (``str(COLL) == "coll"``), ordered
by name (so sorted facts read as before), and pickled as a registry lookup by name (so it
survives process boundaries and stays the same object).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from enum import Enum
from fractions import Fraction
from functools import total_ordering
from typing import TYPE_CHECKING, ClassVar

from .measure import Vec

if TYPE_CHECKING:
    from ..facts import Fact
    from ..state import ProofState


class Pred(str, Enum):
    """Every predicate name that may appear in a problem, a definition or a rule."""

    COLL = "coll"
    PARA = "para"
    PERP = "perp"
    CONG = "cong"
    CYCLIC = "cyclic"
    CIRCLE = "circle"
    MIDP = "midp"
    EQANGLE = "eqangle"
    EQANGLE6 = "eqangle6"
    EQRATIO = "eqratio"
    EQRATIO6 = "eqratio6"
    EQRATIO3 = "eqratio3"
    SIMTRI = "simtri"
    SIMTRI2 = "simtri2"
    SIMTRI_ANY = "simtri*"
    CONTRI = "contri"
    CONTRI2 = "contri2"
    CONTRI_ANY = "contri*"
    SANGLE = "s_angle"
    ACONST = "aconst"
    RCONST = "rconst"
    NCOLL = "ncoll"
    NPARA = "npara"
    NPERP = "nperp"
    SAMESIDE = "sameside"
    DIFF = "diff"
    POWER = "power"
    EQDOT = "eqdot"
    MENELAUS = "menelaus"
    SINES = "sines"


Args = tuple[str, ...]
Terms = Sequence[tuple[tuple[str, str], int]]  # (segment, coefficient) pairs
Equation = tuple[str, dict]  # (AR table name, expression = 0)
Segment = tuple[str, ...]  # two or more points on one line, drawn as one segment
CircleSpec = tuple[str, ...]  # ("through", a, b, c) or ("centre", o, a, b): centre o, radius ab
Drawn = tuple[list[Segment], list[CircleSpec]]
ZERO, HALF = Fraction(0), Fraction(1, 2)


@total_ordering
class Predicate:
    """Protocol of one predicate, implemented by one class per predicate with one instance.

    ``arity`` None means variadic (at least ``min_arity``); the last ``numeric_args``
    arguments are numbers (degrees, a ratio), the others point names.
    """

    __slots__ = ()
    _instances: ClassVar[dict[type, Predicate]] = {}

    pred: ClassVar[Pred]
    name: ClassVar[str]
    arity: ClassVar[int | None] = None
    min_arity: ClassVar[int] = 0
    numeric_args: ClassVar[int] = 0
    numeric_only: ClassVar[bool] = False  # a side condition read off the diagram, never proved
    goal: ClassVar[bool] = False  # may be the goal of a problem
    # Composite facts: ``unfold`` gives their parts. The first ``needed_parts`` parts (None:
    # all) suffice to fold them back. A ``known_by_parts`` one counts as known to the rule
    # loop once its parts are, and is stored only if new to them (or the goal).
    needed_parts: ClassVar[int | None] = None
    known_by_parts: ClassVar[bool] = False
    replay_checked: ClassVar[bool] = True  # a proof step concluding it is re-checked numerically
    # Its AR equations speak of other points of the diagram than its own (midp: the median
    # from every point), so a diagram with more points gives it more equations.
    equations_read_all_points: ClassVar[bool] = False
    # An either-orientation predicate (simtri*) stands for these stored ones; empty: itself.
    cases: ClassVar[tuple[Predicate, ...]] = ()
    # A goal stated with this predicate is met by any of these, the one the diagram shows
    # (AG1 reads simtri/contri goals in either orientation); empty: itself only.
    goal_cases: ClassVar[tuple[Predicate, ...]] = ()

    def __init_subclass__(cls, **kwargs) -> None:
        super().__init_subclass__(**kwargs)
        if "pred" in cls.__dict__:
            cls.name = cls.pred.value

    def __new__(cls) -> Predicate:
        inst = Predicate._instances.get(cls)
        if inst is None:
            inst = Predicate._instances[cls] = super().__new__(cls)
        return inst

    def __reduce__(self) -> tuple:
        from . import predicate

        return (predicate, (self.name,))

    def __str__(self) -> str:
        return self.name

    def __repr__(self) -> str:
        return f"<predicate {self.name}>"

    def __lt__(self, other: object) -> bool:
        if not isinstance(other, Predicate):
            return NotImplemented
        return self.name < other.name

    # ------------------------------------------------------------------ arguments
    def check_arity(self, n: int) -> bool:
        return n == self.arity if self.arity is not None else n >= self.min_arity

    def split(self, args: Args) -> tuple[Args, Args]:
        """Point names and numeric constants."""
        k = self.numeric_args
        return (args[: len(args) - k], args[len(args) - k:]) if k else (args, ())

    def points(self, args: Args) -> Args:
        """The arguments that are points (the geometric arguments)."""
        k = self.numeric_args
        return args[: len(args) - k] if k else args

    # ------------------------------------------------------------------ statements
    @property
    def stored(self) -> Predicate:
        """The predicate statements of this one are stored as (eqangle6 -> eqangle)."""
        return self

    def resolve(self, args: Args) -> tuple[Predicate, Args]:
        """The stored predicate and arguments of the statement ``self args``."""
        return self.stored, args

    def canonical(self, args: Args) -> Args:
        """The canonical argument order: equal statements get equal arguments."""
        return args

    def degenerate(self, args: Args) -> bool:
        """Says nothing: a zero-length segment, too few distinct points..."""
        return False

    def unfold(self, args: Args) -> list[Fact]:
        """The simpler facts a composite statement stands for (its definition)."""
        return []

    # ------------------------------------------------------------------ numeric truth
    def check(self, ps: Sequence[Vec], consts: Args = ()) -> bool:
        raise TypeError(f"{self.name} has no numeric check")  # tests: every class has one

    def holds(self, args: Args, coords: Mapping[str, Vec]) -> bool:
        """Does the statement hold numerically on this diagram?"""
        points, consts = self.split(args)
        return self.check([coords[p] for p in points], consts)

    # ------------------------------------------------------------------ printing
    def text(self, args: Args) -> str:
        return f"{self.name} " + " ".join(args)

    # ------------------------------------------------------------------ matching
    def variants(self, args: Args) -> Iterator[Args]:
        """Argument tuples that state the same fact (to unify a fact with a rule's atom)."""
        yield args

    # ------------------------------------------------------------------ figures
    def drawn(self, points: Args) -> Drawn:
        """The segments and circles a statement about these points talks about."""
        return [], []

    def drawn_angles(self, points: Args) -> list[tuple[Segment, Segment]]:
        """The directed angles a statement talks about, each from one line to another."""
        return []

    def figure_lines(self, args: Args) -> list[tuple[str, str]]:
        """Pairs of points a premise of this predicate puts on a line of the figure (the
        lines heuristic auxiliary constructions intersect); empty if it draws none."""
        return []

    # ------------------------------------------------------------------ proof state
    def equations(self, args: Args, eq: ProofState) -> list[Equation | None]:
        """Its equations for the AR tables, written with ``eq.angle``, ``eq.ratio``,
        ``eq.dist``, ``eq.squared`` and ``eq.additivity`` (None entries: equations that say
        nothing)."""
        return []

    def on_add(self, state: ProofState, fact: Fact) -> None:
        """What the proof state's structures (lines, circles) learn from a new fact."""

    def derive(self, state: ProofState, fact: Fact) -> Fact | None:
        """``fact`` if it follows from what ``state`` knows (recorded there), else None.
        By default a predicate is known only as a stored fact."""
        return None

    def may_follow(self, state: ProofState, fact: Fact) -> bool:
        """For a statement not recorded: False only when ``derive(state, fact)`` would fail
        and change nothing (``ProofState.may_follow``). A predicate known only as stored
        facts never follows; one that ``derive`` overrides may, unless it says otherwise."""
        return type(self).derive is not Predicate.derive


class ARPredicate(Predicate):
    """A predicate whose facts are equations of the AR tables and are derived by them."""

    __slots__ = ()

    def derive(self, state: ProofState, fact: Fact) -> Fact | None:
        return state.derive_ar(fact)


class SegmentPair(ARPredicate):
    """A statement relating two segments ``ab`` and ``cd`` (para, perp, cong): arguments in
    pair order up to swapping ends and pairs, degenerate when a segment has zero length,
    drawn as the two segments, which are lines of the figure."""

    __slots__ = ()
    arity = 4

    def canonical(self, args: Args) -> Args:
        return pairs_sorted(args)

    def degenerate(self, args: Args) -> bool:
        return zero_segment(args)

    def variants(self, args: Args) -> Iterator[Args]:
        return pair_variants(args)

    def drawn(self, points: Args) -> Drawn:
        return paired(points), []

    def figure_lines(self, args: Args) -> list[tuple[str, str]]:
        a, b, c, d = args
        return [(a, b), (c, d)]


def paired(points: Args) -> list[Segment]:
    """Consecutive pairs ab, cd, ... of a statement about segments."""
    return [tuple(points[i:i + 2]) for i in range(0, len(points) - 1, 2)]


_PAIR_FORMS = [(0, 1, 2, 3), (1, 0, 2, 3), (0, 1, 3, 2), (1, 0, 3, 2),
               (2, 3, 0, 1), (3, 2, 0, 1), (2, 3, 1, 0), (3, 2, 1, 0)]
_QUAD_ORDERS = [(0, 1, 2, 3), (2, 3, 0, 1), (1, 0, 3, 2), (3, 2, 1, 0),
                (0, 2, 1, 3), (1, 3, 0, 2), (2, 0, 3, 1), (3, 1, 2, 0)]


def pair_variants(args: Args) -> Iterator[Args]:
    """The same statement about two segments, written every way (either segment first,
    either end first)."""
    for f in _PAIR_FORMS:
        yield tuple(args[i] for i in f)


def quad_variants(args: Args) -> Iterator[Args]:
    """The same statement about four segments (eqangle, eqratio), written every way: the
    eight orders of ``quad_canonical`` times either end first for each segment."""
    segs = [(args[i], args[i + 1]) for i in range(0, 8, 2)]
    for order in _QUAD_ORDERS:
        for flips in range(16):
            out: list[str] = []
            for k, i in enumerate(order):
                x, y = segs[i]
                out += [y, x] if flips >> k & 1 else [x, y]
            yield tuple(out)


def zero_segment(args: Args) -> bool:
    """Some segment of a statement about segments ab, cd, ... has length zero."""
    return any(args[i] == args[i + 1] for i in range(0, len(args), 2))


def seg(a: str, b: str) -> tuple[str, str]:
    return (a, b) if a <= b else (b, a)


def pairs_sorted(args: Args) -> Args:
    """Canonical form of a statement about two segments (ab, cd), symmetric in both."""
    s1, s2 = seg(args[0], args[1]), seg(args[2], args[3])
    lo, hi = sorted([s1, s2])
    return lo + hi


def quad_canonical(args: Args) -> Args:
    """eqangle AB CD PQ UV == eqangle PQ UV AB CD == eqangle AB PQ CD UV (mod pi); the same
    symmetries hold for eqratio (AB/CD = PQ/UV == CD/AB = UV/PQ ...). Written out (every
    deduced angle and ratio statement is put in this form): ``quad_canonical_spelled``."""
    if len(args) != 8:
        return quad_canonical_spelled(args)
    a, b, c, d, e, f, g, h = args
    s0 = (a, b) if a <= b else (b, a)
    s1 = (c, d) if c <= d else (d, c)
    s2 = (e, f) if e <= f else (f, e)
    s3 = (g, h) if g <= h else (h, g)
    best = min((s0, s1, s2, s3), (s2, s3, s0, s1), (s1, s0, s3, s2), (s3, s2, s1, s0),
               (s0, s2, s1, s3), (s1, s3, s0, s2), (s2, s0, s3, s1), (s3, s1, s2, s0))
    return best[0] + best[1] + best[2] + best[3]


def quad_canonical_spelled(args: Args) -> Args:
    s = [seg(args[i], args[i + 1]) for i in range(0, 8, 2)]
    forms = [(s[0], s[1], s[2], s[3]), (s[2], s[3], s[0], s[1]),
             (s[1], s[0], s[3], s[2]), (s[3], s[2], s[1], s[0]),
             (s[0], s[2], s[1], s[3]), (s[1], s[3], s[0], s[2]),
             (s[2], s[0], s[3], s[1]), (s[3], s[1], s[2], s[0])]
    best = min(forms)
    return tuple(x for pair in best for x in pair)
