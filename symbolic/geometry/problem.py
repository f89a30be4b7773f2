"""Problem files in AlphaGeometry's language, read into typed ``Problem`` objects.

A file holds pairs of lines: a name, then ``clause; clause; ... ? goal``. A clause creates
points constrained by constructions from the definition table::

    a b c = triangle a b c; h = on_tline h b a c, on_tline h c a b ? perp a h b c

When a construction is written with ``len(points)`` fewer arguments than its definition,
the clause's points are prepended (``h = on_tline b a c`` means ``on_tline h b a c``).
Errors name the file, line and column and say what was expected.

A problem extends itself: ``Problem.with_auxiliary(clauses)`` inserts typed clauses before
the goal, checked as the parser checks a clause (points defined before use, none defined
twice, arities), with no text round trip; ``Problem.parse_clause`` reads one clause in the
context of a problem's points (for proposers whose output is text); ``Problem.fresh_points``
names new points (``Naming``) and ``Problem.rename`` / ``Clause.rename`` rename them.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from enum import Enum
from functools import cached_property, lru_cache
from itertools import count, islice
from pathlib import Path
from typing import TYPE_CHECKING

from .errors import ConstructionError, GeometryError, ParseError
from .predicates import NUMERIC_ARGS, PREDICATES
from .tables import Atom, Construction, definitions

if TYPE_CHECKING:
    import lark

GOAL_PREDICATES = tuple(name for name, p in PREDICATES.items() if p.goal)
"""What a problem may ask to prove (``Predicate.goal``), in registry order."""


class Naming(Enum):
    """An order in which point names are handed out; ``Problem.fresh_points`` takes the first
    names of it that the problem does not use."""

    AUXILIARY = "auxiliary"        # x y z w u v, then x1 x2 x3 ...: added points stand out
    ALPHABETICAL = "alphabetical"  # a .. z, then a1 .. z1, a2 ...: AlphaGeometry's normal form

    def names(self) -> Iterator[str]:
        """The names in order (an endless iterator)."""
        if self is Naming.AUXILIARY:
            yield from ("x", "y", "z", "w", "u", "v")
            yield from (f"x{k}" for k in count(1))
        else:
            for k in count():
                yield chr(ord("a") + k % 26) + (str(k // 26) if k >= 26 else "")


def canonical_names(n: int) -> tuple[str, ...]:
    """The first ``n`` names of AlphaGeometry's normal form: a..z, then a1..z1, a2..z2, ..."""
    return tuple(islice(Naming.ALPHABETICAL.names(), n))


@dataclass(frozen=True)
class Step:
    """One construction applied in a clause, with its arguments resolved (elision undone).
    ``column`` is where it was read (0: built in code); it is not part of its identity."""

    construction: Construction
    args: tuple[str, ...]
    column: int = field(default=0, compare=False)

    @staticmethod
    def of(name: str, *args: str) -> Step:
        """The construction ``name`` of the definition table applied to ``args`` (all of them,
        no elision); checked only when its clause joins a problem (``with_auxiliary``)."""
        return Step(definitions()[name], args)

    @property
    def mapping(self) -> dict[str, str]:
        return dict(zip(self.construction.args, self.args))

    def atoms(self, atoms: tuple[Atom, ...]) -> tuple[Atom, ...]:
        m = self.mapping
        return tuple(a.rename(m) for a in atoms)

    # Computed once per step: drawing a candidate clause checks both, and the search draws
    # every candidate of a node (``incidence``) before trying any.
    @cached_property
    def premises(self) -> tuple[Atom, ...]:
        """The facts the construction asserts, on this step's points."""
        return self.atoms(self.construction.premises)

    @cached_property
    def prerequisites(self) -> tuple[Atom, ...]:
        """What must hold on the diagram before the step can be drawn, on its points."""
        return self.atoms(self.construction.prerequisites)

    def rename(self, mapping: Mapping[str, str]) -> Step:
        """The step with its point arguments renamed (numbers such as angles are kept)."""
        numeric = self.construction.numeric_args
        return Step(self.construction, tuple(
            a if f in numeric else mapping.get(a, a)
            for f, a in zip(self.construction.args, self.args)), self.column)

    def __str__(self) -> str:
        return " ".join((self.construction.name,) + self.args)


@dataclass(frozen=True)
class Clause:
    """Points created together and the constructions constraining them (``pins``: points
    given fixed coordinates with ``name@x_y``)."""

    points: tuple[str, ...]
    steps: tuple[Step, ...]
    pins: dict[str, tuple[float, float]] = field(default_factory=dict, hash=False)

    def rename(self, mapping: Mapping[str, str]) -> Clause:
        """The clause with points renamed by ``mapping`` (names it lacks are kept)."""
        return Clause(tuple(mapping.get(p, p) for p in self.points),
                      tuple(s.rename(mapping) for s in self.steps),
                      {mapping.get(p, p): xy for p, xy in self.pins.items()})

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

    def with_auxiliary(self, clauses: Iterable[Clause]) -> Problem:
        """This problem with ``clauses`` inserted, in order, before the goal. Each is checked
        as ``parse_problem`` checks a clause of the text (every construction known and given
        its arity, every argument a point defined before, no point defined twice); a bad one
        raises ``ConstructionError`` naming it. Nothing is re-parsed."""
        known = set(self.points)
        added = tuple(_check_clause([(p, None) for p in c.points], c.pins,
                                    [(s.construction.name, s.args, s.column) for s in c.steps],
                                    known, self._where(c), elide=False) for c in clauses)
        for c in added:
            why = overdetermined(c)
            if why is not None:
                raise self._where(c).error(ConstructionError, why)
        return Problem(self.name, self.clauses + added, self.goal, self.file, self.line)

    def parse_clause(self, text: str) -> Clause:
        """One clause (``x = foot x c a b``; argument elision allowed) read in the context of
        this problem's points, for proposers whose output is text. Raises ``ParseError``
        (syntax) or ``ConstructionError`` (as ``with_auxiliary``) naming the clause."""
        return self.parse_clauses([text])[0]

    def parse_clauses(self, texts: Iterable[str]) -> tuple[Clause, ...]:
        """Clauses read in order, each in the context of this problem's points and the points
        of the clauses before it (``problem.with_auxiliary(problem.parse_clauses(texts))``)."""
        known = set(self.points)
        out = []
        for text in texts:
            where = self._where(text.strip())
            points, pins, steps = _clause_syntax(text.strip(), where)
            out.append(_check_clause(points, dict(pins), steps, known, where))
        return tuple(out)

    def fresh_points(self, n: int, naming: Naming = Naming.AUXILIARY) -> tuple[str, ...]:
        """``n`` point names this problem does not use, the first ones of ``naming``."""
        used = set(self.points)
        return tuple(islice((p for p in naming.names() if p not in used), n))

    def fresh_point(self, naming: Naming = Naming.AUXILIARY) -> str:
        """A point name this problem does not use (``x`` unless taken, see ``Naming``)."""
        return self.fresh_points(1, naming)[0]

    def rename(self, mapping: Mapping[str, str]) -> Problem:
        """The problem with points renamed by ``mapping`` (names it lacks are kept); the
        mapping should be one-to-one on the problem's points."""
        return Problem(self.name, tuple(c.rename(mapping) for c in self.clauses),
                       self.goal.rename(dict(mapping)), self.file, self.line)

    def _where(self, clause: object) -> _Where:
        return _Where(self.file, self.line, self.name, f"auxiliary clause '{clause}': ",
                      columns=False)


def degrees_taken(construction: Construction, points: int = 1) -> int:
    """The degrees of freedom ``construction``'s loci take from the new points of a clause
    of ``points`` points (``sketches.codimension``: a curve one, a point two; a locus placing
    points of its own all of theirs)."""
    from .sketches import codimension

    taken = 0
    for sketch in construction.sketches:
        k = codimension(sketch.name)
        taken += 2 * points if k is None else k
    return taken


def overdetermined(clause: Clause) -> str | None:
    """Why ``clause`` fixes its point by more than constructing it, or None. Each step's loci
    take degrees of freedom from the point (``sketches.codimension``: a curve one, a point
    two); a point has two. Past two, a clause no longer constructs its point: it also states
    a fact about the points before it (``midpoint y t o, on_line y o p`` states that t lies on
    o p), a hypothesis that a statement may make but an auxiliary point must not, for a proof
    could then assume what it is to prove. A step placing several points, or a free one,
    takes all of theirs."""
    taken = sum(degrees_taken(step.construction, len(clause.points)) for step in clause.steps)
    have = 2 * len(clause.points)
    if taken > have:
        return (f"its constructions take {taken} degrees of freedom from "
                f"{'its points, which have' if have > 2 else 'its point, which has'} {have}: "
                "it would state a fact about the points before it, not construct")
    return None


@dataclass(frozen=True)
class _Where:
    """Where clauses being checked come from, for error messages. ``columns``: whether the
    columns of their steps are columns of that file line."""

    file: str
    line: int
    problem: str
    context: str = ""
    columns: bool = True

    def error(self, cls: type[GeometryError], message: str,
              column: int | None = None) -> GeometryError:
        return cls(self.context + message, file=self.file, line=self.line,
                   column=column if self.columns else None, problem=self.problem)


def parse_problem(text: str, name: str = "problem", file: str = "<string>",
                  line: int = 1) -> Problem:
    """Parse one problem line. Raises ParseError / ConstructionError with a location."""
    where = _Where(file, line, name)
    tree = _parse_tree(text, "start", where)
    known: set[str] = set()
    clauses = [_clause(node, known, where) for node in tree.children[:-1]]
    goal = _goal(tree.children[-1], known, where)
    return Problem(name, tuple(clauses), goal, file, line)


def make_problem(name: str, clauses: Iterable[Clause], goal: Atom, file: str = "<string>",
                 line: int = 1) -> Problem:
    """A problem from typed clauses and a goal, checked as ``parse_problem`` checks a problem
    line (for code that builds problems, such as the data generator); nothing is parsed."""
    where = _Where(file, line, name)
    known: set[str] = set()
    checked = [_check_clause([(p, None) for p in c.points], c.pins,
                             [(s.construction.name, s.args, s.column) for s in c.steps],
                             known, where, elide=False) for c in clauses]
    return Problem(name, tuple(checked), _check_goal(goal.name, goal.args, None, known, where),
                   file, line)


_TOKEN_NAMES = {"NAME": "a point name", "WORD": "an argument", "SEMICOLON": "';'",
                "COMMA": "','", "EQUAL": "'='", "QMARK": "'?'", "PIN": "'@x_y'",
                "$END": "end of line"}


def _readable(tok: str) -> str:
    return _TOKEN_NAMES.get(tok, tok)


def _parse_tree(text: str, start: str, where: _Where) -> lark.Tree:
    """The grammar's tree of ``text`` from rule ``start``, or a ParseError saying what was
    expected where."""
    import lark

    from grammars.load import parser

    try:
        return parser("geometry_problem", start).parse(text.strip())
    except lark.exceptions.UnexpectedCharacters as e:
        bad = text.strip()[e.pos_in_stream or 0]
        raise where.error(ParseError, f"unexpected character {bad!r}; expected a point name, "
                          "'=', ',', ';' or '?'", e.column) from None
    except lark.exceptions.UnexpectedToken as e:
        got = "end of line" if e.token.type == "$END" else repr(str(e.token))
        want = ", ".join(sorted(_readable(t) for t in e.expected))
        raise where.error(ParseError, f"unexpected {got}; expected {want}", e.column) from None
    except lark.exceptions.UnexpectedInput as e:
        raise where.error(ParseError, "cannot read the problem line",
                          getattr(e, "column", None)) from None


_Syntax = tuple[tuple[tuple[str, int], ...], tuple[tuple[str, tuple[float, float]], ...],
                tuple[tuple[str, tuple[str, ...], int], ...]]


def _clause(node, known: set[str], where: _Where) -> Clause:
    """A clause of the grammar's tree, checked (``_check_clause``)."""
    points, pins, steps = _clause_parts(node)
    return _check_clause(points, dict(pins), steps, known, where)


def _clause_parts(node) -> _Syntax:
    """A clause of the grammar's tree as written: points (name, column), pins, steps
    (construction name, arguments, column)."""
    points: list[tuple[str, int]] = []
    pins: list[tuple[str, tuple[float, float]]] = []
    steps: list[tuple[str, tuple[str, ...], int]] = []
    for child in node.children:
        if child is None:
            continue
        if child.data == "point":
            p = str(child.children[0])
            points.append((p, child.meta.column))
            if child.children[1] is not None:
                x, y = str(child.children[1])[1:].split("_")
                pins.append((p, (float(x), float(y))))
        else:
            steps.append((str(child.children[0]), tuple(str(t) for t in child.children[1:]),
                          child.meta.column))
    return tuple(points), tuple(pins), tuple(steps)


def _clause_syntax(text: str, where: _Where) -> _Syntax:
    """One clause's text as written (``_clause_parts``), or a ParseError; texts read before
    are not parsed again (proposers repeat themselves across a search)."""
    try:
        return _cached_clause_syntax(text)
    except GeometryError as e:
        raise where.error(ParseError, e.message) from None


@lru_cache(maxsize=8192)
def _cached_clause_syntax(text: str) -> _Syntax:
    return _clause_parts(_parse_tree(text, "clause", _Where("", 0, "")))


def _check_clause(points: Sequence[tuple[str, int | None]],
                  pins: Mapping[str, tuple[float, float]],
                  steps: Sequence[tuple[str, Sequence[str], int]], known: set[str],
                  where: _Where, elide: bool = True) -> Clause:
    """The one check of a clause, read or built: ``points`` (name, column) new and distinct,
    each step (construction name, arguments, column) resolved by ``_step`` (``elide``: the
    arguments are as written, the clause's points may be left out). Adds the points to
    ``known``."""
    names: list[str] = []
    for p, col in points:
        if p in known or p in names:
            raise where.error(ConstructionError, f"point {p} is defined twice", col)
        names.append(p)
    resolved = tuple(_step(cname, args, col, names, known, where, elide)
                     for cname, args, col in steps)
    known.update(names)
    return Clause(tuple(names), resolved, dict(pins))


def _step(cname: str, written: Sequence[str], col: int, points: list[str], known: set[str],
          where: _Where, elide: bool) -> Step:
    defs = definitions()
    if cname not in defs:
        raise where.error(ConstructionError, f"unknown construction {cname!r}", col)
    c = defs[cname]
    args = list(written)
    arity = (f"{cname} takes {len(c.args)} arguments ({' '.join(c.args)}), got "
             f"{len(written)}")
    elided = elide and len(args) == len(c.args) - len(points)
    if elided:
        if set(points) & set(written):  # ``midpoint d a``: the full form, one short
            raise where.error(ConstructionError, arity, col)
        args = points + args
    if len(args) != len(c.args):
        raise where.error(ConstructionError, arity, col)
    mapping = dict(zip(c.args, args))
    numeric = set(c.numeric_args)
    for formal, actual in list(mapping.items()):
        if formal in numeric:
            degrees = angle_degrees(actual)
            if degrees is None:
                raise where.error(ConstructionError, f"{cname}: argument {formal} must be an "
                                  f"angle in degrees (60, 60o or 1pi/3), got {actual!r}", col)
            args[c.args.index(formal)] = degrees
        elif formal in c.new_points:
            if actual not in points:
                raise where.error(ConstructionError, f"{cname} creates {actual}, which is not "
                                  f"among the clause's new points ({' '.join(points)})", col)
        elif actual not in known:
            what = "is defined later" if actual in points else "is not defined"
            raise where.error(ConstructionError, f"{cname}: point {actual} {what}", col)
    return Step(c, tuple(args), col)


def _goal(node, known: set[str], where: _Where) -> Atom:
    return _check_goal(str(node.children[0]), tuple(str(t) for t in node.children[1:]),
                       node.meta.column, known, where)


def _check_goal(pname: str, args: tuple[str, ...], col: int | None, known: set[str],
                where: _Where) -> Atom:
    if pname not in PREDICATES or pname not in GOAL_PREDICATES:
        raise where.error(ParseError, f"unknown goal predicate {pname!r}; expected one of "
                          f"{', '.join(GOAL_PREDICATES)}", col)
    cls = PREDICATES[pname]
    k = NUMERIC_ARGS.get(cls.pred, 0)
    if not cls.check_arity(len(args)):
        want = cls.arity if cls.arity is not None else f"at least {cls.min_arity}"
        raise where.error(ParseError, f"goal {pname} takes {want} arguments, got {len(args)}",
                          col)
    for a in args[: len(args) - k]:
        if a not in known:
            raise where.error(ParseError, f"goal mentions undefined point {a}", col)
    if pname == "aconst":
        degrees = angle_degrees(args[-1])
        if degrees is None:
            raise where.error(ParseError, f"aconst: expected an angle (45, 45o or 1pi/4), got "
                              f"{args[-1]!r}", col)
        args = args[:-1] + (degrees,)
    if pname == "rconst" and not all(x.isdigit() and int(x) > 0 for x in args[-2:]):
        raise where.error(ParseError, "rconst: expected two positive integers p q (AB:CD = p:q)",
                          col)
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
