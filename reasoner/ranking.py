"""Bayesian ranking of proposal sources: which kind of auxiliary construction tends to work.

The model (``pyro_model``): every *arm* (a proposal source and the kind of construction it
proposes, e.g. ``heuristic:foot``, ``heuristic:on_line+on_line``, ``memory:midpoint``) has an
unknown success rate ``theta ~ Beta(a0, b0)``; each candidate of the arm that the search tries
is a Bernoulli trial that succeeds when that candidate closed the proof. The posterior is
conjugate, ``Beta(a0 + successes, b0 + failures)``, and that exact update is what the search
uses (``Ranking.posterior``); ``fit_svi`` fits the same pyro model by stochastic variational
inference, and the tests hold the two to agree.

How the search uses it (``Ranking.order``): the candidates of one node are split into their
arms (each in its source's own order); one success rate per arm is drawn from the posterior
(Thompson sampling, seeded) and the ``i``-th candidate of an arm gets the cost
``log(1 + i) - log(theta)``, so an arm ten times likelier to succeed contributes about ten
candidates for each one of the other. Without a ranking the arms are the sources alone with
equal weight, i.e. a round-robin merge of the sources.

Updates come from search outcomes (``SearchOutcome.trials``: per arm, candidates tried and
successes) and are kept with the memory store (``kg.memory.Memory.ranking_counts``). numpy
only here; pyro and torch are imported inside ``pyro_model`` and ``fit_svi``.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np

from symbolic.geometry.proposal import Candidate

Counts = dict[str, tuple[int, int]]
"""Per arm: (trials, successes)."""


def construction_kind(candidate: Candidate) -> str:
    """The constructions a candidate uses, e.g. ``on_line+on_line`` or ``foot`` (first clause
    of each kind, in order; a multi-clause candidate joins its clauses with ``|``)."""
    return "|".join("+".join(s.construction.name for s in clause.steps) or "?"
                    for clause in candidate.clauses)


def arm(candidate: Candidate, by_kind: bool = True) -> str:
    """The arm of a candidate: ``source:kind`` (or the source alone)."""
    return f"{candidate.source}:{construction_kind(candidate)}" if by_kind else candidate.source


def merge_counts(a: Mapping[str, tuple[int, int]], b: Mapping[str, tuple[int, int]]) -> Counts:
    out = dict(a)
    for k, (n, s) in b.items():
        n0, s0 = out.get(k, (0, 0))
        out[k] = (n0 + n, s0 + s)
    return out


@dataclass(frozen=True)
class Ranking:
    """Beta-Bernoulli success rates per arm; ``counts`` maps an arm to (trials, successes).
    ``thompson``: draw the rates from the posterior (else use its mean)."""

    counts: Mapping[str, tuple[int, int]] = field(default_factory=dict)
    a0: float = 1.0
    b0: float = 1.0
    thompson: bool = True

    def posterior(self, name: str) -> tuple[float, float]:
        """The exact (conjugate) posterior Beta(a, b) of an arm's success rate."""
        n, s = self.counts.get(name, (0, 0))
        return self.a0 + s, self.b0 + (n - s)

    def mean(self, name: str) -> float:
        a, b = self.posterior(name)
        return a / (a + b)

    def updated(self, trials: Mapping[str, tuple[int, int]]) -> Ranking:
        return Ranking(merge_counts(self.counts, trials), self.a0, self.b0, self.thompson)

    def rates(self, names: Iterable[str], rng: np.random.Generator) -> dict[str, float]:
        names = sorted(set(names))
        if not self.thompson:
            return {n: self.mean(n) for n in names}
        return {n: float(rng.beta(*self.posterior(n))) for n in names}

    def order(self, candidates: Sequence[Candidate],
              rng: np.random.Generator) -> list[tuple[float, Candidate]]:
        """(cost, candidate) best first; see the module docstring."""
        return order_by_arms(candidates, True, lambda names: self.rates(names, rng))


def order_by_arms(candidates: Sequence[Candidate], by_kind: bool,
                  rates=None) -> list[tuple[float, Candidate]]:
    """Cost ``log(1 + i) - log(rate(arm))`` for the ``i``-th candidate of its arm (arms keep
    the order the candidates come in); ``rates`` None: all arms equal (round-robin)."""
    position: dict[str, int] = {}
    keyed = []
    for c in candidates:
        name = arm(c, by_kind)
        i = position.get(name, 0)
        position[name] = i + 1
        keyed.append((name, i, c))
    theta = rates(position) if rates is not None else {}
    out = []
    for seq, (name, i, c) in enumerate(keyed):
        rate = max(theta.get(name, 1.0), 1e-12)
        out.append((math.log1p(i) - math.log(rate), seq, c))
    out.sort(key=lambda t: (t[0], t[1]))
    return [(cost, c) for cost, _, c in out]


# ---------------------------------------------------------------- the model in pyro


def pyro_model(arms: Sequence[str], trials, successes, a0: float = 1.0, b0: float = 1.0):
    """The generative model: theta_arm ~ Beta(a0, b0); successes_arm ~ Binomial(trials, theta)."""
    import pyro
    import pyro.distributions as dist
    import torch

    with pyro.plate("arms", len(arms)):
        theta = pyro.sample("theta", dist.Beta(torch.tensor(a0), torch.tensor(b0)))
        pyro.sample("obs", dist.Binomial(trials, theta), obs=successes)


def fit_svi(counts: Mapping[str, tuple[int, int]], a0: float = 1.0, b0: float = 1.0,
            steps: int = 1500, seed: int = 0) -> dict[str, tuple[float, float]]:
    """Fit a Beta(a, b) per arm to the posterior of ``pyro_model`` by SVI (mean-field Beta
    guide, Adam); returns arm -> (a, b). The conjugate ``Ranking.posterior`` is exact; this is
    the same model fitted the general way (e.g. to check it, or to extend the model)."""
    import pyro
    import pyro.distributions as dist
    import torch
    from pyro.infer import SVI, Trace_ELBO
    from pyro.optim import Adam  # type: ignore[attr-defined]
    from torch.distributions import constraints

    arms = sorted(counts)
    trials = torch.tensor([float(counts[a][0]) for a in arms])
    successes = torch.tensor([float(counts[a][1]) for a in arms])
    pyro.clear_param_store()
    pyro.set_rng_seed(seed)

    def guide(arms, trials, successes):
        a = pyro.param("a", torch.full((len(arms),), a0), constraint=constraints.positive)
        b = pyro.param("b", torch.full((len(arms),), b0), constraint=constraints.positive)
        with pyro.plate("arms", len(arms)):
            pyro.sample("theta", dist.Beta(a, b))

    def model(arms, trials, successes):
        pyro_model(arms, trials, successes, a0, b0)

    svi = SVI(model, guide, Adam({"lr": 0.05}),
              loss=Trace_ELBO(num_particles=8, vectorize_particles=True))
    for _ in range(steps):
        svi.step(arms, trials, successes)
    a = pyro.param("a").detach().tolist()
    b = pyro.param("b").detach().tolist()
    return {name: (a[i], b[i]) for i, name in enumerate(arms)}
