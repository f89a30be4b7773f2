"""Random construction sequences for the data generator (``neural.data``): the construction
mix they draw from (the built-in JGEX-like one or ``mix_of`` an olympiad set), fresh sequences
(``sample_clauses``) and variants of productive ones (``mutate``)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from symbolic.geometry.problem import Clause, Problem, Step, canonical_names
from symbolic.geometry.tables import definitions

if TYPE_CHECKING:
    from .data import DataConfig

# Constructions drawn for a clause of their own, with weights (roughly their frequency in the
# JGEX and IMO sets), and the one-point loci that may be intersected in a two-construction clause.
POOL: dict[str, float] = {
    "on_line": 4, "midpoint": 4, "foot": 4, "circle": 2, "on_tline": 2, "on_pline": 2,
    "on_circle": 2, "angle_bisector": 1.5, "mirror": 1.5, "orthocenter": 1, "incenter": 1,
    "on_bline": 1, "intersection_ll": 1.5, "reflect": 1, "parallelogram": 1, "on_dia": 1,
    "psquare": 0.5, "eq_triangle": 0.5, "shift": 0.5, "on_circum": 1, "intersection_lc": 0.5,
}
LOCI = ("on_line", "on_tline", "on_pline", "on_circle", "on_bline", "on_dia")
BASES = ("triangle", "triangle", "triangle", "r_triangle", "iso_triangle")


@dataclass(frozen=True)
class Mix:
    """Which constructions random sequences draw, with weights: ``bases`` make the first
    points (three new points, no inputs), ``pool`` a clause of one construction, ``loci`` the
    two steps of a clause that intersects two loci (drawn with ``pair_probability``)."""

    bases: tuple[tuple[str, float], ...]
    pool: tuple[tuple[str, float], ...]
    loci: tuple[tuple[str, float], ...]
    pair_probability: float

    def describe(self, top: int = 8) -> str:
        def head(items: tuple[tuple[str, float], ...]) -> str:
            best = sorted(items, key=lambda kv: -kv[1])[:top]
            return ", ".join(f"{n} {w:g}" for n, w in best)
        return (f"bases: {head(self.bases)}; one construction: {head(self.pool)}; two loci "
                f"({self.pair_probability:.0%} of clauses): {head(self.loci)}")


def mix_of(problems: Sequence[Problem]) -> Mix:
    """The construction mix of a set of problems (e.g. an olympiad benchmark's): how often
    each construction the generator can draw makes a base, a clause alone, or one of two
    intersected loci. Constructions with numeric arguments, several new points after the
    base, or no inputs are left out (the generator cannot choose their arguments)."""

    bases: Counter[str] = Counter()
    pool: Counter[str] = Counter()
    loci: Counter[str] = Counter()
    pairs = singles = 0
    for problem in problems:
        for i, clause in enumerate(problem.clauses):
            cons = [s.construction for s in clause.steps]
            if i == 0:
                if (len(cons) == 1 and len(cons[0].new_points) == 3 and not cons[0].inputs
                        and not cons[0].numeric_args):
                    bases[cons[0].name] += 1
                continue
            usable = [c for c in cons if len(c.new_points) == 1 and c.inputs
                      and not c.numeric_args]
            if len(usable) != len(cons):
                continue
            if len(cons) == 1:
                pool[cons[0].name] += 1
                singles += 1
            elif len(cons) == 2:
                loci.update(c.name for c in cons)
                pairs += 1
    if not bases or not pool or len(loci) < 2:
        raise ValueError("too few usable constructions to make a mix (need a three-point "
                         "base, one-construction clauses and two kinds of loci)")
    return Mix(tuple(sorted(bases.items())), tuple(sorted(pool.items())),
               tuple(sorted(loci.items())), pairs / (pairs + singles))


def _step(name: str, point: str, existing: list[str], rng: np.random.Generator,
          early: float = 0.0) -> Step | None:
    """One step of construction ``name`` making ``point``, inputs drawn among ``existing``:
    uniformly, or with weight ``1 / (i + 1) ** early`` for the ``i``-th point."""
    c = definitions()[name]
    if len(c.inputs) > len(existing) or c.numeric_args or len(c.new_points) != 1:
        return None
    if early:
        w = 1.0 / np.arange(1, len(existing) + 1) ** early
        chosen = rng.choice(len(existing), size=len(c.inputs), replace=False, p=w / w.sum())
    else:
        chosen = rng.choice(len(existing), size=len(c.inputs), replace=False)
    binding = dict(zip(c.inputs, (existing[i] for i in chosen)))
    binding[c.new_points[0]] = point
    return Step(c, tuple(binding[a] for a in c.args))


def sample_clauses(rng: np.random.Generator, config: DataConfig,
                   prefix: Sequence[Clause] = ()) -> list[Clause]:
    """A random construction sequence (unchecked clauses) over points a, b, c, ...,
    starting with ``prefix`` (a base clause and the clauses after it; at least one clause
    is drawn after it) where given.
    Without a mix or prefix the draws are the ones the shipped data were made with (uniform
    bases and loci), so a seed gives the same data as before."""
    names = canonical_names(3 + config.max_clauses)
    mix = config.mix
    if prefix:
        clauses = list(prefix)
    else:
        base = BASES[int(rng.integers(len(BASES)))] if mix is None else _draw(mix.bases, rng)
        clauses = [Clause(("a", "b", "c"), (Step.of(base, "a", "b", "c"),))]
    n = int(rng.integers(config.min_clauses, config.max_clauses + 1))
    for _ in range(max(n + 1 - len(clauses), 1 if prefix else 0)):
        existing = [p for c in clauses for p in c.points]
        clause = sample_clause(rng, config, existing, names[len(existing)])
        if clause is not None:
            clauses.append(clause)
    return clauses


def sample_clause(rng: np.random.Generator, config: DataConfig, existing: list[str],
                  point: str) -> Clause | None:
    """One random clause making ``point`` from ``existing`` points (None: the drawn
    construction needs more inputs than there are)."""
    mix = config.mix
    pool = list(POOL) if mix is None else [n for n, _ in mix.pool]
    weights = np.array([POOL[n] for n in pool] if mix is None else [w for _, w in mix.pool],
                       dtype=float)
    weights /= weights.sum()
    pair_probability = config.pair_probability if mix is None else mix.pair_probability
    early = config.early_inputs
    if rng.random() < pair_probability:
        if mix is None:
            two = rng.choice(len(LOCI), size=2, replace=False)
            steps = [_step(LOCI[i], point, existing, rng, early) for i in two]
        else:
            w = np.array([x for _, x in mix.loci], dtype=float)
            two = rng.choice(len(mix.loci), size=2, replace=False, p=w / w.sum())
            steps = [_step(mix.loci[i][0], point, existing, rng, early) for i in two]
    else:
        steps = [_step(pool[int(rng.choice(len(pool), p=weights))], point, existing, rng,
                       early)]
    if any(s is None for s in steps):
        return None
    return Clause((point,), tuple(s for s in steps if s is not None))


def _draw(items: tuple[tuple[str, float], ...], rng: np.random.Generator) -> str:
    w = np.array([x for _, x in items], dtype=float)
    return items[int(rng.choice(len(items), p=w / w.sum()))][0]


def mutate(clauses: Sequence[Clause], used: Sequence[int], rng: np.random.Generator,
           config: DataConfig) -> list[Clause]:
    """A variant of a sequence: one clause after the base drawn anew (the same point, from
    the points before it; later clauses keep their inputs), one of ``used`` half the time
    (a variant that changes only unused clauses gives the same examples), or one clause
    appended."""
    clauses = list(clauses)
    used = [i for i in used if i > 0]
    if used and rng.random() < 0.5:
        i = used[int(rng.integers(len(used)))]
    else:
        i = int(rng.integers(1, len(clauses) + 1))
    if i == len(clauses):
        existing = [p for c in clauses for p in c.points]
        point = canonical_names(len(existing) + 1)[-1]
    else:
        existing = [p for c in clauses[:i] for p in c.points]
        point = clauses[i].points[0]
    clause = sample_clause(rng, config, existing, point)
    if clause is not None:
        clauses[i:i + 1] = [clause]
    return clauses
