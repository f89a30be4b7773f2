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
class Generation:
    """What ``generate(..., details=True)`` returns: the text, the token ids emitted (EOS
    excluded), how many forward passes the model ran (the prompt's included), how many of
    the ids jump-forward emitted without one, and how many the budget finisher appended."""

    text: str
    ids: list[int]
    forward_passes: int
    jumped: int = 0
    finished: int = 0


@dataclass(frozen=True)
class Sampling:
    temperature: float = 0.0
    top_p: float = 1.0
    seed: int = 0


def generate(model: Any, tokenizer: Any, grammar: Any = None,
             prompt: str | list[int] | list[str] | list[list[int]] = "",
             max_new_tokens: int = 256, temperature: float = 0.0, top_p: float = 1.0,
             seed: int = 0, jump_forward: bool = False, details: bool = False,
             finish_within_budget: bool = True) -> Any:
    """Generate from ``prompt`` until EOS; with ``grammar`` the text is a sentence of it.

    ``grammar``: Lark text, a JSON schema (dict), a ``CompiledGrammar`` or a bound
    ``TokenIndex`` (reuse one across calls to skip compilation). ``tokenizer``: a
    ``transformers`` tokenizer or an object with ``vocab_bytes()`` (then pass ``prompt`` as ids).
    ``prompt`` may also be a list of prompts (texts or id lists): then the result is a list of
    texts, decoded as one batch through ``model.generate`` with the batched logits processor
    for ``transformers`` models, one after the other for other models.

    ``jump_forward`` (one prompt, with a grammar): where the grammar allows only one
    continuation (``"name": "`` after ``{``), emit it without asking the model, as the
    tokenizer itself splits that text, and run the model once over all of it. Greedy output is
    unchanged wherever the model's own tokenization of it is the tokenizer's; it saves one
    forward pass per token jumped.

    ``finish_within_budget`` (one prompt, with a grammar; on by default, since a truncated
    output is of no use to a caller that asked for a sentence of the grammar): take each of
    the model's tokens only if a complete output still fits in ``max_new_tokens`` after it;
    at the first that would not leave room, append the shortest completion instead, without
    model passes (see :mod:`grammars.constrained.budget`). Outputs that end well within the
    budget are unchanged (near it, the guard may step in a few tokens early: the completion is
    shortest in bytes, not in tokens); ``False`` gives the model every token up to the limit.

    ``details``: return a :class:`Generation` (text, ids, forward passes, tokens jumped, tokens
    the finisher appended), or a list of them for a list of prompts, instead of the text.

    Raises :class:`IncompleteGeneration` if ``max_new_tokens`` ends a constrained output early
    (with ``finish_within_budget``, only where no completion fits even at the start),
    ``ValueError`` if a grammar is given and the tokenizer has no end-of-sequence token.
    """
    if _is_batch(prompt):
        return _generate_batch(model, tokenizer, grammar, list(prompt), max_new_tokens,
                               temperature, top_p, seed, details)
    import torch

    from grammars.constrained import BudgetGuard, Matcher

    index, vocab = _bind(grammar, tokenizer)
    matcher = Matcher(index) if index is not None else None
    guard = (BudgetGuard(matcher, max_new_tokens)
             if matcher is not None and finish_within_budget else None)
    sampling = Sampling(temperature, top_p, seed)
    gen = torch.Generator().manual_seed(seed)
    ids = _prompt_ids(tokenizer, prompt)
    out: list[int] = []
    jumped = finished = 0
    step = _Stepper(model, ids)
    with torch.no_grad():
        while len(out) < max_new_tokens:
            logits = step.next_logits().float()
            tok = _choose(logits, matcher, sampling, gen)
            if tok in vocab.eos_ids:
                break
            if not _take(matcher, guard, [tok]):
                break
            out.append(tok)
            step.append(tok)
            if jump_forward and matcher is not None:
                js = _jump(matcher, tokenizer, vocab, max_new_tokens - len(out))
                if not _take(matcher, guard, js):
                    break
                out += js
                for t in js:
                    step.append(t)
                jumped += len(js)
        else:
            if matcher is not None and not matcher.is_complete():
                raise IncompleteGeneration(_decode(vocab, out), len(out))
        if guard is not None and matcher is not None and not matcher.is_complete():
            # the guard refused a token: no complete output would have fit after it (it may
            # have gone back past tokens already taken, see BudgetGuard.advance)
            finished = len(guard.finish())
            out = matcher.tokens
    text = _decode(vocab, out)
    return Generation(text, out, step.calls, jumped, finished) if details else text


def _take(matcher: Any, guard: Any, ids: list[int]) -> bool:
    """Consume ``ids`` (through the budget guard if there is one); False if the guard
    refused them because no complete output would fit after them."""
    if guard is not None:
        return guard.advance(ids)
    if matcher is not None:
        for t in ids:
            matcher.advance(t)
    return True


def _is_batch(prompt: Any) -> bool:
    return isinstance(prompt, (list, tuple)) and bool(prompt) and not isinstance(prompt[0], int)


def _bind(grammar: Any, tokenizer: Any):
    from grammars.constrained import TokenIndex, bind, vocabulary_of

    index = bind(grammar, tokenizer) if grammar is not None else None
    vocab = index.vocab if isinstance(index, TokenIndex) else vocabulary_of(tokenizer)
    if index is not None and not vocab.eos_ids:
        raise ValueError("the tokenizer has no end-of-sequence token (eos_token_id): "
                         "constrained generation ends by emitting it once the text is complete")
    return index, vocab


def _jump(matcher: Any, tokenizer: Any, vocab: Any, room: int) -> list[int]:
    """The tokens jump-forward emits after the last consumed token: the forced text as the
    tokenizer splits it, up to where what follows could change the split, and only where the
    split starts with the last token itself (else nothing: the model goes on as without
    jump-forward).

    Where the split may change: for tokenizers that expose their pre-tokenizer as
    ``transformers`` fast tokenizers do, the start of the forced text's last pre-token, unless
    every character the grammar allows next leaves that pre-token whole; for others, the
    last token."""
    if room <= 1 or not hasattr(tokenizer, "encode"):
        return []
    forced = matcher.forced()
    if not forced:
        return []
    last = matcher.tokens[-1]
    head = vocab.tokens[last] or b""
    text = _utf8_prefix(head + forced)
    if text is None or len(text.encode()) <= len(head):
        return []
    pre = getattr(getattr(tokenizer, "backend_tokenizer", None), "pre_tokenizer", None)
    if pre is None:
        ids = list(tokenizer.encode(text, add_special_tokens=False))[:-1]
    else:
        emitted = text.encode()[len(head):]
        ids = list(tokenizer.encode(text[:_stable_end(matcher, pre, text, emitted)],
                                    add_special_tokens=False))
    if len(ids) < 2 or ids[0] != last:
        return []
    return ids[1:room]


def _stable_end(matcher: Any, pre: Any, text: str, emitted: bytes) -> int:
    """How much of ``text`` (ending with the forced bytes ``emitted``) no continuation can
    re-split: all of it if, for every character the grammar allows next, the pre-tokenizer
    still ends a pre-token where ``text`` ends; else up to its last pre-token."""
    pieces = pre.pre_tokenize_str(text)
    if not pieces:
        return 0
    last_start = int(pieces[-1][1][0])
    follow, may_end = matcher.next_bytes(emitted)
    if not follow or any(b >= 0x80 for b in follow):
        return last_start  # (a character past ASCII is not probed: keep to what is sure)
    for b in follow:
        probe = text + chr(b)
        if not any(int(end) == len(text) for _, (_, end) in pre.pre_tokenize_str(probe)):
            return last_start
    return len(text)


def _utf8_prefix(data: bytes) -> str | None:
    """``data`` as text without a trailing incomplete character; None if it is not UTF-8."""
    for cut in range(4):
        try:
            return data[: len(data) - cut].decode("utf-8")
        except UnicodeDecodeError:
            continue
    return None


def _generate_batch(model: Any, tokenizer: Any, grammar: Any, prompts: list, max_new_tokens: int,
                    temperature: float, top_p: float, seed: int, details: bool) -> list:
    """Each prompt in order; with a ``transformers`` model as one left-padded batch through
    ``model.generate`` and the batched grammar logits processor."""
    if not (hasattr(model, "config") and hasattr(model, "generate")):
        return [generate(model, tokenizer, grammar, p, max_new_tokens, temperature, top_p, seed,
                         details=details) for p in prompts]
    import torch

    from grammars.constrained import Matcher
    from grammars.constrained.torch_mask import logits_processor

    index, vocab = _bind(grammar, tokenizer)
    rows = [_prompt_ids(tokenizer, p) for p in prompts]
    width = max(len(r) for r in rows)
    pad = vocab.eos_ids[0] if vocab.eos_ids else 0
    ids = torch.tensor([[pad] * (width - len(r)) + r for r in rows])
    attention = torch.tensor([[0] * (width - len(r)) + [1] * len(r) for r in rows])
    kwargs: dict[str, Any] = {"max_new_tokens": max_new_tokens, "pad_token_id": pad,
                              "attention_mask": attention}
    if vocab.eos_ids:
        kwargs["eos_token_id"] = list(vocab.eos_ids)
    if temperature > 0:
        torch.manual_seed(seed)
        kwargs.update(do_sample=True, temperature=temperature, top_p=top_p)
    else:
        kwargs.update(do_sample=False)
    if index is not None:
        from transformers import LogitsProcessorList

        kwargs["logits_processor"] = LogitsProcessorList([logits_processor(index)])
    with torch.no_grad():
        out = model.generate(ids, **kwargs)
    texts: list = []
    steps = out.shape[1] - width
    for row in out[:, width:].tolist():
        eos = next((k for k, t in enumerate(row) if t in vocab.eos_ids), None)
        toks = row if eos is None else row[:eos]
        text = _decode(vocab, toks)
        if index is not None and eos is None:
            m = Matcher(index)
            for t in toks:
                m.advance(t)
            if not m.is_complete():
                raise IncompleteGeneration(text, len(toks))
        texts.append(Generation(text, toks, steps) if details else text)
    return texts


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
        self.model, self.ids, self.past, self.fed, self.calls = model, list(ids), None, 0, 0
        self.cached = hasattr(model, "config") and hasattr(model, "generate")

    def append(self, tok: int) -> None:
        self.ids.append(tok)

    def next_logits(self):
        import torch

        if self.cached:
            out = self.model(input_ids=torch.tensor([self.ids[self.fed:]]),
                             past_key_values=self.past, use_cache=True)
            self.past = out.past_key_values
        else:
            out = self.model(torch.tensor([self.ids]))
        self.fed = len(self.ids)
        self.calls += 1
        logits = out.logits if hasattr(out, "logits") else out
        if isinstance(logits, (tuple, list)):
            logits = logits[0]
        return logits[0, -1]


def _prompt_ids(tokenizer: Any, prompt: Any) -> list[int]:
    """One prompt (text or ids) as ids."""
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
