"""Problem files in AlphaGeometry's language, read into typed ``Problem`` objects.

A file holds pairs of lines: a name, then ``clause; clause; ... ? goal``. A clause creates
points constrained by constructions from the definition table::

    a b c = triangle a b c; h = on_tline h b a c, on_tline h c a b ? perp a h b c

When a construction is written with ``len(points)`` fewer arguments than its definition,
the clause's points are prepended (``h = on_tline b a c`` means ``on_tline h b a c``).
Errors name the file, line and column and say what was expected.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from .errors import ConstructionError, ParseError
from .predicates import NUMERIC_ARGS, PREDICATES
from .tables import Atom, Construction, definitions

GOAL_PREDICATES = ("coll", "para", "perp", "cong", "cyclic", "circle", "midp", "eqangle",
                   "eqratio", "simtri", "simtri2", "contri", "contri2", "aconst", "rconst")


@dataclass(frozen=True)
class Step:
    """One construction applied in a clause, with its arguments resolved (elision undone)."""

    construction: Construction
    args: tuple[str, ...]
    column: int

    @property
    def mapping(self) -> dict[str, str]:
        return dict(zip(self.construction.args, self.args))

    def atoms(self, atoms: tuple[Atom, ...]) -> tuple[Atom, ...]:
        m = self.mapping
        return tuple(a.rename(m) for a in atoms)

    def __str__(self) -> str:
        return " ".join((self.construction.name,) + self.args)


@dataclass(frozen=True)
class Clause:
    points: tuple[str, ...]
    steps: tuple[Step, ...]
    pins: dict[str, tuple[float, float]] = field(default_factory=dict)

    def __str__(self) -> str:
        return " ".join(self.points) + " = " + ", ".join(map(str, self.steps))


@dataclass(frozen=True)
class Problem:
    """A parsed problem: ordered clauses and a goal, with where it came from."""

    name: str
    clauses: tuple[Clause, ...]
    goal: Atom
    file: str = "<string>"
    line: int = 1

    @property
    def points(self) -> tuple[str, ...]:
        return tuple(p for c in self.clauses for p in c.points)

    def text(self) -> str:
        return "; ".join(map(str, self.clauses)) + " ? " + str(self.goal)


def _err(cls, msg: str, file: str, line: int, column: int | None, name: str):
    return cls(msg, file=file, line=line, column=column, problem=name)


def parse_problem(text: str, name: str = "problem", file: str = "<string>",
                  line: int = 1) -> Problem:
    """Parse one problem line. Raises ParseError / ConstructionError with a location."""
    import lark

    from grammars.load import parser

    try:
        tree = parser("geometry_problem").parse(text.strip())
    except lark.exceptions.UnexpectedCharacters as e:
        bad = text.strip()[e.pos_in_stream or 0]
        raise _err(ParseError, f"unexpected character {bad!r}; "
                   "expected a point name, '=', ',', ';' or '?'", file, line, e.column,
                   name) from None
    except lark.exceptions.UnexpectedToken as e:
        got = "end of line" if e.token.type == "$END" else repr(str(e.token))
        want = ", ".join(sorted(_readable(t) for t in e.expected))
        raise _err(ParseError, f"unexpected {got}; expected {want}", file, line, e.column,
                   name) from None
    except lark.exceptions.UnexpectedInput as e:
        raise _err(ParseError, "cannot read the problem line", file, line,
                   getattr(e, "column", None), name) from None
    defs = definitions()
    known: set[str] = set()
    clauses = []
    for node in tree.children[:-1]:
        clauses.append(_clause(node, defs, known, file, line, name))
    goal = _goal(tree.children[-1], known, file, line, name)
    return Problem(name, tuple(clauses), goal, file, line)


_TOKEN_NAMES = {"NAME": "a point name", "WORD": "an argument", "SEMICOLON": "';'",
                "COMMA": "','", "EQUAL": "'='", "QMARK": "'?'", "PIN": "'@x_y'",
                "$END": "end of line"}


def _readable(tok: str) -> str:
    return _TOKEN_NAMES.get(tok, tok)


def _clause(node, defs, known: set[str], file: str, line: int, name: str) -> Clause:
    points: list[str] = []
    pins: dict[str, tuple[float, float]] = {}
    steps: list[Step] = []
    for child in node.children:
        if child is None:
            continue
        if child.data == "point":
            p = str(child.children[0])
            col = child.meta.column
            if p in known or p in points:
                raise _err(ConstructionError, f"point {p} is defined twice", file, line, col,
                           name)
            points.append(p)
            if child.children[1] is not None:
                x, y = str(child.children[1])[1:].split("_")
                pins[p] = (float(x), float(y))
        else:
            steps.append(_step(child, defs, points, known, file, line, name))
    for p in points:
        known.add(p)
    return Clause(tuple(points), tuple(steps), pins)


def _step(node, defs, points: list[str], known: set[str], file: str, line: int,
          name: str) -> Step:
    col = node.meta.column
    cname = str(node.children[0])
    args = [str(t) for t in node.children[1:]]
    if cname not in defs:
        raise _err(ConstructionError, f"unknown construction {cname!r}", file, line, col, name)
    c = defs[cname]
    if len(args) == len(c.args) - len(points):
        args = points + args
    if len(args) != len(c.args):
        raise _err(ConstructionError,
                   f"{cname} takes {len(c.args)} arguments ({' '.join(c.args)}), "
                   f"got {len(args)}", file, line, col, name)
    mapping = dict(zip(c.args, args))
    numeric = set(c.numeric_args)
    for formal, actual in list(mapping.items()):
        if formal in numeric:
            degrees = angle_degrees(actual)
            if degrees is None:
                raise _err(ConstructionError, f"{cname}: argument {formal} must be an angle in "
                           f"degrees (60, 60o or 1pi/3), got {actual!r}", file, line, col,
                           name) from None
            args[c.args.index(formal)] = degrees
        elif formal in c.new_points:
            if actual not in points:
                raise _err(ConstructionError, f"{cname} creates {actual}, which is not among "
                           f"the clause's new points ({' '.join(points)})", file, line, col,
                           name)
        elif actual not in known:
            what = "is defined later" if actual in points else "is not defined"
            raise _err(ConstructionError, f"{cname}: point {actual} {what}", file, line, col,
                       name)
    return Step(c, tuple(args), col)


def _goal(node, known: set[str], file: str, line: int, name: str) -> Atom:
    pname = str(node.children[0])
    args = tuple(str(t) for t in node.children[1:])
    col = node.meta.column
    if pname not in PREDICATES or pname not in GOAL_PREDICATES:
        raise _err(ParseError, f"unknown goal predicate {pname!r}; expected one of "
                   f"{', '.join(GOAL_PREDICATES)}", file, line, col, name)
    cls = PREDICATES[pname]
    k = NUMERIC_ARGS.get(cls.pred, 0)
    if not cls.check_arity(len(args)):
        want = cls.arity if cls.arity is not None else f"at least {cls.min_arity}"
        raise _err(ParseError, f"goal {pname} takes {want} arguments, got {len(args)}", file,
                   line, col, name)
    for a in args[: len(args) - k]:
        if a not in known:
            raise _err(ParseError, f"goal mentions undefined point {a}", file, line, col, name)
    if pname == "aconst":
        degrees = angle_degrees(args[-1])
        if degrees is None:
            raise _err(ParseError, f"aconst: expected an angle (45, 45o or 1pi/4), got "
                       f"{args[-1]!r}", file, line, col, name)
        args = args[:-1] + (degrees,)
    if pname == "rconst" and not all(x.isdigit() and int(x) > 0 for x in args[-2:]):
        raise _err(ParseError, "rconst: expected two positive integers p q (AB:CD = p:q)",
                   file, line, col, name)
    return Atom(cls, args)


def angle_degrees(text: str) -> str | None:
    """An angle written as degrees (``60``, ``-15``, ``60o``) or a multiple of pi
    (``1pi/3``, ``pi/4``), as a decimal string of degrees; None if it is neither."""
    from fractions import Fraction

    t = text.strip().lower()
    try:
        if "pi" in t:
            num, _, den = t.partition("pi")
            value = Fraction(num or "1") * 180 / Fraction(den.lstrip("/") or "1")
        else:
            value = Fraction(t.removesuffix("o"))
    except (ValueError, ZeroDivisionError):
        return None
    return str(value.numerator) if value.denominator == 1 else str(float(value))


def read_problems(path: str | Path) -> list[Problem | ParseError | ConstructionError]:
    """Read a problem file: (name line, problem line) pairs, blank lines ignored.

    A problem that cannot be parsed is returned as its error, so a batch can go on.
    A file holding a single problem line without a name is accepted too.
    """
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as e:
        why = e.strerror if isinstance(e, OSError) and e.strerror else str(e)
        raise ParseError(f"cannot read file: {why}", file=str(path)) from None
    lines = [(i, ln.strip()) for i, ln in enumerate(text.splitlines(), start=1)
             if ln.strip() and not ln.strip().startswith("#")]
    if len(lines) == 1 and "?" in lines[0][1]:
        lines = [(lines[0][0], path.stem)] + lines
    out: list[Problem | ParseError | ConstructionError] = []
    for k in range(0, len(lines), 2):
        (nline, pname) = lines[k]
        if k + 1 >= len(lines):
            out.append(ParseError("name line without a problem line after it",
                                  file=str(path), line=nline, problem=pname))
            break
        pline, ptext = lines[k + 1]
        if "?" in pname and "=" in pname:
            out.append(ParseError("expected a problem name line, found a problem",
                                  file=str(path), line=nline, problem=pname))
            continue
        try:
            out.append(parse_problem(ptext, pname, str(path), pline))
        except (ParseError, ConstructionError) as e:
            out.append(e)
    return out
