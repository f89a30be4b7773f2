"""What a printed fact means, written for the checker alone: the normal form of a statement
(when two printed facts say the same), its truth on a diagram, the parts a composite fact is
defined as, and the AR equations it states.

Nothing here comes from the prover's predicate classes: a predicate is its name, and each
meaning is restated from geometry, so that a mistake in the engine's canonical forms,
numeric checks, definitions or AR encodings is not repeated here but caught.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Iterable, Mapping
from fractions import Fraction
from itertools import combinations

Args = tuple[str, ...]
Coords = Mapping[str, tuple[float, float]]
Stmt = tuple[str, Args]  # (predicate name, arguments), aliases resolved
TOL = 1e-6

ARITY = {"coll": None, "cyclic": None, "circle": None, "para": 4, "perp": 4, "cong": 4,
         "midp": 3, "eqangle": 8, "eqratio": 8, "eqratio3": 6, "simtri": 6, "simtri2": 6,
         "contri": 6, "contri2": 6, "simtri*": 6, "contri*": 6, "aconst": 5, "rconst": 6,
         "ncoll": None, "npara": 4, "nperp": 4, "sameside": 6, "diff": 2, "power": 4, "eqdot": 5,
         "menelaus": 6, "sines": 3}
MIN_ARITY = {"coll": 2, "cyclic": 3, "circle": 2, "ncoll": 3}
SIDE_CONDITIONS = frozenset({"ncoll", "npara", "nperp", "sameside", "diff"})
NUMBERS = {"aconst": 1, "rconst": 2}  # trailing arguments that are numbers
TRIANGLES = {"simtri": (False, False), "simtri2": (True, False), "contri": (False, True),
             "contri2": (True, True)}  # name -> (reflected, congruent)
EITHER = {"simtri*": ("simtri", "simtri2"), "contri*": ("contri", "contri2")}


class Unreadable(ValueError):
    """A fact that is not a statement of the language (unknown predicate, wrong arity)."""


def statement(name: str, args: Args) -> Stmt:
    """The statement ``name args`` with spellings resolved (eqangle6 is eqangle, s_angle is an
    aconst); Unreadable if it is not one."""
    if name in ("eqangle6", "eqratio6"):
        name = name[:-1]
    if name == "s_angle" and len(args) == 4:
        a, b, x, y = args
        name, args = "aconst", (b, a, b, x, y)
    if name not in ARITY:
        raise Unreadable(f"unknown predicate {name!r}")
    n = ARITY[name]
    if (n is not None and len(args) != n) or len(args) < MIN_ARITY.get(name, 0):
        raise Unreadable(f"{name} does not take {len(args)} arguments")
    for a in args[len(args) - NUMBERS.get(name, 0):] if name in NUMBERS else ():
        try:
            Fraction(a)
        except ValueError:
            raise Unreadable(f"{name}: {a!r} is not a number") from None
    return name, tuple(args)


def read(text: str) -> Stmt:
    """A fact as written in JSON (``"para a b c d"``)."""
    words = text.split()
    if not words:
        raise Unreadable("empty fact")
    return statement(words[0], tuple(words[1:]))


def points(s: Stmt) -> Args:
    name, args = s
    return args[:len(args) - NUMBERS[name]] if name in NUMBERS else args


# ---------------------------------------------------------------- normal forms

def segment(a: str, b: str) -> tuple[str, str]:
    return (a, b) if a <= b else (b, a)


def _quad(args: Args) -> tuple:
    """Four segments s0 s1 s2 s3 stating (s0, s1) ~ (s2, s3): swapping the sides, reversing
    both pairs, or exchanging the means leaves an equal-angle or equal-ratio statement."""
    s = [segment(args[i], args[i + 1]) for i in range(0, 8, 2)]
    orders = [(0, 1, 2, 3), (2, 3, 0, 1), (1, 0, 3, 2), (3, 2, 1, 0),
              (0, 2, 1, 3), (2, 0, 3, 1), (1, 3, 0, 2), (3, 1, 2, 0)]
    return min(tuple(s[i] for i in o) for o in orders)


def _triangles(args: Args) -> tuple:
    t1, t2 = args[:3], args[3:]
    forms = []
    for p in ((0, 1, 2), (1, 2, 0), (2, 0, 1), (0, 2, 1), (2, 1, 0), (1, 0, 2)):
        a, b = tuple(t1[i] for i in p), tuple(t2[i] for i in p)
        forms += [a + b, b + a]
    return min(forms)


def key(s: Stmt) -> tuple:
    """Equal keys for statements that say the same thing in other words."""
    name, args = s
    if name in ("coll", "cyclic", "ncoll", "sines"):
        return name, frozenset(args)
    if name in ("para", "perp", "cong", "npara", "nperp"):
        return name, frozenset({segment(*args[:2]), segment(*args[2:])})
    if name in ("eqangle", "eqratio"):
        return name, _quad(args)
    if name in ("midp", "circle"):
        return name, args[0], frozenset(args[1:])
    if name in TRIANGLES or name in EITHER:
        return name, _triangles(args)
    if name == "aconst":
        ab, cd, y = segment(*args[:2]), segment(*args[2:4]), Fraction(args[4])
        return name, min((ab, cd, y % 180), (cd, ab, -y % 180))
    if name == "rconst":
        ab, cd, k = segment(*args[:2]), segment(*args[2:4]), Fraction(int(args[4]), int(args[5]))
        return name, min((ab, cd, k), (cd, ab, 1 / k))
    if name == "diff":
        return name, frozenset(args)
    if name == "eqdot":  # pa·pb = pc·pd: either pair first, either point of a pair first
        return name, args[0], frozenset({segment(*args[1:3]), segment(*args[3:])})
    if name == "menelaus":  # the triangle's vertices with their feet, in any order
        return name, frozenset({(args[0], args[3]), (args[1], args[4]), (args[2], args[5])})
    return name, args


def trivial(s: Stmt) -> bool:
    """True by its form alone (``cong a b a b``, ``eqratio a b a b c d c d``...): the AR
    tables prove it from nothing."""
    name, args = s
    if name in ("para", "cong"):
        return segment(*args[:2]) == segment(*args[2:])
    if name in ("eqangle", "eqratio"):
        s0, s1, s2, s3 = _quad(args)
        return (s0 == s1 and s2 == s3) or (s0 == s2 and s1 == s3)
    return False


# ---------------------------------------------------------------- truth on a diagram

def _d(c: Coords, a: str, b: str) -> float:
    return math.hypot(c[b][0] - c[a][0], c[b][1] - c[a][1])


def direction(c: Coords, a: str, b: str) -> float:
    """Direction of line ab in [0, pi)."""
    t = math.atan2(c[b][1] - c[a][1], c[b][0] - c[a][0]) % math.pi
    return 0.0 if t >= math.pi - 1e-15 else t


def _same(x: float, y: float) -> bool:
    return abs(x - y) <= TOL * max(1.0, abs(x), abs(y))


def _mod_pi_zero(x: float) -> bool:
    r = x % math.pi
    return min(r, math.pi - r) < TOL


def _line_angle(c: Coords, a: str, b: str, p: str, q: str) -> float:
    return direction(c, p, q) - direction(c, a, b)


def _cross(c: Coords, o: str, a: str, b: str) -> float:
    return ((c[a][0] - c[o][0]) * (c[b][1] - c[o][1])
            - (c[a][1] - c[o][1]) * (c[b][0] - c[o][0]))


def _collinear(c: Coords, pts: Args) -> bool:
    far = max(((a, b) for a, b in combinations(pts, 2)), key=lambda ab: _d(c, *ab),
              default=None)
    if far is None or _d(c, *far) < TOL:
        return True
    a, b = far
    return all(abs(_cross(c, a, b, p)) / _d(c, a, b) < TOL for p in pts)


def _concyclic(c: Coords, pts: Args) -> bool:
    pts = tuple(dict.fromkeys(pts))
    if len(pts) < 4:
        return True
    for a, b, e in combinations(pts, 3):
        if abs(_cross(c, a, b, e)) > 1e-4:
            break
    else:
        return False
    (ax, ay), (bx, by), (ex, ey) = c[a], c[b], c[e]
    den = 2 * (ax * (by - ey) + bx * (ey - ay) + ex * (ay - by))
    ox = ((ax * ax + ay * ay) * (by - ey) + (bx * bx + by * by) * (ey - ay)
          + (ex * ex + ey * ey) * (ay - by)) / den
    oy = ((ax * ax + ay * ay) * (ex - bx) + (bx * bx + by * by) * (ax - ex)
          + (ex * ex + ey * ey) * (bx - ax)) / den
    r = math.hypot(ax - ox, ay - oy)
    return all(_same(math.hypot(c[p][0] - ox, c[p][1] - oy), r) for p in pts)


def _similar(c: Coords, args: Args, reflected: bool, congruent: bool) -> bool:
    x, y, z, p, q, r = args
    o1, o2 = _cross(c, x, y, z), _cross(c, p, q, r)
    if abs(o1) < TOL or abs(o2) < TOL or (o1 * o2 < 0) != reflected:
        return False
    s1 = (_d(c, x, y), _d(c, y, z), _d(c, z, x))
    s2 = (_d(c, p, q), _d(c, q, r), _d(c, r, p))
    if not all(_same(s1[i] * s2[j], s1[j] * s2[i]) for i, j in ((0, 1), (1, 2))):
        return False
    return _same(s1[0], s2[0]) if congruent else True


def holds(s: Stmt, c: Coords) -> bool:
    """Is the statement true on the diagram ``c``?"""
    name, a = s
    if name == "coll":
        return _collinear(c, a)
    if name == "cyclic":
        return _concyclic(c, a)
    if name == "circle":
        return all(_same(_d(c, a[0], p), _d(c, a[0], a[1])) for p in a[2:])
    if name in ("para", "npara"):
        ok = (_d(c, *a[:2]) > TOL and _d(c, *a[2:]) > TOL
              and _mod_pi_zero(_line_angle(c, *a)))
        return ok if name == "para" else not _mod_pi_zero(_line_angle(c, *a))
    if name in ("perp", "nperp"):
        ok = (_d(c, *a[:2]) > TOL and _d(c, *a[2:]) > TOL
              and _mod_pi_zero(_line_angle(c, *a) - math.pi / 2))
        return ok if name == "perp" else not _mod_pi_zero(_line_angle(c, *a) - math.pi / 2)
    if name == "cong":
        return _same(_d(c, *a[:2]), _d(c, *a[2:]))
    if name == "midp":
        m, x, y = a
        return (math.hypot(c[m][0] - (c[x][0] + c[y][0]) / 2, c[m][1] - (c[x][1] + c[y][1]) / 2)
                < TOL * max(1.0, _d(c, x, y)))
    if name == "eqangle":
        return _mod_pi_zero(_line_angle(c, *a[:4]) - _line_angle(c, *a[4:]))
    if name == "sines":  # a triangle: the law of sines holds
        return len(set(a)) == 3 and not _collinear(c, a)
    if name == "eqratio":
        return _same(_d(c, *a[:2]) * _d(c, *a[6:]), _d(c, *a[2:4]) * _d(c, *a[4:6]))
    if name == "eqratio3":
        return all(holds(p, c) for p in parts(s))
    if name in TRIANGLES:
        return _similar(c, a, *TRIANGLES[name])
    if name in EITHER:
        return any(holds((n, a), c) for n in EITHER[name])
    if name == "aconst":
        return _mod_pi_zero(_line_angle(c, *a[:4]) - math.radians(float(Fraction(a[4]))))
    if name == "rconst":
        return _same(_d(c, *a[:2]) * int(a[5]), _d(c, *a[2:4]) * int(a[4]))
    if name == "ncoll":
        return not _collinear(c, a)
    if name == "sameside":
        def dot(o: str, u: str, v: str) -> float:
            return ((c[u][0] - c[o][0]) * (c[v][0] - c[o][0])
                    + (c[u][1] - c[o][1]) * (c[v][1] - c[o][1]))
        return dot(*a[:3]) * dot(*a[3:]) > 0
    if name == "diff":
        return _d(c, *a) > TOL
    if name == "power":  # px·py (vectors) = po² − ox²
        vp, vx, vy = c[a[0]], c[a[2]], c[a[3]]
        along = (vx[0] - vp[0]) * (vy[0] - vp[0]) + (vx[1] - vp[1]) * (vy[1] - vp[1])
        po, ox = _d(c, a[0], a[1]), _d(c, a[1], a[2])
        return abs(along - (po * po - ox * ox)) < TOL * max(1.0, po * po, ox * ox)
    if name == "eqdot":  # pa·pb = pc·pd (vectors)
        def dot_at(o: str, u: str, v: str) -> float:
            return ((c[u][0] - c[o][0]) * (c[v][0] - c[o][0])
                    + (c[u][1] - c[o][1]) * (c[v][1] - c[o][1]))
        scale = max(1.0, _d(c, *a[:2]) * _d(c, a[0], a[2]), _d(c, a[0], a[3]) * _d(c, a[0], a[4]))
        return abs(dot_at(*a[:3]) - dot_at(a[0], *a[3:])) < TOL * scale
    if name == "menelaus":  # af·bd·ce = fb·dc·ea, no foot at a vertex
        x, y, z, p, q, r = a
        return (len({x, y, z}) == 3 and p not in (y, z) and q not in (z, x) and r not in (x, y)
                and _same(_d(c, x, r) * _d(c, y, p) * _d(c, z, q),
                          _d(c, r, y) * _d(c, p, z) * _d(c, q, x)))
    raise Unreadable(f"no meaning for {name}")


# ---------------------------------------------------------------- definitions

def parts(s: Stmt) -> list[Stmt]:
    """What a composite statement is defined as (empty for a simple one)."""
    name, a = s
    if name == "midp":
        m, x, y = a
        return [("coll", (m, x, y)), ("cong", (m, x, m, y)), ("rconst", (m, x, x, y, "1", "2"))]
    if name == "circle":
        return [("cong", (a[0], a[1], a[0], p)) for p in a[2:]]
    if name == "eqratio3":  # xy ∥ zw, lines xz and yw through m and n (Thales)
        x, y, z, w, m, n = a
        out: list[Stmt] = [("eqratio", (m, x, m, z, n, y, n, w)),
                           ("eqratio", (m, x, x, z, n, y, y, w)),
                           ("eqratio", (m, z, x, z, n, w, y, w))]
        return out + ([("eqratio", (m, x, m, z, x, y, z, w))] if m == n else [])
    if name in TRIANGLES:
        reflected, congruent = TRIANGLES[name]
        t1, t2 = a[:3], a[3:]
        tri: list[Stmt] = []
        for i in range(3):  # the angle at each vertex, mirrored when reflected
            u, v, w = t1[i - 1], t1[i], t1[(i + 1) % 3]
            p, q, r = t2[i - 1], t2[i], t2[(i + 1) % 3]
            tri.append(("eqangle", (v, u, v, w) + ((q, r, q, p) if reflected else (q, p, q, r))))
        sides = [(t1[i], t1[(i + 1) % 3], t2[i], t2[(i + 1) % 3]) for i in range(3)]
        tri += [("eqratio", s1 + s2) for s1, s2 in combinations(sides, 2)]  # xy:pq = yz:qr
        if congruent:
            tri += [("cong", sd) for sd in sides]
        return tri
    return []


def folds(s: Stmt, given: list[Stmt]) -> bool:
    """Do these parts (all of them parts of ``s``) suffice to conclude ``s``?"""
    all_parts = {key(p): p for p in parts(s)}
    have = {key(g) for g in given}
    if not all_parts or not have <= set(all_parts):
        return False
    name, a = s
    if name == "midp":  # on line xy and as far from x as from y
        return len(set(a)) == 3 and {key(p) for p in parts(s)[:2]} <= have
    if name in TRIANGLES:
        kinds = [all_parts[k][0] for k in have]
        return (kinds.count("eqangle") == 3 and kinds.count("eqratio") >= 2
                and (kinds.count("cong") >= 1 or not TRIANGLES[name][1]))
    return have == set(all_parts)


# ---------------------------------------------------------------- AR equations

Eq = dict[str, Fraction]
_VAR = re.compile(r"^(?:pi|log\((\d+)\)|([dlsq])\(([^,()]+),([^,()]+)\)"
                  r"|n\(([^,()]+),([^,()]+),([^,()]+),([^,()]+)\))$")
# The AR steps by name, and the table each one's equations belong to: in the angle table
# d(xy) is the direction of line xy (and pi a constant), in the ratio table l(xy) the log
# of |xy| (and log(p) the log of a prime), in the distance table s(xy) the length |xy|, in
# the squared table q(xy) = |xy|^2.
AR_TABLES = {"angle chase": "angle", "ratio chase": "ratio", "distance chase": "dist",
             "squared-length chase": "squared"}


def read_equation(raw: Mapping[str, str]) -> Eq:
    """A JSON equation {variable: coefficient}; Unreadable on a malformed variable."""
    out: Eq = {}
    for var, k in raw.items():
        m = _VAR.match(var)
        if not m:
            raise Unreadable(f"not an AR variable: {var!r}")
        if m.group(2):
            var = f"{m.group(2)}({','.join(segment(m.group(3), m.group(4)))})"
        elif m.group(5):
            var = sine(m.group(5), m.group(6), m.group(7), m.group(8))
        try:
            value = Fraction(k)
        except (ValueError, ZeroDivisionError):
            raise Unreadable(f"not a number: {k!r}") from None
        if value:
            out[var] = out.get(var, Fraction(0)) + value
    return {v: k for v, k in out.items() if k}


def sine(a: str, b: str, c: str, d: str) -> str:
    """The ratio table's variable n(ab,cd) = log |sin ∠(ab,cd)|, the same for either order
    of the two lines and of the points of each."""
    s, t = sorted((segment(a, b), segment(c, d)))
    return f"n({','.join(s + t)})"


# log |sin y| for the angles y (degrees mod 180) whose sine is a product of powers of primes
# and their square roots: sin 30° = 1/2, sin 45° = 2^(-1/2), sin 60° = 3^(1/2) / 2
SINE_LOGS = {90: {}, 30: {2: Fraction(-1)}, 45: {2: Fraction(-1, 2)},
             60: {3: Fraction(1, 2), 2: Fraction(-1)}}


def sine_equation(angles: list[tuple[Args, int]], lengths: Iterable[tuple[Args, int]] = (),
                  degrees: int | None = None) -> Eq:
    """sum(k * n(angle)) + sum(k * l(segment)) − log |sin degrees°| (``angles``: four
    points, the two lines)."""
    out = linear("l", list(lengths))
    for (a, b, c, d), k in angles:
        v = sine(a, b, c, d)
        out[v] = out.get(v, Fraction(0)) + k
    if degrees is not None:
        y = degrees % 180
        for p, e in SINE_LOGS[min(y, 180 - y)].items():
            out[f"log({p})"] = out.get(f"log({p})", Fraction(0)) - e
    return {v: k for v, k in out.items() if k}


def sines_equations(a: Args) -> list[Eq]:
    """``sines a b c``: ab / sin c = bc / sin a = ca / sin b, as l(ab) − n(ca,cb) − l(bc) +
    n(ab,ac) = 0 and l(bc) − n(ab,ac) − l(ca) + n(ba,bc) = 0 (and their difference)."""
    x, y, z = a
    at_x, at_y, at_z = (x, y, x, z), (y, x, y, z), (z, x, z, y)
    first = sine_equation([(at_z, -1), (at_x, 1)], [((x, y), 1), ((y, z), -1)])
    second = sine_equation([(at_x, -1), (at_y, 1)], [((y, z), 1), ((z, x), -1)])
    third = sine_equation([(at_z, -1), (at_y, 1)], [((x, y), 1), ((z, x), -1)])
    return [first, second, third]


def sine_equations(s: Stmt, c: Coords) -> list[Eq]:
    """The law-of-sines equations of the ratio table that ``s`` states on the diagram
    ``c``: the law for a triangle (``sines``), equal sines of equal angles (``eqangle``),
    the sine of a known angle (``perp``, ``aconst`` of 30°, 45°, 60° or a supplement). An
    angle between parallel lines has no sine's logarithm: none for a statement naming one."""
    name, a = s
    wants: list[Eq] = []
    angles: list[Args] = []
    if name == "sines":
        wants = sines_equations(a)
        x, y, z = a
        angles = [(x, y, x, z), (y, x, y, z), (z, x, z, y)]
    elif name == "eqangle":  # ∠(ab,cd) = ∠(pq,uv) exactly when ∠(ab,pq) = ∠(cd,uv)
        pairs = [(a[:4], a[4:]), (a[:2] + a[4:6], a[2:4] + a[6:])]
        return [sine_equation([(g, 1), (h, -1)]) for g, h in pairs
                if all(_has_sine(c, x) for x in (g, h)) and sine(*g) != sine(*h)]
    elif name == "perp":
        wants = [sine_equation([(a, 1)], degrees=90)]
        angles = [a]
    elif name == "aconst":
        deg = Fraction(a[4])
        if deg.denominator == 1 and min(int(deg) % 180, -int(deg) % 180) in SINE_LOGS:
            wants = [sine_equation([(a[:4], 1)], degrees=int(deg))]
            angles = [a[:4]]
    return [w for w in wants if w] if all(_has_sine(c, g) for g in angles) else []


def _has_sine(c: Coords, g: Args) -> bool:
    """Lines g[:2] and g[2:] meet at an angle (log |sin| is a number)."""
    return _d(c, *g[:2]) > TOL and _d(c, *g[2:]) > TOL and not _mod_pi_zero(_line_angle(c, *g))


def linear(kind: str, terms: list[tuple[Args, int]]) -> Eq:
    """sum(k * kind(segment)) over the (segment, k) terms."""
    out: Eq = {}
    for pair, k in terms:
        v = f"{kind}({','.join(segment(pair[0], pair[1]))})"
        out[v] = out.get(v, Fraction(0)) + k
    return {v: k for v, k in out.items() if k}


def menelaus_ratio(a: Args) -> Eq:
    """``menelaus a b c d e f`` in the ratio table: l(af) − l(fb) + l(bd) − l(dc) + l(ce) −
    l(ea) (af·bd·ce = fb·dc·ea)."""
    x, y, z, p, q, r = a
    return linear("l", [((x, r), 1), ((r, y), -1), ((y, p), 1), ((p, z), -1), ((z, q), 1),
                        ((q, x), -1)])


def prime_logs(n: int, sign: int) -> Eq:
    out: Eq = {}
    p = 2
    while n > 1:
        while n % p == 0:
            out[f"log({p})"] = out.get(f"log({p})", Fraction(0)) + sign
            n //= p
        p += 1
    return out


def rconst_ratio(a: Args) -> Eq:
    """log ab - log cd - log(p/q) of ``rconst a b c d p q`` (logs of primes as variables)."""
    eq = linear("l", [(a[:2], 1), (a[2:4], -1)])
    for v, k in list(prime_logs(int(a[4]), -1).items()) + list(prime_logs(int(a[5]), 1).items()):
        eq[v] = eq.get(v, Fraction(0)) + k
    return {v: k for v, k in eq.items() if k}


def _scaled(eq: Eq, want: Eq, signs_only: bool) -> bool:
    """eq == s * want for some s (+-1 when ``signs_only``, else any nonzero rational)."""
    if set(eq) != set(want) or not want:
        return False
    v = next(iter(want))
    s = eq[v] / want[v]
    return (not signs_only or abs(s) == 1) and all(eq[u] == s * want[u] for u in want)


def _value(eq: Eq, c: Coords, what: Callable[[str, str, str], float]) -> float:
    total = 0.0
    for var, k in eq.items():
        if var == "pi":
            total += float(k) * math.pi
        else:
            a, b = var[2:-1].split(",")
            total += float(k) * what(var[0], a, b)
    return total


def _var_value(kind: str, a: str, b: str, c: Coords) -> float:
    return direction(c, a, b) if kind == "d" else _d(c, a, b)


def states(s: Stmt, table: str, eq: Eq, c: Coords, target: bool = False) -> bool:
    """Is ``eq`` (= 0) an equation of table ``table`` that the statement ``s`` states, true on
    the diagram ``c`` (which fixes an angle equation's multiple of pi and the order of points
    along a line)? As the ``target`` of an AR step, only an equation that says all the
    statement does: not a law-of-sines one (equal sines do not make equal angles)."""
    name, a = s
    if table == "angle":
        var = {v: k for v, k in eq.items() if v != "pi"}
        pi = eq.get("pi", Fraction(0))
        want: Eq
        if name == "coll":
            segs = {segment(x, y) for x, y in combinations(set(a), 2)}
            pairs = [linear("d", [(p, 1), (q, -1)]) for p, q in combinations(segs, 2)]
            ok = any(_scaled(var, w, True) for w in pairs) and pi.denominator == 1
        else:
            if name in ("para", "perp"):
                want = linear("d", [(a[:2], 1), (a[2:], -1)])
                k = Fraction(1, 2) if name == "perp" else Fraction(0)
            elif name == "eqangle":
                want = linear("d", [(a[2:4], 1), (a[:2], -1), (a[6:], -1), (a[4:6], 1)])
                k = Fraction(0)
            elif name == "aconst":
                want, k = linear("d", [(a[2:4], 1), (a[:2], -1)]), -Fraction(a[4]) / 180
            else:
                return False
            k = k % 1
            ok = any(var == {v: sg * w for v, w in want.items()} and (pi - sg * k).denominator == 1
                     for sg in (1, -1)) and bool(want)
        return ok and abs(_value(eq, c, lambda kd, x, y: _var_value(kd, x, y, c))) < 1e-6
    if table == "ratio":
        if name == "cong":
            want = linear("l", [(a[:2], 1), (a[2:], -1)])
        elif name == "eqratio":
            want = linear("l", [(a[:2], 1), (a[2:4], -1), (a[4:6], -1), (a[6:], 1)])
        elif name == "rconst":
            want = rconst_ratio(a)
        elif name == "menelaus":
            want = menelaus_ratio(a)
        else:
            want = {}
        if any(v.startswith("n(") for v in eq):
            return not target and any(_scaled(eq, w, False) for w in sine_equations(s, c))
        return bool(want) and _scaled(eq, want, False)
    if table == "dist":
        if name == "cong":
            return _scaled(eq, linear("s", [(a[:2], 1), (a[2:], -1)]), False)
        if name == "rconst":
            return _scaled(eq, linear("s", [(a[:2], int(a[5])), (a[2:4], -int(a[4]))]), False)
        if name == "coll":
            for x, y, z in combinations(sorted(set(a)), 3):
                for u, v, w in ((x, y, z), (y, x, z), (x, z, y)):  # v between u and w
                    if _scaled(eq, linear("s", [((u, w), 1), ((u, v), -1), ((v, w), -1)]), False):
                        return abs(_d(c, u, w) - _d(c, u, v) - _d(c, v, w)) < 1e-6
        return False
    if table == "squared":
        others = {p for v in eq for p in v[2:-1].split(",")}
        return any(_scaled(eq, want, False) for want in squared_equations(s, others))
    return False


def squared_equations(s: Stmt, others: Iterable[str] = ()) -> list[Eq]:
    """The squared-length equations a statement states (true on every drawing): equal
    segments have equal squares (AB = k CD: AB^2 = k^2 CD^2); AB ⊥ CD exactly when
    AC^2 + BD^2 = AD^2 + BC^2 (a segment of length zero has square zero); M the midpoint
    of AB gives, for each point X of ``others`` (Apollonius), 2XA^2 + 2XB^2 = 4XM^2 + AB^2;
    P's power PX·PY = PO^2 - OX^2 is PX^2 + PY^2 - XY^2 = 2PO^2 - 2OX^2 (2 PX·PY, vectors, is
    PX^2 + PY^2 - XY^2); PA·PB = PC·PD is PA^2 + PB^2 - AB^2 = PC^2 + PD^2 - CD^2."""
    name, a = s
    if name == "midp":
        m, x, y = a
        return [linear("q", [((p, x), 2), ((p, y), 2), ((p, m), -4), ((x, y), -1)])
                for p in sorted(set(others) - set(a))]
    if name == "cong":
        want = linear("q", [(a[:2], 1), (a[2:], -1)])
    elif name == "rconst":
        p, q = int(a[4]), int(a[5])
        want = linear("q", [(a[:2], q * q), (a[2:4], -p * p)])
    elif name == "power":  # 2 px·py = px² + py² − xy², and px·py = po² − ox²
        pt, o, u1, u2 = a
        want = linear("q", [(u, k) for u, k in (((pt, u1), 1), ((pt, u2), 1), ((u1, u2), -1),
                                                 ((pt, o), -2), ((o, u1), 2)) if u[0] != u[1]])
    elif name == "eqdot":  # 2 pa·pb = pa² + pb² − ab²
        pt, u1, u2, u3, u4 = a
        want = linear("q", [(u, k) for u, k in (((pt, u1), 1), ((pt, u2), 1), ((u1, u2), -1),
                                                 ((pt, u3), -1), ((pt, u4), -1), ((u3, u4), 1))
                            if u[0] != u[1]])
    elif name == "perp":
        x, y, z, w = a
        want = linear("q", [(u, k) for u, k in (((x, z), 1), ((y, w), 1), ((x, w), -1),
                                                 ((y, z), -1)) if u[0] != u[1]])
    else:
        return []
    return [want] if want else []
