"""The proposer's language model: a small decoder-only transformer over construction tokens.

Pre-norm blocks (causal self-attention through ``scaled_dot_product_attention``, GELU MLP),
learned positions, output head tied to the token embedding. ``forward(ids)`` returns logits
``[B, T, V]`` (the shape ``reasoner.generate`` expects of any torch language model);
``forward(ids, past)`` with ``past`` from an earlier call runs incrementally and also returns
the new key/value cache, which beam search reorders with :func:`reorder_cache`;
``forward(ids, past, prefix=cache)`` continues a prompt's cache (batch 1) in every row of
``ids`` without copying it per row.

Default size: 6 layers, width 256, 8 heads: about 4.8M parameters.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

import torch
from torch import nn
from torch.nn import functional as F

Cache = list[tuple[torch.Tensor, torch.Tensor]]


@dataclass(frozen=True)
class ModelConfig:
    vocab_size: int
    d_model: int = 256
    n_layers: int = 6
    n_heads: int = 8
    d_ff: int = 1024
    max_len: int = 512
    dropout: float = 0.1

    def to_dict(self) -> dict:
        return dataclasses.asdict(self)


class _Block(nn.Module):
    def __init__(self, c: ModelConfig):
        super().__init__()
        self.n_heads = c.n_heads
        self.ln1 = nn.LayerNorm(c.d_model)
        self.qkv = nn.Linear(c.d_model, 3 * c.d_model)
        self.proj = nn.Linear(c.d_model, c.d_model)
        self.ln2 = nn.LayerNorm(c.d_model)
        self.ff = nn.Sequential(nn.Linear(c.d_model, c.d_ff), nn.GELU(),
                                nn.Linear(c.d_ff, c.d_model))
        self.drop = nn.Dropout(c.dropout)
        self.p = c.dropout

    def forward(self, x: torch.Tensor, pad: torch.Tensor | None,
                past: tuple[torch.Tensor, torch.Tensor] | None,
                mask: torch.Tensor | None = None,
                prefix: tuple[torch.Tensor, torch.Tensor] | None = None):
        b, t, d = x.shape
        h = self.n_heads
        q, k, v = self.qkv(self.ln1(x)).view(b, t, 3, h, d // h).permute(2, 0, 3, 1, 4)
        if past is not None:
            k = torch.cat([past[0], k], dim=2)
            v = torch.cat([past[1], v], dim=2)
        n = k.shape[2]
        drop = self.p if self.training else 0.0
        if prefix is not None:  # keys before ``past``, one row shared by every row of x
            y = _prefixed_attention(q, k, v, prefix)
        elif mask is not None:  # the caller's own (a tree of continuations)
            y = F.scaled_dot_product_attention(q, k, v, attn_mask=mask, dropout_p=drop)
        elif past is None and pad is None:
            y = F.scaled_dot_product_attention(q, k, v, is_causal=True, dropout_p=drop)
        else:  # causal over the (cached + new) keys, minus padded keys
            mask = torch.ones(t, n, dtype=torch.bool, device=x.device).tril(n - t)[None, None]
            if pad is not None:
                mask = mask & ~pad[:, None, None, :]
            y = F.scaled_dot_product_attention(q, k, v, attn_mask=mask, dropout_p=drop)
        x = x + self.drop(self.proj(y.transpose(1, 2).reshape(b, t, d)))
        x = x + self.drop(self.ff(self.ln2(x)))
        return x, (k, v)


def _prefixed_attention(q: torch.Tensor, k: torch.Tensor, v: torch.Tensor,
                        prefix: tuple[torch.Tensor, torch.Tensor]) -> torch.Tensor:
    """Causal attention of ``q`` ``[B, h, t, dh]`` over a shared prefix's keys and values
    (``[1, h, P, dh]``: every row attends to all of them) followed by each row's own ``k``,
    ``v`` (``[B, h, n, dh]``, the last ``t`` of them ``q``'s own positions). The same as
    attending over the prefix repeated ``B`` times and joined to ``k``, ``v``, without making
    that copy (beam search: one prompt, many continuations)."""
    pk, pv = prefix
    b, h, t, dh = q.shape
    n, p = k.shape[2], pk.shape[2]
    scale = dh ** -0.5
    # every row's queries against the one prefix: the rows stacked as queries of one head
    # ([h, B*t, dh] @ [h, dh, P]), not the prefix broadcast (and so copied) over B
    rows = q.permute(1, 0, 2, 3).reshape(h, b * t, dh)
    shared = torch.matmul(rows, pk[0].transpose(-2, -1)).view(h, b, t, p).permute(1, 0, 2, 3)
    own = torch.matmul(q, k.transpose(-2, -1))  # [B, h, t, n]
    if t > 1:
        causal = torch.ones(t, n, dtype=torch.bool, device=q.device).tril(n - t)
        own = own.masked_fill(~causal, float("-inf"))
    w = torch.softmax(torch.cat([shared, own], dim=-1) * scale, dim=-1)
    wp = w[..., :p].permute(1, 0, 2, 3).reshape(h, b * t, p)
    from_prefix = torch.matmul(wp, pv[0]).view(h, b, t, dh).permute(1, 0, 2, 3)
    return from_prefix + torch.matmul(w[..., p:], v)


class ConstructionLM(nn.Module):
    def __init__(self, config: ModelConfig):
        super().__init__()
        self.config = config
        self.tok = nn.Embedding(config.vocab_size, config.d_model)
        self.pos = nn.Embedding(config.max_len, config.d_model)
        self.blocks = nn.ModuleList(_Block(config) for _ in range(config.n_layers))
        self.ln = nn.LayerNorm(config.d_model)
        self.drop = nn.Dropout(config.dropout)
        self.apply(self._init)

    @staticmethod
    def _init(m: nn.Module) -> None:
        if isinstance(m, (nn.Linear, nn.Embedding)):
            nn.init.normal_(m.weight, std=0.02)
        if isinstance(m, nn.Linear) and m.bias is not None:
            nn.init.zeros_(m.bias)

    def n_parameters(self) -> int:
        return sum(p.numel() for p in self.parameters())

    def forward(self, ids: torch.Tensor, past: Cache | None = None,
                pad: torch.Tensor | None = None, positions: torch.Tensor | None = None,
                mask: torch.Tensor | None = None, prefix: Cache | None = None):
        """Logits for ``ids`` ``[B, T]``; with ``past`` (possibly empty list) also the cache.
        ``pad`` ``[B, T_total]`` marks padded key positions (training only). ``positions``
        ``[T]`` and ``mask`` ``[T, T_total]`` (True: may attend) replace the consecutive
        positions and the causal mask, e.g. to read a tree of continuations in one pass.
        ``prefix``, a cache of batch 1 (a prompt's), comes before ``past`` in every row: the
        rows continue one prompt without a copy of its cache each (beam search, inference:
        no attention dropout); the cache returned is then ``past``'s only, with ``ids``
        added."""
        start = 0 if not past else past[0][0].shape[2]
        if prefix:
            if pad is not None or mask is not None:
                raise ValueError("a shared prefix takes neither pad nor mask")
            if prefix[0][0].shape[0] != 1:
                raise ValueError("a shared prefix is one row (batch 1)")
            start += prefix[0][0].shape[2]
        if positions is None:
            if start + ids.shape[1] > self.config.max_len:
                raise ValueError(
                    f"sequence longer than the model's {self.config.max_len} tokens")
            positions = torch.arange(start, start + ids.shape[1], device=ids.device)
        elif int(positions.max()) >= self.config.max_len:
            raise ValueError(f"position past the model's {self.config.max_len} tokens")
        x = self.drop(self.tok(ids) + self.pos(positions)[None])
        new: Cache = []
        for i, block in enumerate(self.blocks):
            x, kv = block(x, pad, past[i] if past else None, mask,
                          prefix[i] if prefix else None)
            new.append(kv)
        logits = self.ln(x) @ self.tok.weight.T
        return logits if past is None else (logits, new)


def reorder_cache(past: Cache, index: torch.Tensor) -> Cache:
    """The cache rows of ``index`` (beam search keeps some hypotheses and duplicates others)."""
    return [(k.index_select(0, index), v.index_select(0, index)) for k, v in past]


@contextmanager
def evaluating(model: nn.Module) -> Iterator[nn.Module]:
    """``model`` in eval mode (no dropout) and without gradients for the block, then back in
    the mode it was in: a measure taken in the middle of training leaves it training, one
    taken on a loaded (eval-mode) model leaves it scoring without dropout."""
    was = model.training
    model.eval()
    try:
        with torch.no_grad():
            yield model
    finally:
        model.train(was)
