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
# The matcher lexes by maximal munch without backtracking; lark's lexer takes the first
# terminal in its order (priority, max width, ...) that matches, with Python's regex semantics.
# Strings where the two split differently are the known disagreements (see LEXING below).
KNOWN = {engine.UNSOUND_LEXING, engine.INCOMPLETE}

# minimal strings where the matcher and lark disagree, one per cause
LEXING = [
    # a higher-priority terminal wins in lark even when a lower one matches longer
    ('start: T0 T0 | T3\nT0.2: /a(ba)*/\nT3: /[a-z]+/\n', "abab", False),
    # equal priority: lark tries the wider regex first, it matches "a", the keyword loses
    ('start: A | B\nA: "abc"\nB: /a(ba)*/\n', "abc", False),
    # alternation inside a regex is ordered in Python, not longest
    ("start: T\nT: /a|ab/\n", "ab", False),
    # lazy repeats take the shortest match in Python
    ("start: T\nT: /a+?/\n", "aa", False),
    # the documented limit: lark backtracks to a shorter match, the matcher does not
    ('start: A "bc"\nA: /a(ba)*/\n', "abc", True),
]


@pytest.fixture(scope="module")
def verdicts():
    out = []
    for i in range(CASES):
        case = engine.generate(case_rng(SEED, i), i)
        out.append((case, engine.check(case, TIMEOUT)))
    return out


def test_matcher_agrees_with_lark_but_for_lexing(verdicts):
    bad = [(c.index, v.outcome, v.detail) for c, v in verdicts
           if v.outcome != engine.AGREE and v.outcome not in KNOWN]
    assert bad == []  # no mask, dead-end, compile or non-lexing disagreement
    checks: Counter = Counter()
    for _, v in verdicts:
        checks.update(dict(v.counts))
    assert checks["accept"] >= 100 and checks["reject"] >= 100 and checks["walks"] >= 100


@pytest.mark.xfail(strict=True, reason="the matcher lexes by maximal munch, lark does not "
                   "(issue #13: differential checks); remove when the lexer follows lark")
def test_matcher_agrees_with_lark_on_every_case(verdicts):
    assert [(c.index, v.outcome) for c, v in verdicts if v.outcome != engine.AGREE] == []


def _matcher_accepts(grammar: str, text: str) -> bool:
    from grammars.constrained import Matcher, TokenIndex, Vocabulary, compile_grammar

    vocab = Vocabulary.from_bytes([bytes([b]) for b in range(256)] + [None], eos_ids=[256])
    m = Matcher(TokenIndex(compile_grammar(grammar), vocab))
    return all(m.try_advance(b) for b in text.encode()) and m.is_complete()


@pytest.mark.parametrize("grammar,text,lark_parses", LEXING)
def test_the_known_lexing_disagreements_are_what_they_say(grammar, text, lark_parses):
    assert engine.parses(engine.oracle(grammar), text) == lark_parses
    assert _matcher_accepts(grammar, text) != lark_parses


@pytest.mark.xfail(strict=True, reason="the matcher lexes by maximal munch, lark does not")
@pytest.mark.parametrize("grammar,text,lark_parses", LEXING)
def test_the_matcher_lexes_like_lark(grammar, text, lark_parses):
    assert _matcher_accepts(grammar, text) == lark_parses


def test_the_check_reports_a_disagreement():
    grammar, text, _ = LEXING[0]
    v = engine.check(engine.Case(0, grammar, ("aba", text)), TIMEOUT)
    assert (v.outcome, v.failed) == (engine.UNSOUND_LEXING, True)
    assert repr(text) in v.detail


def test_sampled_sentences_mostly_parse(verdicts):
    parsed = total = 0
    for case, _ in verdicts[:20]:
        parser = engine.oracle(case.grammar)
        sampler = engine._Sampler(parser, random.Random(case.index))
        for _ in range(5):
            total += 1
            parsed += engine.parses(parser, sampler.sentence())
    assert parsed >= 0.8 * total
