"""The constrained decoder's matcher against lark on random grammars and strings
(derandomized; the same engine runs at scale in
``python bench/differential.py --engine grammar``)."""

from __future__ import annotations

import random
from collections import Counter

import differential_grammar as engine
import pytest
from differential import case_rng

SEED = 0
CASES = 100
TIMEOUT = 5.0

# strings on which a maximal-munch lexer and lark's disagree, one per cause: the matcher
# follows lark on each
LEXING = [
    # a higher-priority terminal wins in lark even when a lower one matches longer
    ('start: T0 T0 | T3\nT0.2: /a(ba)*/\nT3: /[a-z]+/\n', "abab", False),
    # equal priority: lark tries the wider regex first, it matches "a", the keyword loses
    ('start: A | B\nA: "abc"\nB: /a(ba)*/\n', "abc", False),
    # alternation inside a regex is ordered in Python, not longest
    ("start: T\nT: /a|ab/\n", "ab", False),
    # lazy repeats take the shortest match in Python
    ("start: T\nT: /a+?/\n", "aa", False),
    # lark backs up to a shorter match and lexes the rest again
    ('start: A "bc"\nA: /a(ba)*/\n', "abc", True),
    ('start: NUMBER "." NAME\nNUMBER: /[0-9]+(\\.[0-9]+)?/\nNAME: /[a-z]+/\n', "1.x", True),
]
# the documented limit: backing up over bytes that hold more than one lexeme
BEYOND = ('start: Q E E | T\nT: /"[^"]*"/\nQ: "\\""\nE: "="\n', '"==')
# lark backs up once per lexeme the open /[ab]+c/ spans, as deep as the string is long (seed 1,
# case 287 of the differential run): refused unless allow_deep_backups
DEEP = ('start: r1\nr1: T4 start | T2 | T0 start T1\nT0: "a"\nT1: /a(ba)*/\n'
        'T2: /(ab|a)c?/\nT4.2: /[ab]+c/\n', "abbacaaababaaba", "abcaababa")


@pytest.fixture(scope="module")
def verdicts():
    out = []
    for i in range(CASES):
        case = engine.generate(case_rng(SEED, i), i)
        out.append((case, engine.check(case, TIMEOUT)))
    return out


def test_matcher_agrees_with_lark_on_every_case(verdicts):
    assert [(c.index, v.outcome, v.detail) for c, v in verdicts
            if v.outcome not in (engine.AGREE, engine.REFUSED)] == []
    checks: Counter = Counter()
    for _, v in verdicts:
        checks.update(dict(v.counts))
    assert checks["accept"] >= 100 and checks["reject"] >= 100 and checks["walks"] >= 100


def _matcher_accepts(grammar: str, text: str, **options) -> bool:
    from grammars.constrained import Matcher, TokenIndex, Vocabulary, compile_grammar

    vocab = Vocabulary.from_bytes([bytes([b]) for b in range(256)] + [None], eos_ids=[256])
    m = Matcher(TokenIndex(compile_grammar(grammar, **options), vocab))
    return all(m.try_advance(b) for b in text.encode()) and m.is_complete()


@pytest.mark.parametrize("grammar,text,lark_parses", LEXING)
def test_the_matcher_lexes_like_lark(grammar, text, lark_parses):
    assert engine.parses(engine.oracle(grammar), text) == lark_parses
    assert _matcher_accepts(grammar, text) == lark_parses


def test_the_check_reports_a_disagreement():
    grammar, text = BEYOND
    assert engine.parses(engine.oracle(grammar), text)
    assert not _matcher_accepts(grammar, text)
    assert _matcher_accepts(grammar, text + '"')
    v = engine.check(engine.Case(0, grammar, (text,)), TIMEOUT)
    assert (v.outcome, v.failed) == (engine.INCOMPLETE, True)
    assert repr(text) in v.detail


def test_a_grammar_where_lark_backs_up_deeper_than_the_matcher_follows_is_refused():
    from grammars.constrained import compile_grammar
    from grammars.constrained.errors import UnsupportedGrammarError

    grammar, deep, shallow = DEEP
    with pytest.raises(UnsupportedGrammarError, match=r"back up over more than 3 lexemes of T0"):
        compile_grammar(grammar)
    v = engine.check(engine.Case(287, grammar, (deep,)), TIMEOUT)
    assert (v.outcome, v.failed) == (engine.REFUSED, False)
    # allowed, the matcher follows the shallow backups and rejects (never accepts) the deep one
    parser = engine.oracle(grammar)
    assert engine.parses(parser, deep) and engine.parses(parser, shallow)
    assert _matcher_accepts(grammar, shallow, allow_deep_backups=True)
    assert not _matcher_accepts(grammar, deep, allow_deep_backups=True)


def test_a_grammar_the_matcher_refuses_is_counted_apart():
    v = engine.check(engine.Case(0, "start: x | y\nx: \"a\"\ny: y \"b\"\n", ("a",)), TIMEOUT)
    assert (v.outcome, v.failed) == (engine.REFUSED, False)


def test_sampled_sentences_mostly_parse(verdicts):
    parsed = total = 0
    for case, _ in verdicts[:20]:
        parser = engine.oracle(case.grammar)
        sampler = engine._Sampler(parser, random.Random(case.index))
        for _ in range(5):
            total += 1
            parsed += engine.parses(parser, sampler.sentence())
    assert parsed >= 0.8 * total
