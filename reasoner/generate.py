"""``generate``: text from any torch language model, guaranteed to match a grammar.

The model is anything whose forward takes a ``[1, n]`` id tensor and returns logits
``[1, n, vocab]`` (a tensor, a tuple starting with it, or an object with ``.logits`` as
``transformers`` models return); models that accept ``past_key_values``/``use_cache`` are run
incrementally. Decoding is greedy at ``temperature=0`` (opportunistic: the mask is only
computed when the model's first choice is not allowed, which gives the same result), otherwise
nucleus sampling over the masked distribution with an explicit ``seed``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


class IncompleteGeneration(RuntimeError):
    """``max_new_tokens`` ran out before the output was a complete sentence of the grammar."""

    def __init__(self, text: str, n_tokens: int):
        super().__init__(f"output still incomplete after {n_tokens} tokens: {text[-80:]!r}")
        self.text = text


@dataclass(frozen=True)
class Sampling:
    temperature: float = 0.0
    top_p: float = 1.0
    seed: int = 0


def generate(model: Any, tokenizer: Any, grammar: Any = None, prompt: str | list[int] = "",
             max_new_tokens: int = 256, temperature: float = 0.0, top_p: float = 1.0,
             seed: int = 0) -> str:
    """Generate from ``prompt`` until EOS; with ``grammar`` the text is a sentence of it.

    ``grammar``: Lark text, a JSON schema (dict), a ``CompiledGrammar`` or a bound
    ``TokenIndex`` (reuse one across calls to skip compilation). ``tokenizer``: a
    ``transformers`` tokenizer or an object with ``vocab_bytes()`` (then pass ``prompt`` as ids).
    Raises :class:`IncompleteGeneration` if ``max_new_tokens`` ends a constrained output early,
    ``ValueError`` if a grammar is given and the tokenizer has no end-of-sequence token.
    """
    import torch

    from grammars.constrained import Matcher, TokenIndex, Vocabulary, bind

    index = bind(grammar, tokenizer) if grammar is not None else None
    vocab = index.vocab if isinstance(index, TokenIndex) else Vocabulary.from_tokenizer(tokenizer)
    if index is not None and not vocab.eos_ids:
        raise ValueError("the tokenizer has no end-of-sequence token (eos_token_id): "
                         "constrained generation ends by emitting it once the text is complete")
    matcher = Matcher(index) if index is not None else None
    sampling = Sampling(temperature, top_p, seed)
    gen = torch.Generator().manual_seed(seed)
    ids = _prompt_ids(tokenizer, prompt)
    out: list[int] = []
    step = _Stepper(model, ids)
    with torch.no_grad():
        for _ in range(max_new_tokens):
            logits = step.next_logits().float()
            tok = _choose(logits, matcher, sampling, gen)
            if tok in vocab.eos_ids:
                break
            if matcher is not None:
                matcher.advance(tok)
            out.append(tok)
            step.append(tok)
        else:
            if matcher is not None and not matcher.is_complete():
                raise IncompleteGeneration(_decode(vocab, out), len(out))
    return _decode(vocab, out)


def _choose(logits, matcher, sampling: Sampling, gen) -> int:
    import torch

    from grammars.constrained.torch_mask import apply_bitmask

    if sampling.temperature <= 0:
        tok = int(torch.argmax(logits))
        if matcher is None or matcher.is_allowed(tok):
            return tok
        return int(torch.argmax(apply_bitmask(logits, matcher.mask())))
    if matcher is not None:
        apply_bitmask(logits, matcher.mask())
    probs = torch.softmax(logits / sampling.temperature, dim=-1)
    if sampling.top_p < 1.0:
        sorted_p, order = torch.sort(probs, descending=True)
        keep = torch.cumsum(sorted_p, 0) - sorted_p < sampling.top_p
        keep[0] = True
        probs = torch.zeros_like(probs).scatter_(0, order[keep], sorted_p[keep])
    return int(torch.multinomial(probs, 1, generator=gen))


class _Stepper:
    """Runs the model one token at a time, with a KV cache when the model takes one."""

    def __init__(self, model: Any, ids: list[int]):
        self.model, self.ids, self.past, self.fresh = model, list(ids), None, True
        self.cached = hasattr(model, "config") and hasattr(model, "generate")

    def append(self, tok: int) -> None:
        self.ids.append(tok)

    def next_logits(self):
        import torch

        if self.cached:
            feed = self.ids if self.fresh else self.ids[-1:]
            out = self.model(input_ids=torch.tensor([feed]), past_key_values=self.past,
                             use_cache=True)
            self.past = out.past_key_values
        else:
            out = self.model(torch.tensor([self.ids]))
        self.fresh = False
        logits = out.logits if hasattr(out, "logits") else out
        if isinstance(logits, (tuple, list)):
            logits = logits[0]
        return logits[0, -1]


def _prompt_ids(tokenizer: Any, prompt: str | list[int]) -> list[int]:
    if not isinstance(prompt, str):
        return [int(i) for i in prompt]
    if not prompt:
        bos = getattr(tokenizer, "bos_token_id", None)
        eos = getattr(tokenizer, "eos_token_id", None)
        return [bos if bos is not None else (eos or 0)]
    return list(tokenizer.encode(prompt, add_special_tokens=False))


def _decode(vocab, ids: list[int]) -> str:
    parts = [vocab.tokens[i] or b"" for i in ids]
    if parts and vocab.strip_leading_space and parts[0][:1] == b" ":
        parts[0] = parts[0][1:]
    return b"".join(parts).decode("utf-8", errors="replace")
