"""One construction sequence to checked examples (``neural.data`` describes the whole
generator): the sequence drawn and saturated prefix by prefix (``Drawn``, continuing a
parent's drawing where given), its needed goals traced back to (statement, auxiliary
clauses) pairs, each spelled canonically (``neural.canonical``) and re-proved
(``check_example``)."""

from __future__ import annotations

import dataclasses
import hashlib
import time
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from symbolic.geometry.dd import DDARConfig, DDARRun, saturate
from symbolic.geometry.errors import GeometryError
from symbolic.geometry.facts import Fact
from symbolic.geometry.predicates import COLL
from symbolic.geometry.problem import Clause, Problem, make_problem
from symbolic.geometry.prover import ProverConfig, prove
from symbolic.geometry.state import DEFAULT_AR_TABLES, SINE
from symbolic.geometry.tables import Atom

from .canonical import canonical, spelled
from .sequences import Mix, sample_clauses
from .traceback import Split, needed_goals, prefix_closures, recorded_goals, statement_of, trace

AUX_SOURCES = ("traced", "heuristic")  # where auxiliary constructions come from (DataConfig.aux)
# The AR tables of the generator's DD+AR: all but the law of sines, which halves the examples
# per core-minute (34 against 69 on the hageo_dev mix, 2026-12-07); an example's auxiliary
# points are those DD+AR without it needs, the data of the shipped model (made before it)
AR_TABLES = DEFAULT_AR_TABLES - {SINE}


@dataclass(frozen=True)
class DataConfig:
    """Sizes and limits of the generator (all deterministic except the time limits, which
    only ever drop an attempt's examples)."""

    min_clauses: int = 4          # clauses after the base triangle
    max_clauses: int = 8
    pair_probability: float = 0.3  # a clause intersecting two loci
    early_inputs: float = 0.0      # bias of a construction's inputs towards early points
    goals_per_diagram: int = 64    # goals traced back per diagram
    goals_per_split: int = 2       # examples kept per (statement, auxiliary clauses) of a diagram
    checks_per_diagram: int = 16   # examples re-proved per diagram (the costly part)
    mutate_probability: float = 0.8  # an attempt draws a variant of a productive sequence
    mutations: int = 30            # variants drawn of each productive sequence
    max_depth: int = 4             # variants of variants, at most
    family_variants: int = 150     # variants descending from one fresh sequence, at most
    near_parents: bool = True      # fresh sequences with needed goals but no new example too
    pool_parents: int = 32         # parents taken from a pool of earlier runs' examples
    pool_per_family: int = 1       # of them, at most this many of one family (``neural.pool``)
    # Reuse of drawings and closures (``neural.generator``, measured in docs/journal/neural.md):
    # variants start from their parent's drawing and closures; fresh sequences without
    # earlier-clause goals are cheaper but fewer productive, so they seek those goals too by
    # default.
    reuse_drawings: bool = True    # variants start from their parent's drawing and closures
    fresh_earlier: bool = True     # fresh sequences seek goals needing an earlier clause too
    min_steps: int = 2             # shortest proof kept
    max_levels: int = 16
    saturate_seconds: float = 6.0
    prove_seconds: float = 6.0
    eval_permille: int = 50        # share of the held-back split, per thousand
    require_needed: bool = True    # drop pairs whose statement DD+AR proves without the aux
    mix: Mix | None = None         # constructions drawn (None: POOL, LOCI and BASES above)
    # where auxiliary constructions come from: "traced" (a sequence's own later clauses,
    # above) or "heuristic" (the heuristic source's candidates on a statement,
    # ``neural.heuristic_aux``; every sequence fresh, no variants)
    aux: str = "traced"
    aux_candidates: int = 16       # heuristic candidates tried per statement
    # with aux "heuristic": share of the statements whose open facts are all similar-triangle
    # pairs that are still tried (``neural.heuristic_aux._open_facts``: their candidates seldom
    # prove anything new)
    similar_only: float = 0.0

    def __post_init__(self) -> None:
        if self.aux not in AUX_SOURCES:
            raise ValueError(f"aux must be 'traced' or 'heuristic', not {self.aux!r}")

    def ddar(self) -> DDARConfig:
        """DD+AR's limits for one closure, its time limit starting now."""
        return DDARConfig(self.max_levels, time.monotonic() + self.saturate_seconds,
                          ar_tables=AR_TABLES)


@dataclass(frozen=True)
class Example:
    """One training pair as text: statement clauses, auxiliary clauses, goal, the checked
    proof's length and rules (table ids and AR/structural step kinds, in order of first use),
    the split, and the whole problem in AlphaGeometry's language (auxiliary clauses last)."""

    name: str
    statement: tuple[str, ...]
    auxiliary: tuple[str, ...]
    goal: str
    proof_length: int
    rules: tuple[str, ...]
    split: str
    problem: str

    def to_json(self) -> dict:
        return dataclasses.asdict(self)


def split_of(text: str, eval_permille: int) -> str:
    h = int(hashlib.sha256(text.encode()).hexdigest()[:8], 16)
    return "eval" if h % 1000 < eval_permille else "train"


# ------------------------------------------------------------------ goals


def _goals(problem: Problem, runs: Sequence[DDARRun], coords: dict,
           rng: np.random.Generator, config: DataConfig, fresh: bool = False) -> list[Fact]:
    """The goals to trace back, in a random order, at most ``goals_per_diagram``: with
    ``require_needed``, those that need a later point on this diagram (``needed_goals``);
    without, every derived fact a clause is left out of the statement of."""
    if config.require_needed:
        cands = needed_goals(problem, runs, coords, config.ddar(),
                             earlier=config.fresh_earlier or not fresh)
    else:
        n = len(problem.clauses)
        cands = [f for f in recorded_goals(runs[-1].state)
                 if len(statement_of(f, problem)) < n]
    order = rng.permutation(len(cands))[:config.goals_per_diagram]
    return [cands[i] for i in order]


def attempt(rng: np.random.Generator, config: DataConfig, deadline: float | None = None,
            clauses: Sequence[Clause] | None = None) -> list[Example]:
    """One construction sequence (``clauses``, or a random one), its closures, and the
    checked examples found in it (those checked before ``deadline``, a ``time.monotonic()``
    value)."""
    return [ex for ex, _ in _attempt(rng, config, deadline, clauses).found]


@dataclass(frozen=True)
class Drawn:
    """A sequence's diagram (``coords``) and its prefixes' closures (``runs``, as
    ``prefix_closures`` gives them): a variant that keeps the first ``k`` clauses starts from
    the first ``k`` of them instead of drawing and saturating those clauses again."""

    coords: dict
    runs: tuple[DDARRun, ...]

    def prefix(self, clauses: Sequence[Clause], k: int) -> Drawn:
        """The drawing and closures of the first ``k`` of ``clauses`` (the sequence drawn)."""
        pts = {p for c in clauses[:k] for p in c.points}
        return Drawn({p: xy for p, xy in self.coords.items() if p in pts}, self.runs[:k])


@dataclass(frozen=True)
class Outcome:
    """What an attempt found (each example with the clauses, indices, its statement and
    auxiliary constructions come from), what it drew (None: nothing to start from) and the
    clauses of every needed goal it traced back (``traced``: statement and auxiliary ones),
    whether an example was kept for it or not (none traced, checked before, failed the
    check, over a cap)."""

    found: list[tuple[Example, tuple[int, ...]]]
    drawn: Drawn | None = None
    traced: tuple[int, ...] = ()


def _draw(problem: Problem, rng: np.random.Generator, config: DataConfig,
          start: Drawn | None) -> Drawn | None:
    """The problem drawn and its prefixes saturated (the whole sequence only, without
    ``require_needed``), continuing ``start`` (a drawing and the closures of its first
    clauses) where given and drawable; None for a degenerate sequence or a closure out of
    time (a partial closure would depend on the machine's speed)."""
    from symbolic.geometry.numeric import Diagram, build_diagram, extend_diagram

    k = len(start.runs) if start is not None and config.require_needed else 0
    try:
        if start is not None and k:
            try:
                coords = extend_diagram(Diagram(start.coords, 1), problem, k, rng).coords
            except GeometryError:  # not drawable on the parent's diagram: draw it all anew
                k = 0
        if not k:
            coords = build_diagram(problem, rng, max_tries=10, check_goal=False).coords
    except GeometryError:
        return None
    ddar = config.ddar()
    if config.require_needed:
        runs = prefix_closures(problem, coords, ddar, start.runs[:k] if start else ())
    else:  # goals come from the whole closure alone: the prefixes' would go unread
        whole = saturate(problem, coords, ddar)
        runs = None if whole.timed_out else [whole]
    return None if runs is None else Drawn(coords, tuple(runs))


def _attempt(rng: np.random.Generator, config: DataConfig, deadline: float | None,
             clauses: Sequence[Clause] | None, known: set[str] | None = None,
             start: Drawn | None = None, fresh: bool = False) -> Outcome:
    """``attempt``'s examples and drawing, starting from ``start`` (the drawing of a prefix
    of ``clauses``) where given. Examples whose canonical text (``neural.canonical``) is in
    ``known`` are not checked again; the texts of those checked are added to it, kept or
    not. A ``fresh`` sequence (not a variant) seeks only goals that need a later point
    unless ``fresh_earlier``."""
    if clauses is None:
        clauses = sample_clauses(rng, config)
    try:
        problem = make_problem("synthetic", clauses, Atom(COLL, ("a", "b", "c")))
    except GeometryError:
        return Outcome([])
    drawn = _draw(problem, rng, config, start)
    if drawn is None:
        return Outcome([])
    # goals are sought on copies: a query records what it finds in the state it asks, and
    # the closures kept for variants must be what their clauses alone give (the same when
    # computed again, as a resumed run does)
    keep = config.require_needed and config.reuse_drawings
    runs = tuple(dataclasses.replace(r, state=r.state.extended(r.state.coords))
                 for r in drawn.runs) if keep else drawn.runs
    state = runs[-1].state
    goals = _goals(problem, runs, drawn.coords, rng, config, fresh)
    seed = int(rng.integers(2**31))
    out = []
    checks = 0
    traced: set[int] = set()
    per_split: Counter[tuple] = Counter()  # examples per (statement, aux) and (statement, goal)
    for goal in goals:
        if checks >= config.checks_per_diagram or (deadline is not None
                                                   and time.monotonic() > deadline):
            break
        split = trace(problem, state, goal)
        traced.update(split.statement + split.auxiliary)
        if not split.auxiliary:
            continue
        ran, ex = check_split(problem, split, seed, config, known, per_split)
        checks += ran
        if ex is not None:
            out.append((ex, split.statement + split.auxiliary))
    return Outcome(out, drawn if keep else None, tuple(sorted(traced)))


def check_split(problem: Problem, split: Split, seed: int, config: DataConfig,
                known: set[str] | None, per_split: Counter[tuple]) -> tuple[bool, Example | None]:
    """A traced goal's example: spelled canonically, left out when over a cap
    (``per_split``: examples so far per (statement, aux) and (statement, goal) of the
    diagram, counted here) or when its text is in ``known`` (it is added), else checked
    (``check_example``). Whether a check ran, and the example if it passed."""
    try:
        stated, aux, atom = canonical(*split.clauses(problem))
    except (GeometryError, ValueError):
        return False, None
    by_aux, by_goal = (stated, aux), (stated, atom)
    if per_split[by_aux] >= config.goals_per_split or per_split[by_goal]:
        return False, None
    text = spelled(stated, aux, atom)
    if known is not None:
        if text in known:
            return False, None
        known.add(text)
    try:
        statement = make_problem("synthetic", stated, atom)
    except GeometryError:
        return False, None
    ex = check_example(statement, aux, seed, config)
    if ex is not None:
        per_split[by_aux] += 1
        per_split[by_goal] += 1
    return True, ex


def check_example(statement: Problem, aux: Sequence[Clause], seed: int,
                  config: DataConfig) -> Example | None:
    """Re-prove the statement extended with ``aux`` (``Problem.with_auxiliary``) and, with
    ``require_needed``, fail to prove the statement alone; the example, or None."""
    try:
        problem = statement.with_auxiliary(aux)
        outcome = prove(problem, ProverConfig(seed=seed, timeout=config.prove_seconds,
                                              ar_tables=AR_TABLES,
                                              max_levels=config.max_levels))
    except GeometryError:
        return None
    if not outcome.proved or outcome.proof is None:
        return None
    proof = outcome.proof
    if len(proof.steps) < config.min_steps or not proof.auxiliary_points:
        return None
    if config.require_needed:
        try:
            bare = prove(statement, ProverConfig(seed=seed, timeout=config.prove_seconds,
                                                 ar_tables=AR_TABLES,
                                                 max_levels=config.max_levels))
        except GeometryError:
            return None
        if bare.proved or bare.timed_out:
            return None  # the auxiliary clauses are not needed (or we cannot tell)
    rules = tuple(dict.fromkeys(s.derivation.rule for s in proof.steps))
    text = problem.text()
    name = "syn_" + hashlib.sha256(text.encode()).hexdigest()[:12]
    return Example(name, tuple(map(str, statement.clauses)), tuple(map(str, aux)),
                   str(statement.goal), len(proof.steps), rules,
                   split_of(text, config.eval_permille), text)
