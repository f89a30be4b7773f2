"""Read the shipped construction-definition and rule tables (package data, parsed by lark).

``defs.txt`` and ``rules.txt`` come from AlphaGeometry (Trinh et al., Nature 625, 2024;
CC-BY-4.0, Copyright 2023 DeepMind Technologies Limited). Rules carry permanent ids
(``r00``...) written in the file itself, so reordering lines never renames a rule.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from importlib import resources

from .errors import ParseError
from .predicates import PREDICATES, Predicate


@dataclass(frozen=True)
class Atom:
    """A predicate applied to argument names (points, or numbers for s_angle/rconst)."""

    pred: Predicate
    args: tuple[str, ...]

    def __post_init__(self) -> None:
        if not isinstance(self.pred, Predicate):
            raise TypeError(f"Atom.pred must be a predicate object (predicates.PREDICATES[name]),"
                            f" not {self.pred!r}")

    @property
    def name(self) -> str:
        """The predicate's name, as written in files."""
        return self.pred.name

    def __str__(self) -> str:
        return " ".join((self.pred.name,) + self.args)

    def rename(self, mapping: dict[str, str]) -> Atom:
        return Atom(self.pred, tuple(mapping.get(a, a) for a in self.args))


@dataclass(frozen=True)
class Sketch:
    """A locus of a construction, e.g. ``tline x a b`` (a name of ``sketches.SKETCHES``)."""

    name: str
    args: tuple[str, ...]

    def __str__(self) -> str:
        return " ".join((self.name,) + self.args)


@dataclass(frozen=True)
class Construction:
    """One construction of defs.txt, e.g. ``foot x a b c``.

    ``new_points`` are the points it creates; ``prerequisites`` are checked on the diagram
    before drawing; ``premise_groups`` are the facts it asserts (one tuple per ';' group);
    ``sketches`` name the loci whose intersection gives the new points.
    """

    name: str
    args: tuple[str, ...]
    new_points: tuple[str, ...]
    prerequisites: tuple[Atom, ...]
    premise_groups: tuple[tuple[Atom, ...], ...]
    sketches: tuple[Sketch, ...]
    numeric_args: tuple[str, ...] = ()

    @property
    def premises(self) -> tuple[Atom, ...]:
        return tuple(a for g in self.premise_groups for a in g)

    @property
    def inputs(self) -> tuple[str, ...]:
        return tuple(a for a in self.args
                     if a not in self.new_points and a not in self.numeric_args)


@dataclass(frozen=True)
class Rule:
    """A deduction rule: premises => conclusion, with a permanent id such as ``r04``."""

    id: str
    premises: tuple[Atom, ...]
    conclusion: Atom

    def __str__(self) -> str:
        return ", ".join(map(str, self.premises)) + " => " + str(self.conclusion)

    @property
    def variables(self) -> tuple[str, ...]:
        seen: dict[str, None] = {}
        for atom in self.premises + (self.conclusion,):
            for a in atom.args:
                seen.setdefault(a, None)
        return tuple(seen)


def _data(name: str) -> str:
    return resources.files(__package__).joinpath("data", name).read_text(encoding="utf-8")


def _atom(tree, source: str, line: int) -> Atom:
    name = str(tree.children[0])
    args = tuple(str(t) for t in tree.children[1:])
    if name not in PREDICATES:
        raise ParseError(f"unknown predicate {name!r}", file=source, line=line)
    return Atom(PREDICATES[name], args)


def parse_rules(text: str, source: str = "rules.txt") -> tuple[Rule, ...]:
    """Parse a rule table; ids must be unique."""
    import lark

    from grammars.load import parser

    try:
        tree = parser("geometry_rules").parse(text)
    except lark.exceptions.UnexpectedInput as e:
        raise ParseError(f"not a rule line (expected 'rNN: premise, ... => conclusion'): "
                         f"{e.get_context(text).splitlines()[0]!r}", file=source, line=e.line,
                         column=e.column) from None
    rules: dict[str, Rule] = {}
    for node in tree.children:
        assert isinstance(node, lark.Tree)
        line = node.meta.line
        rid = str(node.children[0])
        atoms = [_atom(t, source, line) for t in node.children[1:]]
        if rid in rules:
            raise ParseError(f"duplicate rule id {rid}", file=source, line=line)
        rules[rid] = Rule(rid, tuple(atoms[:-1]), atoms[-1])
    return tuple(rules.values())


_DEF_STARTS = ("signature", "dependencies", "prerequisites", "premises", "sketches")


def _defs_parser():
    import lark

    from grammars.load import grammar_text

    return lark.Lark(grammar_text("geometry_defs"), parser="lalr", start=list(_DEF_STARTS))


NAME_PATTERN = re.compile(r"[a-z][a-z0-9]*")


def _point_names(tree) -> list:
    """The tokens of a definition line that name points: a signature's arguments, every
    ``names`` group, a prerequisites line's inputs (atoms' arguments may be numbers)."""
    from lark import Token

    if tree.data == "signature":
        return list(tree.children[1:])
    direct = [t for t in tree.children if isinstance(t, Token)]
    return direct + [t for node in tree.iter_subtrees() if node.data == "names"
                     for t in node.children]


def parse_definitions(text: str, source: str = "defs.txt") -> dict[str, Construction]:
    """Parse a construction table (groups of five lines separated by blank lines)."""
    import lark

    p = _defs_parser()
    lines = text.split("\n")
    groups: list[list[tuple[int, str]]] = []
    current: list[tuple[int, str]] = []
    for i, raw in enumerate(lines, start=1):
        if not raw.strip() and not current:  # blank lines between groups
            continue
        current.append((i, raw))  # inside a group a blank line is an empty field
        if len(current) == 5:
            groups.append(current)
            current = []
    if current:
        groups.append(current)
    out: dict[str, Construction] = {}
    for group in groups:
        if len(group) != 5:
            raise ParseError(f"a definition needs 5 lines ({', '.join(_DEF_STARTS)}), "
                             f"found {len(group)}", file=source, line=group[0][0])
        trees = []
        for (line, raw), start in zip(group, _DEF_STARTS):
            try:
                tree = p.parse(raw, start=start)
            except lark.exceptions.UnexpectedInput as e:
                raise ParseError(f"bad {start} line: {raw!r}", file=source, line=line,
                                 column=e.column) from None
            bad = [t for t in _point_names(tree) if not NAME_PATTERN.fullmatch(t)]
            if bad:
                raise ParseError(f"bad {start} line: {str(bad[0])!r} is not a point name "
                                 f"(a lower-case letter, then letters or digits)",
                                 file=source, line=line, column=bad[0].column)
            trees.append(tree)
        c = _construction(trees, source, group[0][0])
        out[c.name] = c
    return out


def _construction(trees, source: str, line: int) -> Construction:
    sig, deps, pre, prem, sk = trees
    name = str(sig.children[0])
    args = tuple(str(t) for t in sig.children[1:])
    # The points left of '=' on the prerequisites line are the inputs; the rest are created
    # (free constructions such as "triangle a b c" have no inputs). The dependency line is
    # kept for reference only: AlphaGeometry's own reader does not use it either.
    from lark import Tree

    inputs = {str(t) for t in pre.children if t is not None and not isinstance(t, Tree)}
    del deps
    prereq = tuple(_atom(t, source, line + 2) for t in pre.children
                   if t is not None and getattr(t, "data", None) == "atom")
    groups = []
    for g in prem.children:
        atoms = tuple(_atom(t, source, line + 3) for t in g.children
                      if t is not None and getattr(t, "data", None) == "atom")
        groups.append(atoms)
    sketches = tuple(Sketch(str(t.children[0]), tuple(str(x) for x in t.children[1:]))
                     for t in sk.children)
    numeric = {a for g in groups for atom in g for a in atom.pred.split(atom.args)[1]}
    new = tuple(a for a in args if a not in inputs and a not in numeric)
    return Construction(name, args, new, prereq, tuple(g for g in groups if g), sketches,
                        tuple(a for a in args if a in numeric))


@cache
def rules() -> tuple[Rule, ...]:
    """The shipped rule table."""
    return parse_rules(_data("rules.txt"), "symbolic/geometry/data/rules.txt")


@cache
def definitions() -> dict[str, Construction]:
    """The shipped construction table, by name."""
    return parse_definitions(_data("defs.txt"), "symbolic/geometry/data/defs.txt")
