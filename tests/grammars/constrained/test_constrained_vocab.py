"""Vocabularies: byte-level BPE, SentencePiece (``▁``, byte fallback, first-token space) and
tokens holding partial UTF-8 sequences."""

from __future__ import annotations

from grammars.constrained import Matcher, TokenIndex, Vocabulary, compile_grammar
from grammars.constrained.vocabulary import _byte_level, _sentencepiece, gpt2_byte_decoder


def test_piece_decoding():
    dec = gpt2_byte_decoder()
    assert _byte_level("\u0120hello", dec) == b" hello"
    assert _byte_level("\u00c3\u00bc", dec) == "ü".encode()
    assert _sentencepiece("\u2581Pizza") == b" Pizza"
    assert _sentencepiece("<0x0A>") == b"\n"
    assert _sentencepiece("<s>") is None


def test_partial_utf8_tokens_build_valid_text():
    g = compile_grammar('start: WORD\nWORD: /[a-zü]+/\n')
    u = "ü".encode()
    vocab = Vocabulary.from_bytes([b"a", u[:1], u[1:], b"\xc3\xa9"[:1], None], eos_ids=[4])
    m = Matcher(TokenIndex(g, vocab))
    assert m.is_allowed(1) and not m.is_allowed(2)
    m.advance(1)
    assert m.is_allowed(2) and not m.is_allowed(0) and not m.is_allowed(4)
    m.advance(2)
    assert m.is_complete() and m.is_allowed(4)


def test_sentencepiece_first_token_leading_space():
    g = compile_grammar('start: "Pizza" (" " "Pizza")*\n')
    pieces = ["\u2581P", "izza", "P", "\u2581Pizza", "<0x20>", "</s>"]
    tokens = [_sentencepiece(p) for p in pieces]
    vocab = Vocabulary.from_bytes(tokens, eos_ids=[5], strip_leading_space=True)
    m = Matcher(TokenIndex(g, vocab))
    first = set(m.allowed_ids().tolist())
    assert {0, 2, 3} <= first  # "▁P" is the canonical first piece of "Pizza"
    m.advance(0)
    m.advance(1)
    assert m.is_complete()
    assert set(m.allowed_ids().tolist()) == {0, 3, 4, 5}  # " P", " Pizza", " ", EOS
