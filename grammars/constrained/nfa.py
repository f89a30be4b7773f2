"""Regular expressions to byte-level NFAs.

Terminals are Python regexes over Unicode text; the decoder works on the bytes of tokens, which
may hold a partial UTF-8 sequence. So every character class becomes UTF-8 byte-range sequences
(the classic range-splitting construction) and the NFA steps on bytes. Supported: literals,
classes, ``.``, groups, alternation, greedy and lazy repeats, flags ``i`` and ``s``; the
order of each state's epsilon edges is the regex's priority, so that :meth:`NFA.ordered`
follows Python's leftmost-first matching (possessive repeats are refused). ``\\d``,
``\\w``, ``\\s`` mean their ASCII sets (a subset of Python's Unicode ones, so every string we
produce still matches the original regex). Anchors, backreferences and lookaround are refused.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from functools import lru_cache

try:  # Python >= 3.11
    import re._constants as C
    import re._parser as sre
except ImportError:  # pragma: no cover - Python 3.10
    import sre_constants as C  # type: ignore[no-redef]
    import sre_parse as sre  # type: ignore[no-redef]

from .errors import UnsupportedGrammarError

MAX_CODEPOINT = 0x10FFFF
Ranges = list[tuple[int, int]]

_CATEGORIES: dict[object, Ranges] = {
    C.CATEGORY_DIGIT: [(48, 57)],
    C.CATEGORY_WORD: [(48, 57), (65, 90), (95, 95), (97, 122)],
    C.CATEGORY_SPACE: [(9, 13), (32, 32)],
}
_NEGATED = {C.CATEGORY_NOT_DIGIT: C.CATEGORY_DIGIT, C.CATEGORY_NOT_WORD: C.CATEGORY_WORD,
            C.CATEGORY_NOT_SPACE: C.CATEGORY_SPACE}


def normalize(ranges: Ranges) -> Ranges:
    """Sorted, merged, surrogate-free code point ranges."""
    out: Ranges = []
    for lo, hi in sorted(ranges):
        if out and lo <= out[-1][1] + 1:
            out[-1] = (out[-1][0], max(out[-1][1], hi))
        else:
            out.append((lo, hi))
    cut: Ranges = []
    for lo, hi in out:
        if lo <= 0xDFFF and hi >= 0xD800:
            if lo < 0xD800:
                cut.append((lo, 0xD7FF))
            if hi > 0xDFFF:
                cut.append((0xE000, hi))
        else:
            cut.append((lo, hi))
    return cut


def negate(ranges: Ranges) -> Ranges:
    out, nxt = [], 0
    for lo, hi in normalize(ranges):
        if lo > nxt:
            out.append((nxt, lo - 1))
        nxt = hi + 1
    if nxt <= MAX_CODEPOINT:
        out.append((nxt, MAX_CODEPOINT))
    return normalize(out)


def utf8_sequences(lo: int, hi: int) -> list[list[tuple[int, int]]]:
    """Byte-range sequences whose concatenations are exactly UTF-8(lo..hi) (no surrogates)."""
    out: list[list[tuple[int, int]]] = []
    for a, b in normalize([(lo, hi)]):
        _split(a, b, out)
    return out


def _split(lo: int, hi: int, out: list[list[tuple[int, int]]]) -> None:
    for edge in (0x7F, 0x7FF, 0xFFFF):
        if lo <= edge < hi:
            _split(lo, edge, out)
            _split(edge + 1, hi, out)
            return
    if hi <= 0x7F:
        out.append([(lo, hi)])
        return
    for i in (1, 2, 3):
        m = (1 << (6 * i)) - 1
        if lo & ~m != hi & ~m:
            if lo & m:
                _split(lo, lo | m, out)
                _split((lo | m) + 1, hi, out)
                return
            if hi & m != m:
                _split(lo, (hi & ~m) - 1, out)
                _split(hi & ~m, hi, out)
                return
    a, b = chr(lo).encode(), chr(hi).encode()
    out.append(list(zip(a, b)))


@dataclass
class NFA:
    """A byte NFA shared by all terminals of a grammar: ``edges[s]`` = [(lo, hi, target)]."""

    edges: list[list[tuple[int, int, int]]] = field(default_factory=list)
    eps: list[list[int]] = field(default_factory=list)

    def new(self) -> int:
        self.edges.append([])
        self.eps.append([])
        return len(self.edges) - 1

    def closure(self, states) -> frozenset[int]:
        seen = set(states)
        todo = list(seen)
        while todo:
            for t in self.eps[todo.pop()]:
                if t not in seen:
                    seen.add(t)
                    todo.append(t)
        return frozenset(seen)

    def ordered(self, states: Iterable[int], keep: Callable[[int], bool]) -> tuple[int, ...]:
        """The epsilon closure of ``states`` in priority order (a Pike VM's thread list:
        depth first along the epsilon edges in their order, each state at its first visit),
        keeping the states ``keep`` selects."""
        out: list[int] = []
        seen: set[int] = set()
        todo = list(states)[::-1]
        while todo:
            s = todo.pop()
            if s in seen:
                continue
            seen.add(s)
            if keep(s):
                out.append(s)
            todo += self.eps[s][::-1]
        return tuple(out)

    def add_regex(self, pattern: str, where: str) -> tuple[int, int]:
        """Add ``pattern``; return its (start, final) states. ``where`` names it in errors.
        A pattern seen before is copied from a bounded cache of built fragments."""
        try:
            edges, eps, start, final = _fragment(pattern)
        except UnsupportedGrammarError:
            return self._build_regex(pattern, where)  # raises, naming ``where``
        off = len(self.edges)
        self.edges += [[(lo, hi, t + off) for lo, hi, t in es] for es in edges]
        self.eps += [[t + off for t in e] for e in eps]
        return start + off, final + off

    def _build_regex(self, pattern: str, where: str) -> tuple[int, int]:
        try:
            parsed = sre.parse(pattern)
        except Exception as e:  # re.error
            raise UnsupportedGrammarError(f"{where}: bad regex {pattern!r}: {e}") from e
        builder = _Builder(self, where, pattern)
        flags = parsed.state.flags
        return builder.seq(list(parsed), bool(flags & C.SRE_FLAG_IGNORECASE),
                           bool(flags & C.SRE_FLAG_DOTALL))


@lru_cache(maxsize=1024)
def _fragment(pattern: str) -> tuple[tuple[tuple[tuple[int, int, int], ...], ...],
                                     tuple[tuple[int, ...], ...], int, int]:
    """``pattern`` built alone: (edges, eps, start, final), immutable (a cache entry)."""
    nfa = NFA()
    start, final = nfa._build_regex(pattern, "regex")
    return (tuple(tuple(e) for e in nfa.edges), tuple(tuple(e) for e in nfa.eps), start, final)


class _Builder:
    def __init__(self, nfa: NFA, where: str, pattern: str):
        self.nfa, self.where, self.pattern = nfa, where, pattern

    def fail(self, what: str) -> UnsupportedGrammarError:
        return UnsupportedGrammarError(
            f"{self.where}: regex {self.pattern!r} uses {what}, which constrained decoding "
            "does not support")

    def seq(self, items, icase: bool, dotall: bool) -> tuple[int, int]:
        start = cur = self.nfa.new()
        for op, av in items:
            s, f = self.item(op, av, icase, dotall)
            self.nfa.eps[cur].append(s)
            cur = f
        return start, cur

    def ranges(self, ranges: Ranges) -> tuple[int, int]:
        s, f = self.nfa.new(), self.nfa.new()
        if len(ranges) == 1 and ranges[0][1] < 0x80:  # ASCII: one byte range (most literals)
            self.nfa.edges[s].append((ranges[0][0], ranges[0][1], f))
            return s, f
        for lo, hi in normalize(ranges):
            for seq in utf8_sequences(lo, hi):
                cur = s
                for i, (a, b) in enumerate(seq):
                    nxt = f if i == len(seq) - 1 else self.nfa.new()
                    self.nfa.edges[cur].append((a, b, nxt))
                    cur = nxt
        return s, f

    def item(self, op, av, icase: bool, dotall: bool) -> tuple[int, int]:
        if op is C.LITERAL:
            return self.ranges(_case([(av, av)], icase))
        if op is C.NOT_LITERAL:
            return self.ranges(negate(_case([(av, av)], icase)))
        if op is C.IN:
            return self.ranges(self.charset(av, icase))
        if op is C.ANY:
            return self.ranges([(0, MAX_CODEPOINT)] if dotall else negate([(10, 10)]))
        if op is C.SUBPATTERN:
            _group, add, rem, body = av
            icase = (icase or bool(add & C.SRE_FLAG_IGNORECASE)) and not rem & C.SRE_FLAG_IGNORECASE
            dotall = (dotall or bool(add & C.SRE_FLAG_DOTALL)) and not rem & C.SRE_FLAG_DOTALL
            return self.seq(list(body), icase, dotall)
        if op is C.BRANCH:
            s, f = self.nfa.new(), self.nfa.new()
            for alt in av[1]:
                a, b = self.seq(list(alt), icase, dotall)
                self.nfa.eps[s].append(a)
                self.nfa.eps[b].append(f)
            return s, f
        if op in (C.MAX_REPEAT, C.MIN_REPEAT):
            return self.repeat(av, icase, dotall, greedy=op is C.MAX_REPEAT)
        if op is C.CATEGORY:
            return self.ranges(self.charset([(op, av)], icase))
        if op is C.AT:
            raise self.fail("an anchor")
        if op in (C.ASSERT, C.ASSERT_NOT):
            raise self.fail("lookaround")
        raise self.fail(str(op).lower())

    def repeat(self, av, icase: bool, dotall: bool, greedy: bool) -> tuple[int, int]:
        """``body{lo,hi}``. The order of the epsilon edges is the regex's priority (leftmost
        first, as Python's ``re`` matches): a greedy repeat tries one more round before
        leaving, a lazy one leaves first."""
        lo, hi, body = av
        body = list(body)
        if hi is not C.MAXREPEAT and hi > 10_000:
            raise self.fail(f"a repeat bound of {hi}")
        start = cur = self.nfa.new()
        for _ in range(lo):
            s, f = self.seq(body, icase, dotall)
            self.nfa.eps[cur].append(s)
            cur = f
        end = self.nfa.new()
        if hi is C.MAXREPEAT:
            s, f = self.seq(body, icase, dotall)
            self.nfa.eps[cur] += [s, end] if greedy else [end, s]
            self.nfa.eps[f].append(cur)
            return start, end
        for _ in range(hi - lo):
            s, f = self.seq(body, icase, dotall)
            self.nfa.eps[cur] += [s, end] if greedy else [end, s]
            cur = f
        self.nfa.eps[cur].append(end)
        return start, end

    def charset(self, items, icase: bool) -> Ranges:
        out: Ranges = []
        neg = False
        for op, av in items:
            if op is C.NEGATE:
                neg = True
            elif op is C.LITERAL:
                out.append((av, av))
            elif op is C.RANGE:
                out.append(av)
            elif op is C.CATEGORY:
                if av in _CATEGORIES:
                    out += _CATEGORIES[av]
                elif av in _NEGATED:
                    out += negate(_CATEGORIES[_NEGATED[av]])
                else:
                    raise self.fail(f"the class {av}")
            else:
                raise self.fail(f"{op} in a character class")
        out = _case(out, icase)
        return negate(out) if neg else normalize(out)


def _case(ranges: Ranges, icase: bool) -> Ranges:
    if not icase:
        return ranges
    out = list(ranges)
    for lo, hi in ranges:
        for a, b, delta in ((65, 90, 32), (97, 122, -32)):
            x, y = max(lo, a), min(hi, b)
            if x <= y:
                out.append((x + delta, y + delta))
    return out
