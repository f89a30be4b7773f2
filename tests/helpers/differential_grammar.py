"""Differential checks of the constrained decoder: random Lark grammars and strings; its
``Matcher`` must accept exactly the strings lark parses.

A case is a random small LALR(1) grammar (1-4 rules with alternatives, ``?``/``*``/``+``,
groups, recursion; 2-6 terminals drawn from string literals, anonymous literals and regex
terminals that overlap each other and the literals; sometimes a priority or ``%ignore " "``)
and about a dozen strings: sentences sampled by expanding the grammar, mutations of them
(deleted, inserted, replaced, swapped and duplicated characters, truncations) and a random
string over the grammar's characters. Grammars lark itself rejects (not LALR(1), empty
language) are drawn again.

The oracle is ``lark.Lark(text, parser="lalr", lexer="contextual")``, the settings the decoder
documents, built here independently of ``grammars.constrained``: parse or no parse, nothing else.
``check`` compiles the grammar with ``grammars.constrained.compile_grammar``, binds it to two
vocabularies (the 256 bytes, and the bytes plus multi-byte pieces cut from the strings) and for
every string:

* feeds it byte by byte and as a random multi-byte tokenization; the matcher must accept it
  (every token allowed, ``is_complete`` and EOS allowed at the end) exactly when lark parses it,
  so every prefix of a sentence is allowed; each step's mask bit must equal ``is_allowed``;
* from the longest prefix the matcher allowed, walks at random through allowed tokens to EOS:
  the walk must never reach a dead end and what it ends with must parse (the matcher allows no
  prefix lark cannot complete).

A compile error on a grammar lark accepts is an ``error`` (the generator stays inside the
documented subset: no empty-matching terminal, no lookaround, no lazy repeat).

A case whose strings all agree is ``agree``. Every disagreement fails a run (``Verdict.wrong``);
its outcome says which way: ``unsound`` (the matcher accepts what lark rejects),
``unsound-lexing`` (the same, but the string is a sentence of the grammar's context-free
language under another split into terminals, by lark's Earley parser with the complete dynamic
lexer: the two lex differently), ``incomplete`` (lark parses what the matcher rejects),
``dead-end`` (a walk through allowed tokens found nothing allowed) or ``mask`` (a mask bit
differs from ``is_allowed`` or ``is_complete``). The matcher lexes as lark does (the first
terminal in lark's order that matches, Python's regex semantics, backing up to the best match),
except where its documented limits say it rejects (backing up over more than one lexeme):
those show as ``incomplete`` and count as wrong all the same. A grammar ``compile_grammar``
refuses with ``UnsupportedGrammarError`` (naming what it does not support) is ``refused``.

A case's ``text()`` is the grammar and its strings.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

import numpy as np
from differential import ERROR, Verdict, disagreement

AGREE = "agree"
UNSOUND = "unsound"
UNSOUND_LEXING = "unsound-lexing"
INCOMPLETE = "incomplete"
DEAD_END = "dead-end"
MASK = "mask"
REFUSED = "refused"  # compile_grammar names what it does not support (documented)
OUTCOMES = (AGREE, REFUSED, ERROR, UNSOUND, UNSOUND_LEXING, INCOMPLETE, DEAD_END, MASK)

WALK_STEPS = 40


@dataclass(frozen=True)
class Case:
    index: int
    grammar: str
    strings: tuple[str, ...]

    def text(self) -> str:
        lines = [f"grammar case {self.index}:", self.grammar.rstrip(), "strings:"]
        lines += [f"  {s!r}" for s in self.strings]
        return "\n".join(lines) + "\n"


# regex terminals with a sampler each (none matches the empty string)
def _word(rng: random.Random, chars: str, lo: int = 1, hi: int = 3) -> str:
    return "".join(rng.choice(chars) for _ in range(rng.randint(lo, hi)))


REGEXES: dict[str, object] = {
    r"[0-9]+": lambda r: _word(r, "0123456789"),
    r"[a-z]+": lambda r: _word(r, "abcxyzif"),
    r"[ab]+c": lambda r: _word(r, "ab") + "c",
    r"x[0-9]*": lambda r: "x" + _word(r, "0123", 0, 2),
    r'"[^"]*"': lambda r: '"' + _word(r, "ab x+", 0, 3) + '"',
    r"0|[1-9][0-9]*": lambda r: r.choice(["0", "1", "42", "907"]),
    r"a(ba)*": lambda r: "a" + "ba" * r.randint(0, 2),
    r"[a-c][a-c0-9]*": lambda r: r.choice("abc") + _word(r, "abc01", 0, 2),
    r"-?[0-9]+(\.[0-9]+)?": lambda r: r.choice(["", "-"]) + _word(r, "019")
    + r.choice(["", "." + _word(r, "05")]),
    r"[+-]": lambda r: r.choice("+-"),
    r"(ab|a)c?": lambda r: r.choice(["a", "ab", "ac", "abc"]),
    r"i[fn]": lambda r: r.choice(["if", "in"]),
}
LITERALS = ["a", "b", "c", "ab", "ba", "x", "if", "in", "(", ")", ",", "+", "-", ";", "=",
            "==", "0", "1", "abc", '"']


def _grammar(rng: random.Random) -> str:
    """Random grammar text (may be non-LALR or empty: the caller draws again)."""
    n_rules = rng.randint(1, 4)
    rules = ["start"] + [f"r{i}" for i in range(1, n_rules)]
    defs, terms = [], []
    for i in range(rng.randint(2, 6)):
        kind = rng.random()
        if kind < 0.4:
            regex = rng.choice(list(REGEXES))
            prio = ".2" if rng.random() < 0.1 else ""
            defs.append(f"T{i}{prio}: /{regex}/")
            terms.append(f"T{i}")
        elif kind < 0.7:
            defs.append(f'T{i}: "{_escape(rng.choice(LITERALS))}"')
            terms.append(f"T{i}")
        else:
            terms.append(f'"{_escape(rng.choice(LITERALS))}"')

    def item(depth: int) -> str:
        r = rng.random()
        if r < 0.55 or depth > 1:
            sym = rng.choice(terms)
        elif r < 0.85:
            sym = rng.choice(rules)
        else:
            sym = f"({item(depth + 1)} | {item(depth + 1)})"
        mod = rng.random()
        return sym + ("?" if mod < 0.12 else "*" if mod < 0.22 else "+" if mod < 0.3 else "")

    lines = []
    for name in rules:
        alts = []
        for _ in range(rng.randint(1, 3)):
            alts.append(" ".join(item(0) for _ in range(rng.randint(0 if name != "start"
                                                                    else 1, 3))))
        lines.append(f"{name}: " + " | ".join(alts))
    ignore = ['%ignore " "'] if rng.random() < 0.3 else []
    return "\n".join(lines + defs + ignore) + "\n"


def _escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace('"', '\\"')


def oracle(text: str):
    """lark's LALR(1) parser with the contextual lexer, as the decoder documents."""
    import lark

    return lark.Lark(text, parser="lalr", lexer="contextual", start="start")


def any_tokenization(text: str):
    """lark's Earley parser with the complete dynamic lexer: the string is a sentence of the
    grammar's context-free language under *some* split into terminals (used only to explain a
    disagreement as a lexing one)."""
    import lark

    return lark.Lark(text, parser="earley", lexer="dynamic_complete", start="start")


def parses(parser, text: str) -> bool:
    import lark

    try:
        parser.parse(text)
    except lark.exceptions.LarkError:
        return False
    return True


class _Sampler:
    """Sentences by expanding lark's rules (shortest completions past a depth)."""

    def __init__(self, parser, rng: random.Random) -> None:
        from lark.lexer import PatternStr

        self.rng = rng
        self.rules: dict[str, list[list]] = {}
        for r in parser.rules:
            self.rules.setdefault(r.origin.name, []).append(list(r.expansion))
        self.text: dict[str, object] = {}
        for t in parser.terminals:
            if isinstance(t.pattern, PatternStr):
                self.text[t.name] = t.pattern.value
            else:
                self.text[t.name] = REGEXES[t.pattern.value]
        self.ignore = bool(parser.ignore_tokens)
        self.cost = self._costs()

    def _costs(self) -> dict[str, float]:
        cost = {name: float("inf") for name in self.rules}
        changed = True
        while changed:
            changed = False
            for name, alts in self.rules.items():
                for alt in alts:
                    c = 1 + sum(0 if s.is_term else cost[s.name] for s in alt)
                    if c < cost[name]:
                        cost[name], changed = c, True
        return cost

    def sentence(self) -> str:
        out: list[str] = []
        self._expand("start", 0, out)
        sep = " " if self.ignore and self.rng.random() < 0.5 else ""
        return sep.join(out)

    def _expand(self, name: str, depth: int, out: list[str]) -> None:
        def cost(alt: list) -> float:
            return sum(0 if s.is_term else self.cost[s.name] for s in alt)

        alts = [a for a in self.rules[name] if cost(a) < float("inf")]  # productive ones
        if depth > 5 or len(out) > 30:
            alt = min(alts, key=cost)
        else:
            alt = self.rng.choice(alts)
        for s in alt:
            if s.is_term:
                t = self.text[s.name]
                out.append(t if isinstance(t, str) else t(self.rng))  # type: ignore[operator]
            else:
                self._expand(s.name, depth + 1, out)


def _mutate(rng: random.Random, s: str, alphabet: str) -> str:
    op = rng.randrange(6)
    i = rng.randrange(len(s) + 1)
    if op == 0 or not s:
        return s[:i] + rng.choice(alphabet) + s[i:]
    i = min(i, len(s) - 1)
    if op == 1:
        return s[:i] + s[i + 1:]
    if op == 2:
        return s[:i] + rng.choice(alphabet) + s[i + 1:]
    if op == 3 and len(s) > 1:
        i = min(i, len(s) - 2)
        return s[:i] + s[i + 1] + s[i] + s[i + 2:]
    if op == 4:
        j = rng.randint(i, len(s))
        return s[:j] + s[i:j] + s[j:]
    return s[:i]


def generate(r: random.Random, index: int) -> Case:
    """A grammar lark accepts, with sampled sentences, mutations and a random string."""
    while True:
        text = _grammar(r)
        try:
            parser = oracle(text)
        except Exception:  # noqa: BLE001 - not LALR(1), empty language, ...: draw again
            continue
        sampler = _Sampler(parser, r)
        if sampler.cost["start"] < float("inf"):
            break
    valid = [sampler.sentence() for _ in range(5)]
    alphabet = "".join(sorted(set("".join(valid)) | set(" a1(")))
    mutated = [_mutate(r, r.choice(valid), alphabet) for _ in range(6)]
    noise = "".join(r.choice(alphabet) for _ in range(r.randint(0, 6)))
    strings = tuple(dict.fromkeys(valid + mutated + [noise, ""]))
    return Case(index, text, strings)


# -------------------------------------------------------------------------- the check


def _vocab(case: Case, rng: random.Random, multi: bool):
    from grammars.constrained import Vocabulary

    pieces: set[bytes] = set()
    data = [s.encode() for s in case.strings if len(s) > 1]
    for _ in range(80 if multi and data else 0):
        d = rng.choice(data)
        i = rng.randrange(len(d) - 1)
        pieces.add(d[i:i + rng.randint(2, 5)])
    tokens: list[bytes | None] = [bytes([b]) for b in range(256)] + sorted(pieces) + [None]
    return Vocabulary.from_bytes(tokens, eos_ids=[len(tokens) - 1])


def _tokenize(vocab, data: bytes, rng: random.Random) -> list[int]:
    ids = {t: i for i, t in enumerate(vocab.tokens) if t}
    out, i = [], 0
    while i < len(data):
        options = [n for n in range(1, 6) if i + n <= len(data) and data[i:i + n] in ids]
        n = rng.choice(options)
        out.append(ids[data[i:i + n]])
        i += n
    return out


def _bit(mask: np.ndarray, i: int) -> bool:
    return bool((int(mask[i >> 5]) >> (i & 31)) & 1)


def _feed(index, tokens: list[int]):
    """Feed tokens; returns (matcher, number consumed, problem or '')."""
    from grammars.constrained import Matcher

    m = Matcher(index)
    for k, tok in enumerate(tokens):
        allowed = m.is_allowed(tok)
        if _bit(m.mask(), tok) != allowed:
            return m, k, f"mask bit {_bit(m.mask(), tok)} but is_allowed {allowed} at token {k}"
        if not allowed:
            return m, k, ""
        m.advance(tok)
    eos = index.vocab.eos_ids[0]
    if _bit(m.mask(), eos) != m.is_complete():
        return m, len(tokens), "EOS mask bit differs from is_complete at the end"
    return m, len(tokens), ""


def _walk(index, m, rng: random.Random, parser) -> tuple[str, str | None]:
    """Random allowed tokens from ``m`` until EOS is taken: (dead-end problem or '', the text
    at EOS or None when the walk stopped first)."""
    eos = index.vocab.eos_ids[0]
    for _ in range(WALK_STEPS):
        ids = m.allowed_ids().tolist()
        if not ids:
            return "dead end: nothing allowed after " + repr(_text(index, m)), None
        if eos in ids and (len(ids) == 1 or rng.random() < 0.3):
            return "", _text(index, m)
        m.advance(rng.choice([i for i in ids if i != eos]))
    return "", None


def _text(index, m) -> str:
    return b"".join(index.token_bytes[t] for t in m.tokens).decode("utf-8", "replace")


def check(case: Case, timeout: float) -> Verdict:
    """Compare the matcher with lark on every string of the case (in well under a second:
    ``timeout`` is not needed)."""
    from grammars.constrained import GrammarError, TokenIndex, compile_grammar
    from grammars.constrained.errors import UnsupportedGrammarError

    rng = random.Random(case.index)
    parser = oracle(case.grammar)
    try:
        compiled = compile_grammar(case.grammar)
    except UnsupportedGrammarError as e:
        return Verdict(REFUSED, str(e)[:300])
    except GrammarError as e:
        return Verdict(ERROR, f"lark accepts the grammar, compile_grammar raised "
                       f"{type(e).__name__}: {e}"[:300])
    indexes = []
    for multi in (False, True):
        index = TokenIndex(compiled, _vocab(case, rng, multi))
        if rng.random() < 0.5:
            index.precompute()
        indexes.append(index)
    counts = {"accept": 0, "reject": 0, "walks": 0}
    for s in case.strings:
        truth = parses(parser, s)
        data = s.encode()
        for index in indexes:
            tokens = _tokenize(index.vocab, data, rng)
            m, used, problem = _feed(index, tokens)
            if problem:
                return disagreement(MASK, f"{problem} of {s!r}")
            got = used == len(tokens) and m.is_complete()
            if got != truth:
                at = len(b"".join(index.token_bytes[t] for t in tokens[:used]))
                how = (f"rejects at byte {at}" if used < len(tokens)
                       else "ends incomplete" if not got else "accepts")
                return _disagreement(case, s, truth, f"matcher {how}")
            if not truth or rng.random() < 0.3:
                problem, text = _walk(index, m, rng, parser)
                if problem:
                    return disagreement(DEAD_END, f"from {s!r}: {problem}")
                if text is not None and not parses(parser, text):
                    return _disagreement(case, text, False, f"a random walk from {s!r} ends "
                                         "there, allowed by the matcher")
                counts["walks"] += 1
        counts["accept" if truth else "reject"] += 1
    return Verdict(AGREE, f"{counts['accept']} accepted, {counts['reject']} rejected",
                   counts=tuple(counts.items()))


def _disagreement(case: Case, s: str, truth: bool, how: str) -> Verdict:
    """A string lark and the matcher disagree on: ``unsound`` when the matcher accepts what lark
    rejects (``-lexing`` when the string is still a sentence under some other split into
    terminals: the matcher lexes differently from lark), ``incomplete`` the other way."""
    if truth:
        return disagreement(INCOMPLETE, f"lark parses {s!r}, {how}")
    sentence = parses(any_tokenization(case.grammar), s)
    return disagreement(UNSOUND_LEXING if sentence else UNSOUND,
                        f"lark rejects {s!r}, {how}"
                        + (" (a sentence under another split into terminals)" if sentence
                           else ""))


def warm_up() -> None:
    """Import lark and the constrained decoder in the parent of forked workers, and walk with
    numba's code there (``symbolic.runner`` preload)."""
    import lark  # noqa: F401

    import grammars.constrained  # noqa: F401
    from grammars.constrained.kernels import warm_up as kernels

    kernels()
