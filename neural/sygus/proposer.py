"""Learned rule proposers for the SyGuS enumerator (``symbolic.sygus.pcfg.RuleProposer``).

``LearnedProposer`` asks the model (``model.py``) how likely each production is to be used by
a solution of this problem (``q``, a sigmoid) and turns that into enumeration costs relative
to a reference production of each non-terminal: ``cost = 1 + round(log2(q_ref / q))``, at
least 1 and capped at ``max_cost``, where ``q_ref`` is the median (default) or the max of the
non-terminal's ``q`` (productions at least as likely as the reference cost 1, as under uniform
guidance; unit productions always cost 1).

``BayesProposer`` keeps a Beta posterior per production (pyro), prior mean ``q`` and strength
``kappa``, and updates it from the search's partial solutions: a partial solution with fit
``f`` is ``f`` Bernoulli evidence that each production of the non-terminals it touches is used
(when it uses it) or not (Probe's update read as Bayesian inference). Costs come from the
posterior mean; ``update`` is True only when an integer cost changed (the search restarts).

Both condition on the problem in ``prepare(spec, fun, grammar)`` (``RuleProposer``); before it
they give every production the same probability (uniform costs).
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping

from symbolic.sygus.pcfg import PartialSolution, RuleId

from .model import GuidanceModel, load


class LearnedProposer:
    """Per-production probabilities from the learned model, conditioned on the problem."""

    def __init__(self, model: GuidanceModel | None = None, max_cost: int = 3,
                 reference: str = "median") -> None:
        self.model = model if model is not None else load()
        self.max_cost = max_cost
        self.reference = reference  # "max" or "median" of the non-terminal's q: costs 1
        self.q: dict[RuleId, float] = {}  # P(solution uses the production); 1.0 = unit rule
        self.kinds: dict[RuleId, str] = {}

    def prepare(self, spec, fun, grammar) -> None:
        self.q, self.kinds = {}, {}
        for r, (p, z) in self.model.logits(spec, fun, grammar).items():
            self.q[r] = 1.0 if math.isinf(z) else 1.0 / (1.0 + math.exp(-z))
            self.kinds[r] = p.kind

    def _scores(self) -> dict[RuleId, float]:
        return self.q

    def distribution(self) -> dict[RuleId, float]:
        """A probability distribution over the productions of each non-terminal (unit
        productions weighted like the best production of their non-terminal)."""
        best = self._best()
        w = {r: best[r[0]] if self.kinds[r] == "nt" else s for r, s in self._scores().items()}
        total: dict[str, float] = {}
        for (nt, _), x in w.items():
            total[nt] = total.get(nt, 0.0) + x
        return {r: x / total[r[0]] for r, x in w.items()}

    def _best(self, reference: str = "max") -> dict[str, float]:
        by_nt: dict[str, list[float]] = {}
        for r, s in self._scores().items():
            if self.kinds[r] != "nt":
                by_nt.setdefault(r[0], []).append(s)
        pick = max if reference == "max" else lambda xs: float(sorted(xs)[len(xs) // 2])
        best = {nt: pick(xs) for nt, xs in by_nt.items()}
        for r in self.kinds:
            best.setdefault(r[0], 1.0)
        return best

    def probabilities(self, rules: Mapping[str, int]) -> dict[RuleId, float]:
        """``0.5 * min(1, q / q_ref)`` per production (``q_ref`` the max or the median of the
        non-terminal's ``q``), floored so that no cost exceeds ``max_cost``; the enumerator's
        cost is ``round(-log2 p)``."""
        floor = 2.0 ** -(self.max_cost - 1)
        best = self._best(self.reference)
        scores = self._scores()
        out = {}
        for nt, n in rules.items():
            for i in range(n):
                r = (nt, i)
                if r not in scores or self.kinds[r] == "nt":
                    out[r] = 0.5
                else:
                    out[r] = 0.5 * max(floor, min(1.0, scores[r] / max(best[nt], 1e-12)))
        return out

    def update(self, partial: Iterable[PartialSolution]) -> bool:
        return False


class BayesProposer(LearnedProposer):
    """The learned probabilities as the prior mean of a Beta posterior per production,
    updated online from partial solutions."""

    def __init__(self, model: GuidanceModel | None = None, max_cost: int = 3,
                 kappa: float = 4.0, reference: str = "median", weight: float = 1.0) -> None:
        super().__init__(model, max_cost, reference)
        self.kappa = kappa
        self.weight = weight
        self.alpha: dict[RuleId, float] = {}
        self.beta: dict[RuleId, float] = {}

    def prepare(self, spec, fun, grammar) -> None:
        super().prepare(spec, fun, grammar)
        eps = 1e-3
        self.alpha = {r: self.kappa * min(1 - eps, max(eps, q)) for r, q in self.q.items()}
        self.beta = {r: self.kappa - a for r, a in self.alpha.items()}
        self._mean = dict(self.q)

    def _scores(self) -> dict[RuleId, float]:
        return getattr(self, "_mean", self.q)

    def posterior_mean(self) -> dict[RuleId, float]:
        import pyro.distributions as dist
        import torch

        rules = [r for r in self.alpha if self.kinds[r] != "nt"]
        if not rules:
            return dict(self.q)
        post = dist.Beta(torch.tensor([self.alpha[r] for r in rules], dtype=torch.float64),
                         torch.tensor([self.beta[r] for r in rules], dtype=torch.float64))
        mean = dict(self.q)
        mean.update(zip(rules, post.mean.tolist()))
        return mean

    def update(self, partial: Iterable[PartialSolution]) -> bool:
        changed = False
        for ps in partial:
            used = set(ps.rules)
            touched = {nt for nt, _ in used}
            for r in self.alpha:
                if r[0] in touched and self.kinds[r] != "nt":
                    if r in used:
                        self.alpha[r] += self.weight * ps.fit
                    else:
                        self.beta[r] += self.weight * ps.fit
                    changed = True
        if not changed:
            return False
        rules = {nt: 0 for nt, _ in self.alpha}
        for nt, i in self.alpha:
            rules[nt] = max(rules[nt], i + 1)
        before = self.probabilities(rules)
        self._mean = self.posterior_mean()
        after = self.probabilities(rules)
        return any(_cost(before[r]) != _cost(after[r]) for r in before)


def _cost(p: float) -> int:
    return max(1, round(-math.log2(p)))
