"""Word-level tokens for the construction language, and the canonical form the model sees.

A problem is shown to the model with its points renamed ``a, b, c, ...`` in the order the
clauses introduce them (AlphaGeometry's normal form, and the one ``neural.data`` writes), as

    <bos> a b c = triangle a b c ; d = midpoint d a b ? perp a b c d <sep>

and the model continues with one auxiliary clause, ``e = foot e c a b <eos>``. Every word is
one token: construction names, predicate names, point names, ``; = , ?``; numbers (rare, only
in some statements) are ``<num>`` followed by their characters. The vocabulary is data stored
in the checkpoint, so a model keeps working when the definition table grows.

For grammar-constrained decoding the tokenizer exposes ``vocab_bytes()``: a word's bytes are
``word + " "`` (the special tokens have none), so a decoded clause reads ``"e = foot e c a b "``.
The trailing space makes the token set prefix-free: no token is the beginning of another
(``"l "`` vs ``"lc_tangent "``), so a grammar whose terminals are words never lets the decoder
start a token that no token can finish.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from symbolic.geometry.problem import Clause, Problem

SPECIALS = ("<pad>", "<bos>", "<sep>", "<eos>", "<unk>", "<num>")
PUNCT = (";", "=", ",", "?")
NUMBER_CHARS = tuple("0123456789./-")
MAX_POINTS = 78
_NUMBER = re.compile(r"^-?[0-9][0-9./]*$")


def point_names(n: int) -> list[str]:
    """The canonical point names: a..z, then a1..z1, a2..z2 (as ``neural.data`` writes;
    ``symbolic.geometry.problem.canonical_names``)."""
    from symbolic.geometry.problem import canonical_names

    return list(canonical_names(n))


def default_words() -> list[str]:
    """Every word of the construction language: punctuation, construction and predicate
    names from the tables, canonical point names and number characters."""
    from symbolic.geometry.predicates import Pred
    from symbolic.geometry.tables import definitions

    preds = sorted(p.value for p in Pred)
    return [*PUNCT, *sorted(definitions()), *(p for p in preds if p not in definitions()),
            *point_names(MAX_POINTS), *NUMBER_CHARS]


@dataclass(frozen=True)
class Canonical:
    """A problem in canonical names: statement clauses, goal, and the renaming used."""

    clauses: tuple[str, ...]
    goal: str
    to_canonical: dict[str, str]
    problem: Problem | None = None  # the renamed problem, to read the model's clauses in

    @property
    def next_point(self) -> str:
        return point_names(len(self.to_canonical) + 1)[-1]

    def from_canonical(self) -> dict[str, str]:
        return {v: k for k, v in self.to_canonical.items()}

    def read_back(self, clause: str, new_point: str) -> Clause:
        """A clause the model wrote in canonical names, read in the canonical problem and
        renamed into the problem's own names (the point it creates named ``new_point``).
        Raises GeometryError if it does not fit."""
        assert self.problem is not None
        back = self.from_canonical()
        back[self.next_point] = new_point
        return self.problem.parse_clause(clause).rename(back)


def canonical(problem: Problem) -> Canonical:
    """``problem`` in canonical point names (``a, b, c, ...`` in the order its clauses create
    them, ``Problem.rename``)."""
    mapping = dict(zip(problem.points, point_names(len(problem.points))))
    renamed = problem.rename(mapping)
    return Canonical(tuple(map(str, renamed.clauses)), str(renamed.goal), mapping, renamed)


class ConstructionTokenizer:
    """Words <-> ids. ``words`` defaults to :func:`default_words`; checkpoints store theirs."""

    def __init__(self, words: Sequence[str] | None = None):
        words = list(words) if words is not None else default_words()
        self.tokens: tuple[str, ...] = (*SPECIALS, *[w for w in words if w not in SPECIALS])
        self.ids = {t: i for i, t in enumerate(self.tokens)}
        if len(self.ids) != len(self.tokens):
            raise ValueError("duplicate words in the vocabulary")
        self.pad_id, self.bos_id, self.sep_id, self.eos_id, self.unk_id, self.num_id = (
            self.ids[s] for s in SPECIALS)

    def __len__(self) -> int:
        return len(self.tokens)

    @property
    def words(self) -> list[str]:
        return list(self.tokens[len(SPECIALS):])

    # the interface grammars.constrained.Vocabulary.from_tokenizer reads
    @property
    def eos_token_id(self) -> int:
        return self.eos_id

    @property
    def bos_token_id(self) -> int:
        return self.bos_id

    def vocab_bytes(self) -> list[bytes | None]:
        return [None if t in SPECIALS else (t + " ").encode() for t in self.tokens]

    def encode_words(self, text: str) -> list[int]:
        out: list[int] = []
        for w in text.replace(";", " ; ").replace(",", " , ").replace("?", " ? ").split():
            if w in self.ids:
                out.append(self.ids[w])
            elif _NUMBER.match(w):
                out.append(self.num_id)
                out.extend(self.ids.get(ch, self.unk_id) for ch in w)
            else:
                out.append(self.unk_id)
        return out

    def prompt(self, clauses: Iterable[str], goal: str) -> list[int]:
        """``<bos> clause ; clause ... ? goal <sep>``."""
        return [self.bos_id, *self.encode_words(" ; ".join(clauses)), self.ids["?"],
                *self.encode_words(goal), self.sep_id]

    def target(self, clause: str) -> list[int]:
        return [*self.encode_words(clause), self.eos_id]

    def decode(self, ids: Iterable[int]) -> str:
        words = [self.tokens[i] for i in ids if self.tokens[i] not in SPECIALS]
        return " ".join(words).replace(" ,", ",")


def clause_grammar(n_points: int, constructions: dict | None = None) -> str:
    """A Lark grammar of one auxiliary clause over canonical points ``a..`` (``n_points`` of
    them) introducing the next point: one or two one-point constructions without numeric
    arguments, each with its arity from the definition table, e.g. ``"e = foot e c a b "``
    (``free`` and other constructions without inputs are left out: they add nothing). Two
    constructions only when each puts the point on a curve: one that fixes it (a foot, a
    midpoint) with another would state a fact about the points before it, not construct
    (``symbolic.geometry.problem.overdetermined``)."""
    from symbolic.geometry.problem import degrees_taken
    from symbolic.geometry.tables import definitions

    defs = constructions if constructions is not None else definitions()
    names = point_names(n_points + 1)
    new, old = names[-1], names[:-1]
    curves: list[str] = []  # constructions taking one degree of freedom
    fixing: list[str] = []  # and those taking two (the point fixed)
    for name in sorted(defs):
        c = defs[name]
        if len(c.new_points) != 1 or c.numeric_args or not c.inputs or len(c.inputs) > len(old):
            continue
        parts = [f'"{name} "'] + ["new" if a in c.new_points else "p" for a in c.args]
        taken = degrees_taken(c)
        if taken <= 2:  # more would state a fact about the points before it
            (curves if taken == 1 else fixing).append(" ".join(parts))
    points = " | ".join(f'"{p} "' for p in old)
    rules = ['start: new "= " (fixed | curve (", " curve)?)']
    if fixing:
        rules.append("fixed: " + "\n    | ".join(fixing))
    else:
        rules[0] = 'start: new "= " curve (", " curve)?'
    rules += ["curve: " + "\n    | ".join(curves), f'new: "{new} "', f"p: {points}", ""]
    return "\n".join(rules)
