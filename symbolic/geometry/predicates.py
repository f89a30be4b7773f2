"""The closed vocabulary of geometry predicates.

One class per predicate owns its protocol: arity, canonical argument order (so that equal
statements compare equal), numeric check on a diagram, and printing. ``PREDICATES`` is the
explicit registry from the name used in problem files and rule tables to the class.

Angles are *full angles*: ``eqangle A B C D P Q U V`` says that the directed angle from line
AB to line CD equals the directed angle from line PQ to line UV, modulo 180 degrees.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from enum import Enum
from typing import ClassVar

import numpy as np

Vec = np.ndarray
TOL = 1e-7


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


# ----------------------------------------------------------------------------- numeric helpers


def _cross(u: Vec, v: Vec) -> float:
    return float(u[0] * v[1] - u[1] * v[0])


def _unit(u: Vec) -> Vec:
    n = float(np.hypot(u[0], u[1]))
    return u / n if n > 0 else u


def direction(a: Vec, b: Vec) -> float:
    """Direction of line ab in [0, pi)."""
    d = math.atan2(float(b[1] - a[1]), float(b[0] - a[0])) % math.pi
    return 0.0 if d >= math.pi - 1e-15 else d


def angle_mod_pi(x: float) -> float:
    """Reduce to (-pi/2, pi/2]: the distance of a full angle from 0."""
    r = x % math.pi
    return r - math.pi if r > math.pi / 2 else r


def close(a: float, b: float, tol: float = TOL) -> bool:
    return abs(a - b) <= tol * max(1.0, abs(a), abs(b))


def is_coll(ps: Sequence[Vec]) -> bool:
    base = [p for p in ps]
    a = base[0]
    far = max(base[1:], key=lambda p: float(np.hypot(*(p - a))))
    d = _unit(far - a)
    if float(np.hypot(*(far - a))) < TOL:
        return True
    return all(abs(_cross(d, p - a)) < TOL for p in base)


def circumcenter(a: Vec, b: Vec, c: Vec) -> Vec | None:
    d = 2 * _cross(b - a, c - a)
    if abs(d) < 1e-12:
        return None
    b2 = float((b - a) @ (b - a))
    c2 = float((c - a) @ (c - a))
    ux = ((c - a)[1] * b2 - (b - a)[1] * c2) / d
    uy = ((b - a)[0] * c2 - (c - a)[0] * b2) / d
    return a + np.array([ux, uy])


def is_cyclic(ps: Sequence[Vec]) -> bool:
    if len(ps) < 4:
        return True
    o = circumcenter(ps[0], ps[1], ps[2])
    if o is None:
        return False
    r = float(np.hypot(*(ps[0] - o)))
    return all(close(float(np.hypot(*(p - o))), r) for p in ps[3:])


def full_angle(a: Vec, b: Vec, c: Vec, d: Vec) -> float:
    """Directed angle from line ab to line cd, in [0, pi)."""
    return (direction(c, d) - direction(a, b)) % math.pi


def same_full_angle(x: float, y: float) -> bool:
    return abs(angle_mod_pi(x - y)) < TOL


def length(a: Vec, b: Vec) -> float:
    return float(np.hypot(*(b - a)))


def orientation(a: Vec, b: Vec, c: Vec) -> int:
    s = _cross(b - a, c - a)
    return 0 if abs(s) < TOL else (1 if s > 0 else -1)


# ----------------------------------------------------------------------------- predicate classes


class Predicate:
    """Protocol of one predicate. ``arity`` None means variadic (at least ``min_arity``)."""

    pred: ClassVar[Pred]
    arity: ClassVar[int | None] = None
    min_arity: ClassVar[int] = 0
    numeric_only: ClassVar[bool] = False  # a side condition read off the diagram, never proved

    @classmethod
    def check_arity(cls, n: int) -> bool:
        return n == cls.arity if cls.arity is not None else n >= cls.min_arity

    @classmethod
    def canonical(cls, args: tuple[str, ...]) -> tuple[str, ...]:
        return args

    @classmethod
    def check(cls, ps: Sequence[Vec], consts: tuple[str, ...] = ()) -> bool:
        raise TypeError(f"{cls.__name__} has no numeric check")  # tests: every class has one

    @classmethod
    def text(cls, args: tuple[str, ...]) -> str:
        return f"{cls.pred.value} " + " ".join(args)


def _seg(a: str, b: str) -> tuple[str, str]:
    return (a, b) if a <= b else (b, a)


def _pairs_sorted(args: tuple[str, ...]) -> tuple[str, ...]:
    s1, s2 = _seg(args[0], args[1]), _seg(args[2], args[3])
    lo, hi = sorted([s1, s2])
    return lo + hi


class Coll(Predicate):
    pred = Pred.COLL
    min_arity = 3

    @classmethod
    def canonical(cls, args):
        return tuple(sorted(set(args)))

    @classmethod
    def check(cls, ps, consts=()):
        return is_coll(ps)

    @classmethod
    def text(cls, args):
        return ", ".join(args) + " are collinear"


class Para(Predicate):
    pred = Pred.PARA
    arity = 4

    canonical = classmethod(lambda cls, args: _pairs_sorted(args))

    @classmethod
    def check(cls, ps, consts=()):
        a, b, c, d = ps
        return abs(_cross(_unit(b - a), _unit(d - c))) < TOL

    @classmethod
    def text(cls, args):
        a, b, c, d = args
        return f"{a}{b} ∥ {c}{d}"


class Perp(Predicate):
    pred = Pred.PERP
    arity = 4

    canonical = classmethod(lambda cls, args: _pairs_sorted(args))

    @classmethod
    def check(cls, ps, consts=()):
        a, b, c, d = ps
        return abs(float(_unit(b - a) @ _unit(d - c))) < TOL

    @classmethod
    def text(cls, args):
        a, b, c, d = args
        return f"{a}{b} ⊥ {c}{d}"


class Cong(Predicate):
    pred = Pred.CONG
    arity = 4

    canonical = classmethod(lambda cls, args: _pairs_sorted(args))

    @classmethod
    def check(cls, ps, consts=()):
        a, b, c, d = ps
        return close(length(a, b), length(c, d))

    @classmethod
    def text(cls, args):
        a, b, c, d = args
        return f"{a}{b} = {c}{d}"


class Cyclic(Predicate):
    pred = Pred.CYCLIC
    min_arity = 4

    @classmethod
    def canonical(cls, args):
        return tuple(sorted(set(args)))

    @classmethod
    def check(cls, ps, consts=()):
        return is_cyclic(ps)

    @classmethod
    def text(cls, args):
        return ", ".join(args) + " are concyclic"


class Circle(Predicate):
    """``circle O A B C``: O is the centre of the circle through A, B, C."""

    pred = Pred.CIRCLE
    min_arity = 3

    @classmethod
    def canonical(cls, args):
        return (args[0],) + tuple(sorted(set(args[1:])))

    @classmethod
    def check(cls, ps, consts=()):
        o, first = ps[0], ps[1]
        r = length(o, first)
        return all(close(length(o, p), r) for p in ps[2:])

    @classmethod
    def text(cls, args):
        return f"{args[0]} is the centre of the circle through " + ", ".join(args[1:])


class Midp(Predicate):
    pred = Pred.MIDP
    arity = 3

    @classmethod
    def canonical(cls, args):
        return (args[0],) + tuple(sorted(args[1:]))

    @classmethod
    def check(cls, ps, consts=()):
        m, a, b = ps
        return length(m, (a + b) / 2) < TOL * max(1.0, length(a, b))

    @classmethod
    def text(cls, args):
        return f"{args[0]} is the midpoint of {args[1]}{args[2]}"


def _angle_canonical(args: tuple[str, ...]) -> tuple[str, ...]:
    """eqangle AB CD PQ UV == eqangle PQ UV AB CD == eqangle AB PQ CD UV (mod pi)."""
    s = [_seg(args[i], args[i + 1]) for i in range(0, 8, 2)]
    forms = [(s[0], s[1], s[2], s[3]), (s[2], s[3], s[0], s[1]),
             (s[1], s[0], s[3], s[2]), (s[3], s[2], s[1], s[0]),
             (s[0], s[2], s[1], s[3]), (s[1], s[3], s[0], s[2]),
             (s[2], s[0], s[3], s[1]), (s[3], s[1], s[2], s[0])]
    best = min(forms)
    return tuple(x for seg in best for x in seg)


class EqAngle(Predicate):
    pred = Pred.EQANGLE
    arity = 8

    canonical = classmethod(lambda cls, args: _angle_canonical(args))

    @classmethod
    def check(cls, ps, consts=()):
        a, b, c, d, p, q, u, v = ps
        return same_full_angle(full_angle(a, b, c, d), full_angle(p, q, u, v))

    @classmethod
    def text(cls, args):
        a, b, c, d, p, q, u, v = args
        return f"∠({a}{b},{c}{d}) = ∠({p}{q},{u}{v})"


class EqAngle6(EqAngle):
    pred = Pred.EQANGLE6


def _ratio_canonical(args: tuple[str, ...]) -> tuple[str, ...]:
    """eqratio AB CD PQ UV: AB/CD = PQ/UV; same symmetries as eqangle (CD/AB = UV/PQ ...)."""
    return _angle_canonical(args)


class EqRatio(Predicate):
    pred = Pred.EQRATIO
    arity = 8

    canonical = classmethod(lambda cls, args: _ratio_canonical(args))

    @classmethod
    def check(cls, ps, consts=()):
        a, b, c, d, p, q, u, v = ps
        return close(length(a, b) * length(u, v), length(c, d) * length(p, q))

    @classmethod
    def text(cls, args):
        a, b, c, d, p, q, u, v = args
        return f"{a}{b}:{c}{d} = {p}{q}:{u}{v}"


class EqRatio6(EqRatio):
    pred = Pred.EQRATIO6


class EqRatio3(Predicate):
    """``eqratio3 A B C D O O``: AB ∥ CD cut by lines through O (Thales): OA/OC = OB/OD."""

    pred = Pred.EQRATIO3
    arity = 6

    @classmethod
    def check(cls, ps, consts=()):
        a, b, c, d, m, n = ps
        return close(length(m, a) * length(n, d), length(m, c) * length(n, b))

    @classmethod
    def text(cls, args):
        a, b, c, d, m, n = args
        return f"{m}{a}:{m}{c} = {n}{b}:{n}{d}"


def _tri_canonical(args: tuple[str, ...]) -> tuple[str, ...]:
    t1, t2 = args[:3], args[3:]
    perms = [(0, 1, 2), (1, 2, 0), (2, 0, 1), (0, 2, 1), (2, 1, 0), (1, 0, 2)]
    forms = []
    for p in perms:
        a = tuple(t1[i] for i in p)
        b = tuple(t2[i] for i in p)
        forms += [a + b, b + a]
    return min(forms)


def _similar(ps: Sequence[Vec], reflected: bool | None, congruent: bool) -> bool:
    a, b, c, p, q, r = ps
    o1, o2 = orientation(a, b, c), orientation(p, q, r)
    if o1 == 0 or o2 == 0:
        return False
    if reflected is True and o1 == o2:
        return False
    if reflected is False and o1 != o2:
        return False
    ab, bc, ca = length(a, b), length(b, c), length(c, a)
    pq, qr, rp = length(p, q), length(q, r), length(r, p)
    if not (close(ab * qr, bc * pq) and close(bc * rp, ca * qr)):
        return False
    return close(ab, pq) if congruent else True


class SimTri(Predicate):
    """Similar triangles with the same orientation."""

    pred = Pred.SIMTRI
    arity = 6
    reflected: ClassVar[bool | None] = False
    congruent: ClassVar[bool] = False

    canonical = classmethod(lambda cls, args: _tri_canonical(args))

    @classmethod
    def check(cls, ps, consts=()):
        return _similar(ps, cls.reflected, cls.congruent)

    @classmethod
    def text(cls, args):
        word = "congruent" if cls.congruent else "similar"
        return f"△{''.join(args[:3])} {word} to △{''.join(args[3:])}"


class SimTri2(SimTri):
    pred = Pred.SIMTRI2
    reflected = True


class SimTriAny(SimTri):
    pred = Pred.SIMTRI_ANY
    reflected = None


class ConTri(SimTri):
    pred = Pred.CONTRI
    congruent = True


class ConTri2(SimTri):
    pred = Pred.CONTRI2
    reflected = True
    congruent = True


class ConTriAny(SimTri):
    pred = Pred.CONTRI_ANY
    reflected = None
    congruent = True


class SAngle(Predicate):
    """``s_angle A B X y``: the directed angle from line BA to line BX is y degrees (mod 180)."""

    pred = Pred.SANGLE
    arity = 4

    @classmethod
    def check(cls, ps, consts=()):
        a, b, x = ps[:3]
        target = math.radians(float(consts[0]))
        return same_full_angle(full_angle(b, a, b, x), target)

    @classmethod
    def text(cls, args):
        return f"∠({args[1]}{args[0]},{args[1]}{args[2]}) = {args[3]}°"


class AConst(Predicate):
    """``aconst A B C D y``: the directed angle from line AB to line CD is y degrees (mod 180)."""

    pred = Pred.ACONST
    arity = 5

    @classmethod
    def check(cls, ps, consts=()):
        a, b, c, d = ps[:4]
        return same_full_angle(full_angle(a, b, c, d), math.radians(float(consts[0])))

    @classmethod
    def text(cls, args):
        a, b, c, d, y = args
        return f"∠({a}{b},{c}{d}) = {y}°"


class RConst(Predicate):
    """``rconst A B C D p q``: AB : CD = p : q."""

    pred = Pred.RCONST
    arity = 6

    @classmethod
    def check(cls, ps, consts=()):
        a, b, c, d = ps[:4]
        p, q = float(consts[0]), float(consts[1])
        return close(length(a, b) * q, length(c, d) * p)

    @classmethod
    def text(cls, args):
        a, b, c, d, p, q = args
        return f"{a}{b}:{c}{d} = {p}:{q}"


class NColl(Predicate):
    pred = Pred.NCOLL
    min_arity = 3
    numeric_only = True

    @classmethod
    def check(cls, ps, consts=()):
        return not is_coll(ps)


class NPara(Predicate):
    pred = Pred.NPARA
    arity = 4
    numeric_only = True

    @classmethod
    def check(cls, ps, consts=()):
        return not Para.check(ps)


class NPerp(Predicate):
    pred = Pred.NPERP
    arity = 4
    numeric_only = True

    @classmethod
    def check(cls, ps, consts=()):
        return not Perp.check(ps)


class SameSide(Predicate):
    """``sameside A B C X Y Z``: A is between B and C iff X is between Y and Z."""

    pred = Pred.SAMESIDE
    arity = 6
    numeric_only = True

    @classmethod
    def check(cls, ps, consts=()):
        a, b, c, x, y, z = ps
        s1 = float((b - a) @ (c - a))
        s2 = float((y - x) @ (z - x))
        return s1 * s2 > 0


class Diff(Predicate):
    pred = Pred.DIFF
    arity = 2
    numeric_only = True

    @classmethod
    def check(cls, ps, consts=()):
        return length(ps[0], ps[1]) > TOL


PREDICATES: dict[str, type[Predicate]] = {
    cls.pred.value: cls
    for cls in (Coll, Para, Perp, Cong, Cyclic, Circle, Midp, EqAngle, EqAngle6, EqRatio,
                EqRatio6, EqRatio3, SimTri, SimTri2, SimTriAny, ConTri, ConTri2, ConTriAny,
                SAngle, AConst, RConst, NColl, NPara, NPerp, SameSide, Diff)
}

# How many trailing arguments of each predicate are numbers rather than points.
NUMERIC_ARGS: dict[Pred, int] = {Pred.SANGLE: 1, Pred.ACONST: 1, Pred.RCONST: 2}


def predicate(name: str) -> type[Predicate]:
    """The class of predicate ``name``; KeyError if there is none."""
    return PREDICATES[name]


def split_args(pred: Pred, args: tuple[str, ...]) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """Split arguments into point names and numeric constants."""
    k = NUMERIC_ARGS.get(pred, 0)
    return (args[: len(args) - k], args[len(args) - k:]) if k else (args, ())


def holds(name: str, args: tuple[str, ...], coords: dict[str, Vec]) -> bool:
    """Does predicate ``name`` hold numerically for these arguments on this diagram?"""
    cls = predicate(name)
    points, consts = split_args(cls.pred, args)
    return cls.check([coords[p] for p in points], consts)
