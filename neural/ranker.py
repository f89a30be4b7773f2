"""The model as a ranker: candidates of other sources ordered by the proposer's log-probability.

The heuristics and the memory propose many auxiliary clauses a node could take; which to try
first is where a learned model can help even when its own proposals are not better. A
``ModelRanker`` scores a candidate by the log-probability the shipped proposer gives its
clauses as the next auxiliary construction of the problem (the statement plus the points added
so far, in canonical names, exactly as ``neural.train`` shows it the examples); a
``RankedSource`` wraps a source so that it hands out its candidates in that order.

Scoring is one forward pass over the prompt (kept as the attention cache) and batched forward
passes over the candidates' tokens: the part every candidate shares (``x =``) is folded into the
prompt, the rest is teacher-forced in chunks. A candidate of several clauses scores the sum over
its clauses, each given the ones before it. What the model cannot read (a clause longer than its
context) scores ``-inf`` and keeps its source's order at the end.
"""

from __future__ import annotations

import math
import time
from collections.abc import Sequence
from dataclasses import replace
from typing import Any

from symbolic.geometry.problem import Clause, Problem
from symbolic.geometry.proposal import Candidate, ConstructionProposer

from .tokenizer import Canonical, canonical, point_names


class ModelRanker:
    """Log-probabilities of candidate clauses under a ``NeuralProposer``'s model."""

    def __init__(self, proposer: Any, chunk: int = 512) -> None:
        self.model, self.tokenizer = proposer.model, proposer.tokenizer
        self.chunk = chunk
        self.calls = 0
        self.scored = 0
        self.seconds = 0.0

    def items(self, problem: Problem, candidate: Candidate, can: Canonical | None = None
              ) -> list[tuple[tuple[int, ...], tuple[int, ...]]]:
        """(prompt, target) token ids of each clause of ``candidate``, in canonical names
        (``can``: ``problem``'s canonical form, when already made)."""
        return clause_items(self.tokenizer, can or canonical(problem), candidate.clauses)

    def score(self, problem: Problem, candidates: Sequence[Candidate]) -> list[float]:
        """The model's log-probability of each candidate as the next auxiliary construction(s)
        of ``problem`` (``-inf`` where it does not fit in the model's context)."""
        import torch

        start = time.perf_counter()
        can = canonical(problem)
        per: list[list[tuple[tuple[int, ...], tuple[int, ...]]]] = [
            self.items(problem, c, can) for c in candidates]
        groups: dict[tuple[int, ...], set[tuple[int, ...]]] = {}
        for items in per:
            for prompt, target in items:
                groups.setdefault(prompt, set()).add(target)
        logp: dict[tuple[tuple[int, ...], tuple[int, ...]], float] = {}
        threads = torch.get_num_threads()
        torch.set_num_threads(1)  # small matrices: one thread is fastest, workers share cores
        try:
            with torch.no_grad():
                base = self._base(list(groups))
                for prompt, targets in groups.items():
                    ordered = sorted(targets)
                    for target, value in zip(ordered, self._score(prompt, ordered, base)):
                        logp[(prompt, target)] = value
        finally:
            torch.set_num_threads(threads)
        self.calls += 1
        self.scored += len(candidates)
        self.seconds += time.perf_counter() - start
        return [sum(logp[item] for item in items) for items in per]

    def _base(self, prompts: Sequence[tuple[int, ...]]) -> tuple[int, Any] | None:
        """The attention cache of the tokens every prompt begins with (but each one's last),
        and their number: a candidate of several clauses has a prompt of its own for each
        clause after the first (the statement with the clauses before it), so a node's
        candidates have many prompts with the statement's tokens in common. None for one
        prompt, or none shared."""
        if len(prompts) < 2:
            return None
        n = min(len(common_prefix(prompts)), min(len(p) for p in prompts) - 1)
        if n <= 0:
            return None
        import torch

        _, cache = self.model(torch.tensor([list(prompts[0][:n])]), [])
        return n, cache

    def _score(self, prompt: tuple[int, ...], targets: Sequence[tuple[int, ...]],
               base: tuple[int, Any] | None = None) -> list[float]:
        """Sum of the log-probabilities of each target's tokens after ``prompt``.

        The prompt and the prefix all targets share go through the model once (its attention
        cache kept; the tokens of ``base``, a cache of the prompt's first tokens, not again);
        the rest of the targets is read as a tree: every distinct prefix is one token, at
        the position it has in its sequences, attending to the prompt and to its own
        ancestors only. A pass reads up to ``chunk`` tree nodes; targets sorted, so
        neighbours share prefixes."""
        import torch

        limit = self.model.config.max_len
        fits = [len(prompt) + len(t) <= limit for t in targets]
        live = [i for i, ok in enumerate(fits) if ok]
        out = [-math.inf] * len(targets)
        if not live:
            return out
        common = common_prefix([targets[i] for i in live])
        common = common[:min(len(targets[i]) for i in live) - 1]
        head = list(prompt) + list(common)
        if base is None:
            done = 0
            logits, past = self.model(torch.tensor([head]), [])
        else:  # the first ``done`` tokens' cache is there: the rest attends to it
            done, cache = base
            logits, own = self.model(torch.tensor([head[done:]]), [], prefix=cache)
            past = [(torch.cat([pk, k], dim=2), torch.cat([pv, v], dim=2))
                    for (pk, pv), (k, v) in zip(cache, own)]
        logps = torch.log_softmax(logits[0].float(), dim=-1)  # rows: positions done..
        shared = sum(float(logps[len(prompt) - 1 - done + j, tok])
                     for j, tok in enumerate(common))
        first = logps[-1]
        live.sort(key=lambda i: targets[i])
        s = 0
        while s < len(live):
            nodes: dict[tuple[int, ...], int] = {}
            e = s
            while e < len(live):  # as many targets as fit in one pass
                rest = targets[live[e]][len(common):]
                fresh = [rest[:j] for j in range(1, len(rest)) if rest[:j] not in nodes]
                if nodes and len(nodes) + len(fresh) > self.chunk:
                    break
                for node in fresh:
                    nodes[node] = len(nodes)
                e += 1
            total = {i: shared + float(first[targets[i][len(common)]]) for i in live[s:e]}
            if nodes:
                lp = self._tree(past, len(head), nodes)
                for i in live[s:e]:
                    rest = targets[i][len(common):]
                    total[i] += sum(float(lp[nodes[rest[:j]], rest[j]])
                                    for j in range(1, len(rest)))
            for i, v in total.items():
                out[i] = v
            s = e
        return out

    def _tree(self, past: Any, start: int, nodes: dict[tuple[int, ...], int]) -> Any:
        """Log-probabilities of the next token after each node of a tree of continuations
        of a cached prefix of ``start`` tokens (``nodes``: prefix -> row)."""
        import torch

        n = len(nodes)
        ids = torch.empty((1, n), dtype=torch.long)
        positions = torch.empty(n, dtype=torch.long)
        mask = torch.zeros((n, start + n), dtype=torch.bool)
        mask[:, :start] = True
        for node, row in nodes.items():
            ids[0, row] = node[-1]
            positions[row] = start + len(node) - 1
            for j in range(1, len(node) + 1):
                mask[row, start + nodes[node[:j]]] = True
        bias = torch.zeros(mask.shape).masked_fill_(~mask, -math.inf)  # faster than a bool mask
        logits, _ = self.model(ids, past, positions=positions, mask=bias)
        return torch.log_softmax(logits[0].float(), dim=-1)


def clause_items(tokenizer: Any, can: Canonical, clauses: Sequence[Clause]
                 ) -> list[tuple[tuple[int, ...], tuple[int, ...]]]:
    """(prompt, target) token ids of each of ``clauses`` added to the problem whose canonical
    form is ``can``: the statement with the clauses before it, the goal, then the clause, its
    new points named as the model names them (the next canonical names)."""
    mapping = dict(can.to_canonical)
    names = point_names(len(mapping) + sum(len(c.points) for c in clauses))
    statement = list(can.clauses)
    out = []
    for clause in clauses:
        for p in clause.points:
            mapping.setdefault(p, names[len(mapping)])
        text = str(clause.rename(mapping))
        out.append((tuple(tokenizer.prompt(statement, can.goal)), tuple(tokenizer.target(text))))
        statement.append(text)
    return out


def common_prefix(seqs: Sequence[tuple[int, ...]]) -> tuple[int, ...]:
    first = seqs[0]
    n = len(first)
    for s in seqs[1:]:
        n = min(n, len(s))
        for j in range(n):
            if s[j] != first[j]:
                n = j
                break
    return first[:n]


class RankedSource:
    """A source whose candidates come in the model's order: the first ``pool(k)`` of the
    source's own list are scored and the ``k`` most probable handed out (score: the
    log-probability; ties and ``-inf`` keep the source's order). ``source`` is the wrapped
    one's, so statistics and the Bayesian ranking still see where a candidate came from."""

    def __init__(self, base: ConstructionProposer, ranker: ModelRanker, widen: float = 1.0,
                 max_pool: int = 800) -> None:
        self.base, self.ranker = base, ranker
        self.source = base.source
        self.widen, self.max_pool = widen, max_pool

    def propose(self, problem: Problem, k: int) -> list[Candidate]:
        pool = self.base.propose(problem, max(k, min(self.max_pool, int(k * self.widen))))
        if not pool:
            return []
        scores = self.ranker.score(problem, pool)
        order = sorted(range(len(pool)), key=lambda i: (-scores[i], i))
        return [replace(pool[i], score=scores[i]) for i in order[:k]]
