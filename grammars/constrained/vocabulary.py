"""A tokenizer's vocabulary as bytes: byte-level BPE, SentencePiece, or plain bytes.

Every token id maps to the exact bytes it adds to the output (``None`` for special tokens that
add no text and are never allowed by a grammar). Byte-level BPE tokens (GPT-2 style, ``Ġ`` for
space) are mapped back through the GPT-2 byte alphabet; SentencePiece pieces turn ``▁`` into a
space and ``<0xAB>`` byte-fallback pieces into that byte. A token may be a partial UTF-8
sequence; the engine works on bytes, so that is fine.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import cache, cached_property
from typing import Any

SPM_SPACE = "\u2581"


@cache
def gpt2_byte_decoder() -> dict[str, int]:
    """The inverse of GPT-2's ``bytes_to_unicode`` table."""
    bs = list(range(33, 127)) + list(range(161, 173)) + list(range(174, 256))
    cs = bs[:]
    n = 0
    for b in range(256):
        if b not in bs:
            bs.append(b)
            cs.append(256 + n)
            n += 1
    return {chr(c): b for b, c in zip(bs, cs)}


@dataclass(frozen=True)
class Vocabulary:
    """Token id -> bytes, the end-of-sequence ids, and the tokenizer's kind.

    ``strip_leading_space``: SentencePiece tokenizers prepend a space to the text they encode and
    drop it when decoding, so the first token of a canonical tokenization starts with ``▁``; the
    matcher then reads the first token without its leading space.
    """

    tokens: tuple[bytes | None, ...]
    eos_ids: tuple[int, ...]
    kind: str = "bytes"
    strip_leading_space: bool = False

    def __len__(self) -> int:
        return len(self.tokens)

    @cached_property
    def trie(self):  # -> TokenTrie (built once per vocabulary)
        from .trie import TokenTrie

        return TokenTrie.build(list(self.tokens))

    @cached_property
    def token_bytes(self) -> list[bytes]:
        """Per token id its bytes, ``b""`` for a token that adds no text (built once)."""
        return [t or b"" for t in self.tokens]

    @cached_property
    def id_of_bytes(self) -> dict[bytes, int]:
        """Per non-empty byte string that is a token (EOS aside), the lowest id spelling it
        (built once): what splits a completion into tokens."""
        eos = set(self.eos_ids)
        out: dict[bytes, int] = {}
        for i, t in enumerate(self.tokens):
            if t and i not in eos:
                out.setdefault(t, i)
        return out

    @cached_property
    def longest_token(self) -> int:
        """The most bytes a token spells."""
        return max(map(len, self.id_of_bytes), default=0)

    def without_leading_space(self) -> Vocabulary:
        """Each token read without one leading space (a SentencePiece first token)."""
        toks = tuple(t[1:] if t and t[:1] == b" " else t for t in self.tokens)
        return Vocabulary(toks, self.eos_ids, self.kind, False)

    @classmethod
    def from_bytes(cls, tokens: Iterable[bytes | None], eos_ids: Sequence[int] = (),
                   strip_leading_space: bool = False) -> Vocabulary:
        return cls(tuple(tokens), tuple(eos_ids), "bytes", strip_leading_space)

    @classmethod
    def from_tokenizer(cls, tokenizer: Any, eos_ids: Sequence[int] | None = None) -> Vocabulary:
        """Read a ``transformers`` tokenizer, or any object with ``vocab_bytes()``."""
        if isinstance(tokenizer, Vocabulary):
            return tokenizer
        if hasattr(tokenizer, "vocab_bytes"):
            eos = eos_ids if eos_ids is not None else _eos_ids(tokenizer)
            return cls.from_bytes(tokenizer.vocab_bytes(), eos)
        if isinstance(tokenizer, (list, tuple)):
            return cls.from_bytes(tokenizer, eos_ids or ())
        return _from_hf(tokenizer, eos_ids)


def _eos_ids(tokenizer: Any) -> tuple[int, ...]:
    ids = getattr(tokenizer, "eos_token_ids", None) or getattr(tokenizer, "eos_token_id", None)
    if ids is None:
        return ()
    return tuple(ids) if isinstance(ids, (list, tuple, set)) else (int(ids),)


def _decoder_kind(tokenizer: Any, pieces: dict[str, int]) -> str:
    backend = getattr(tokenizer, "backend_tokenizer", None)
    if backend is not None:
        spec = json.dumps(json.loads(backend.to_str()).get("decoder"))
        if "ByteLevel" in spec:
            return "byte_level"
        if "Metaspace" in spec or SPM_SPACE in spec or "ByteFallback" in spec:
            return "sentencepiece"
    spm = sum(1 for p in pieces if SPM_SPACE in p)
    bpe = sum(1 for p in pieces if "\u0120" in p)
    return "sentencepiece" if spm > bpe else "byte_level"


def _from_hf(tokenizer: Any, eos_ids: Sequence[int] | None) -> Vocabulary:
    pieces: dict[str, int] = tokenizer.get_vocab()
    kind = _decoder_kind(tokenizer, pieces)
    size = max(len(tokenizer), max(pieces.values()) + 1)
    tokens: list[bytes | None] = [None] * size
    special = set(getattr(tokenizer, "all_special_ids", ()))
    added = {i: t for i, t in getattr(tokenizer, "added_tokens_decoder", {}).items()}
    byte_dec = gpt2_byte_decoder()
    for piece, i in pieces.items():
        if i in special or (i in added and getattr(added[i], "special", False)):
            continue
        if i in added:
            tokens[i] = piece.encode("utf-8")
        elif kind == "byte_level":
            tokens[i] = _byte_level(piece, byte_dec)
        else:
            tokens[i] = _sentencepiece(piece)
    eos = tuple(eos_ids) if eos_ids is not None else _eos_ids(tokenizer)
    return Vocabulary(tuple(tokens), eos, kind, kind == "sentencepiece")


def _byte_level(piece: str, byte_dec: dict[str, int]) -> bytes | None:
    try:
        return bytes(byte_dec[c] for c in piece)
    except KeyError:
        return piece.encode("utf-8")


def _sentencepiece(piece: str) -> bytes | None:
    if len(piece) == 6 and piece.startswith("<0x") and piece.endswith(">"):
        return bytes([int(piece[3:5], 16)])
    if piece.startswith("<") and piece.endswith(">") and len(piece) > 2:
        return None  # <unk>, <s>, </s>, <pad> and friends
    return piece.replace(SPM_SPACE, " ").encode("utf-8")
