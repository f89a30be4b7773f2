"""The CEGIS loop for one task: enumerate a program consistent with the points, verify it with
z3, add the counterexample as a new point, repeat. PBE tasks need no solver call (their
examples are the whole spec). Point-wise tasks with an ite-like rule use divide and conquer.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np

from .constants import (
    HoleSolver,
    Sketch,
    grammar_sketches,
    has_constant_holes,
    templates,
    templates_apply,
)
from .defaults import constant_pool, grammar_of
from .enumerate import Enumerator, Exhausted, Production, Timeout, productions
from .pcfg import PartialSolution, RuleProposer, UniformProposer, costs
from .samples import calls_any, collect_apps, expand, random_value, zero_value
from .smt import SmtSpec, Verdict, show_point
from .spec import AnyConst, Grammar, Spec
from .tasks import Checker, Infeasible, Kind, Task, example_inputs
from .terms import App, Function, Sort, SortKind, Term, Value, Var, free_vars, substitute
from .unify import find_ite, greedy_cover, learn, to_term
from .vector import Overflow

MAX_TERMS = 3000
EXTRA_POINTS = 3
INITIAL_RANDOM = 4
MAX_PREMISE_POINTS = 40
REFUTE_POINTS = 8
"""Initial points at which z3 is asked whether any function value meets the constraints."""
"""Further counterexamples asked of z3 per refuted candidate (fewer CEGIS rounds)."""
MAX_PREDS = 3000
CHECK_CELLS = 1 << 21
QUICK_SKETCH_SECONDS = 0.4
QUICK_SKETCH_SHARE = 0.15
"""First try of constant sketches (shallow ones): at most this long / this budget share."""
ENUM_SHARE = 0.6
"""Then enumeration's share of what is left; constant sketches get the rest."""
MAX_TEMPLATE_DEPTH = 3
MAX_SKETCH_SIZE = 6


@dataclass
class SearchStats:
    points: int = 0
    candidates: int = 0
    restarts: int = 0
    programs: int = 0
    strategy: str = ""
    notes: list[str] = field(default_factory=list)


class TaskSearch:
    """Synthesize one task's function by CEGIS over a bottom-up enumerator."""

    def __init__(self, task: Task, spec: Spec, deadline: float,
                 proposer: RuleProposer | None = None, seed: int = 0) -> None:
        self.task = task
        self.spec = spec
        self.deadline = deadline
        self.proposer = proposer or UniformProposer()
        self.rng = random.Random(seed)
        self.grammar = grammar_of(task.fun, spec)
        self.sorts = {nt.name: nt.sort for nt in self.grammar.nonterminals}
        self.consts = constant_pool(spec, self.sorts.values())
        self.start = _unit_target(self.grammar)
        self.stats = SearchStats()
        self.smt: SmtSpec | None = None
        self.proposer.prepare(spec, task.fun, self.grammar)

    # ------------------------------------------------------------ CEGIS

    def run(self) -> Function | None:
        """A verified definition, or None (budget spent or search space exhausted).

        When constants may be out of the enumerator's reach (no grammar, or a grammar with
        ``(Constant σ)``), sketches with constant holes solved by z3 (``constants.py``) get a
        short first try, then the rest of the budget after enumeration's share."""
        if self.grammar.start.sort != self.task.fun.sort:
            return None
        points = self._initial_points()
        self._refute_at(points[:REFUTE_POINTS])
        sketches = self._sketch_family()
        if sketches is None:
            return self._cegis(points)
        final = self.deadline
        budget = final - time.monotonic()
        try:
            self.deadline = time.monotonic() + min(QUICK_SKETCH_SECONDS,
                                                   QUICK_SKETCH_SHARE * budget)
            found = self._fill(sketches(1), points)
            if found is None:
                self.deadline = time.monotonic() + ENUM_SHARE * (final - time.monotonic())
                found = self._cegis(points)
            if found is None:
                self.deadline = final
                found = self._fill(sketches(None), points)
            return found
        finally:
            self.deadline = final

    def _sketch_family(self) -> Callable[[int | None], Iterator[Sketch]] | None:
        """Sketches of this function by a depth / size bound, or None where they do not
        apply (PBE without constants, grammars without ``(Constant σ)``)."""
        fun = self.task.fun
        if templates_apply(fun):
            return lambda depth: templates(fun, MAX_TEMPLATE_DEPTH if depth is None
                                           else depth)
        if has_constant_holes(self.grammar):
            return lambda depth: grammar_sketches(self.grammar, fun.params,
                                                  MAX_SKETCH_SIZE if depth is None else 3)
        return None

    def _fill(self, sketches: Iterator[Sketch], points: list[dict[str, Value]]
              ) -> Function | None:
        if self.smt is None:
            self.smt = SmtSpec(self.task.sub_spec(self.spec))
        solver = HoleSolver(self.smt, self.task.fun, points)
        try:
            for sketch in sketches:
                if time.monotonic() > self.deadline:
                    return None
                try:
                    f = solver.fill(sketch, self.deadline)
                except Exception as e:  # z3 errors on an encoding: the sketch is skipped
                    self.stats.notes.append(f"sketch skipped: {type(e).__name__}")
                    continue
                if f is not None:
                    self.stats.strategy = "constant sketches"
                    return f
        finally:
            self.stats.candidates += solver.stats.rounds
            self.stats.points = len(points)
        return None

    def _cegis(self, points: list[dict[str, Value]]) -> Function | None:
        while time.monotonic() < self.deadline:
            self.stats.points = len(points)
            body = self.find(points)
            if body is None:
                return None
            f = Function(self.task.fun.name, self.task.fun.params, self.task.fun.sort, body)
            self.stats.candidates += 1
            if self.task.kind is Kind.PBE:
                return f
            if self.smt is None:
                self.smt = SmtSpec(self.task.sub_spec(self.spec))
            left = max(0.2, self.deadline - time.monotonic())
            check = self.smt.check({f.name: f}, timeout_ms=int(1000 * min(left, 5.0)),
                                   extra=EXTRA_POINTS)
            if check.verdict is Verdict.VERIFIED:
                return f
            if check.verdict is Verdict.UNKNOWN or check.point is None:
                return None
            if check.point in points:
                self.stats.notes.append("counterexample repeated (semantics mismatch)")
                return None
            points.append(check.point)
            points += [p for p in check.more if p not in points]
            self._refute_at([check.point])
        return None

    def _refute_at(self, points: Sequence[dict[str, Value]]) -> None:
        """Raise ``Infeasible`` when at one of ``points`` no value of the function meets the
        constraints (z3, the function uninterpreted): then no program can, e.g. a spec that
        asks ``(f x)`` to be 1 and 2 at once. Examples (PBE) are checked when read."""
        if self.task.kind is Kind.PBE:
            return
        if self.smt is None:
            self.smt = SmtSpec(self.task.sub_spec(self.spec))
        for point in points:
            if time.monotonic() > self.deadline:
                return
            if self.smt.contradicts_at(point):
                raise Infeasible(f"no value of {self.task.fun.name} meets the constraints at "
                                 f"{show_point(point)}")

    def _initial_points(self) -> list[dict[str, Value]]:
        """PBE: the one empty point. Otherwise zero, a few random points, and one point
        per implication constraint where its premise holds (so every case is seen)."""
        if self.task.kind is Kind.PBE:
            return [{}]
        variables = self.task.variables
        every = _all_points(variables)
        if every is not None:
            return every
        points = [{v.name: zero_value(v.sort) for v in variables}]
        points += [{v.name: random_value(v.sort, self.rng) for v in variables}
                   for _ in range(INITIAL_RANDOM)]
        for premise in _premises(self.task.constraints)[:MAX_PREMISE_POINTS]:
            if time.monotonic() > self.deadline:
                break
            if self.smt is None:
                self.smt = SmtSpec(self.task.sub_spec(self.spec))
            pt = self.smt.witness(premise, timeout_ms=300)
            if pt is not None and pt not in points:
                points.append(pt)
        return points

    def find(self, points: list[dict[str, Value]]) -> Term | None:
        try:
            inputs = example_inputs(self.task, points)
        except Exception:  # an Int too large for the kernels, say
            return None
        m = len(next(iter(inputs.values()))) if inputs else len(self.task.slots) * len(points)
        try:
            self.checker = Checker(self.task, points)
            if self.task.kind in (Kind.PBE, Kind.SINGLE):
                prods = self._productions()
                ite = find_ite(prods, self.start, dict(self.spec.macros))
                if ite is not None:
                    self.stats.strategy = "divide-and-conquer"
                    found = self._dnc(prods, ite, inputs, m, points)
                    if found is not None:
                        return found
            self.stats.strategy = "enumerate"
            return self._plain(inputs, m, points)
        except (Timeout, Exhausted, Overflow):
            return None

    def _productions(self) -> list[Production]:
        rules = {nt.name: len(nt.rules) for nt in self.grammar.nonterminals}
        probs = self.proposer.probabilities(rules)
        return productions(self.grammar, self.consts, self.task.fun.params,
                           costs(probs, isinstance(self.proposer, UniformProposer)))

    def _enumerator(self, prods: list[Production], inputs: Mapping[str, np.ndarray],
                    m: int) -> Enumerator:
        return Enumerator(prods, self.sorts, inputs, m, self.spec.macros, self.deadline)

    # ------------------------------------------------------------ plain enumeration

    def _plain(self, inputs: Mapping[str, np.ndarray], m: int,
               points: list[dict[str, Value]]) -> Term | None:
        for restarts_left in range(3, -1, -1):
            enum = self._enumerator(self._productions(), inputs, m)
            best_fit, level = 0.0, 0
            partial: list[PartialSolution] = []
            restart = False
            for block in enum.levels():
                if block.cost != level:
                    level = block.cost
                    if restarts_left and partial and self.proposer.update(partial):
                        self.stats.restarts += 1
                        restart = True
                        break
                    partial = []
                self.stats.programs += len(block.recipes)
                if block.nt != self.start:
                    continue
                ok = self._check_rows(block.values)
                fit = ok.mean(axis=1)
                win = np.flatnonzero(fit == 1.0)
                if len(win):
                    return enum.build(block.nt, block.base + int(win[0]))
                j = int(np.argmax(fit))
                if fit[j] > best_fit:
                    best_fit = float(fit[j])
                    partial.append(PartialSolution(
                        tuple(enum.rules_of(block.nt, block.base + j)), best_fit))
            if not restart:
                if enum.exact and not enum.dropped and self._finite_leaves():
                    raise Infeasible("no program of the grammar satisfies the spec at "
                                     f"{len(points)} point(s) (exhaustive enumeration)")
                return None
        return None

    def _finite_leaves(self) -> bool:
        """Every leaf is enumerated exactly: no (Constant σ) beyond Bool."""
        return not any(isinstance(r, AnyConst) and r.sort.kind is not SortKind.BOOL
                       for nt in self.grammar.nonterminals for r in nt.rules)

    # ------------------------------------------------------------ divide and conquer

    def _dnc(self, prods: list[Production], ite, inputs: Mapping[str, np.ndarray], m: int,
             points: list[dict[str, Value]]) -> Term | None:
        enum = self._enumerator([p for p in prods if p is not ite.prod], inputs, m)
        terms: list[Term] = []
        sigs: list[np.ndarray] = []
        seen_sigs: set[bytes] = set()
        preds: list[Term] = []
        pvals: list[np.ndarray] = []
        seen_preds: set[bytes] = set()
        covered = None
        dirty = False
        level = 0
        for atom, row in self._spec_atoms(inputs, m):
            key = np.packbits(row).tobytes()
            if key not in seen_preds and row.any() and not row.all():
                seen_preds.add(key)
                preds.append(atom)
                pvals.append(row)
        for term, row in self._spec_terms(inputs, m):
            ok = self.checker(row[None, :])[0]
            key = np.packbits(ok).tobytes()
            if ok.any() and key not in seen_sigs:
                seen_sigs.add(key)
                if ok.all():
                    return term
                terms.append(term)
                sigs.append(ok)
                covered = ok.copy() if covered is None else covered | ok
        for block in enum.levels():
            if block.cost != level:
                if dirty and covered is not None and covered.all() and pvals:
                    out = self._unify(terms, sigs, preds, pvals, ite)
                    if out is not None:
                        return out
                dirty, level = False, block.cost
            self.stats.programs += len(block.recipes)
            if block.nt == self.start and len(terms) < MAX_TERMS:
                ok = self._check_rows(block.values)
                for j in np.flatnonzero(ok.any(axis=1)):
                    key = np.packbits(ok[j]).tobytes()
                    if key not in seen_sigs:
                        seen_sigs.add(key)
                        if ok[j].all():
                            return enum.build(block.nt, block.base + int(j))
                        terms.append(enum.build(block.nt, block.base + int(j)))
                        sigs.append(ok[j])
                        covered = ok[j].copy() if covered is None else covered | ok[j]
                        dirty = True
            if block.nt == ite.pred_nt and len(preds) < MAX_PREDS:
                cond = _eval_cond(ite, block.values, self.spec.macros)
                for jc in range(len(cond)):
                    key = np.packbits(cond[jc]).tobytes()
                    if key not in seen_preds and cond[jc].any() and not cond[jc].all():
                        seen_preds.add(key)
                        preds.append(enum.build(block.nt, block.base + jc))
                        pvals.append(cond[jc])
                        dirty = True
        if covered is not None and covered.all() and pvals:
            return self._unify(terms, sigs, preds, pvals, ite)
        return None

    def _rename(self) -> dict[str, Term] | None:
        """Declared variable -> parameter, when the single call site is ``f(v1, ..., vn)``
        with distinct variables and any term is allowed (no grammar)."""
        if self.task.fun.grammar is not None or len(self.task.slots) != 1:
            return None
        args = [a for a in self.task.slots[0] if isinstance(a, Var)]
        if len(args) < len(self.task.slots[0]) or len({a.name for a in args}) < len(args):
            return None
        return {a.name: p for a, p in zip(args, self.task.fun.params)}

    def _spec_terms(self, inputs: Mapping[str, np.ndarray], m: int):
        """Subterms of the spec of the function's sort, over the call's arguments, as
        candidate leaves (macros expanded)."""
        return self._seeds(inputs, m, _subterms(self.task.constraints, self.task.fun.sort,
                                                self.spec.macros))

    def _spec_atoms(self, inputs: Mapping[str, np.ndarray], m: int):
        """Comparisons of the spec over the call's arguments, as predicates over the
        parameters (only when the function has no grammar, so any term is allowed)."""
        return [(t, np.asarray(r, dtype=bool)) for t, r in self._seeds(
            inputs, m, _atoms([expand(c, self.spec.macros) for c in self.task.constraints],
                              set(self._rename() or {})))]

    def _seeds(self, inputs: Mapping[str, np.ndarray], m: int, found: Sequence[Term]):
        from .vector import Overflow, eval_vec

        rename = self._rename()
        if rename is None:
            return []
        out = []
        for atom in found:
            if not free_vars(atom) or not free_vars(atom) <= set(rename):
                continue
            term = substitute(atom, rename)
            try:
                row = eval_vec(term, inputs, self.spec.macros, m)
            except (Overflow, KeyError):
                continue
            out.append((term, row))
        return out[:MAX_PREDS // 2]

    def _check_rows(self, values: np.ndarray) -> np.ndarray:
        """The checker over a block, in chunks, watching the deadline."""
        step = max(256, CHECK_CELLS // max(1, values.shape[1]))
        parts = []
        for start in range(0, len(values), step):
            if time.monotonic() > self.deadline:
                raise Timeout
            parts.append(self.checker(values[start:start + step]))
        return np.concatenate(parts) if len(parts) != 1 else parts[0]

    def _unify(self, terms, sigs, preds, pvals, ite) -> Term | None:
        if time.monotonic() > self.deadline:
            raise Timeout
        correct = np.array(sigs)
        pick = greedy_cover(correct)
        tree = learn(correct[pick], np.array(pvals))
        if tree is None:
            tree, pick = learn(correct, np.array(pvals)), list(range(len(terms)))
        return None if tree is None else to_term(tree, [terms[i] for i in pick], preds, ite)


def _eval_cond(ite, values: np.ndarray, macros) -> np.ndarray:
    from .vector import eval_vec

    b, m = values.shape
    out = eval_vec(ite.cond, {ite.pred_hole: values.reshape(-1)}, macros, b * m)
    return np.asarray(out, dtype=bool).reshape(b, m)


def _unit_target(grammar: Grammar) -> str:
    """Follow unit productions ``Start -> N`` from the start symbol."""
    from .terms import Hole

    nt = grammar.start
    seen = {nt.name}
    while len(nt.rules) == 1 and isinstance(nt.rules[0], Hole) and nt.rules[0].name not in seen:
        nt = grammar[nt.rules[0].name]
        seen.add(nt.name)
    return nt.name


def _premises(constraints) -> list[Term]:
    """Premises ``P`` of constraints ``(=> P Q)`` that do not mention the function."""

    return [c.args[0] for c in constraints if isinstance(c, App) and c.op == "=>"
            and len(c.args) == 2 and not calls_any(c.args[0])]


COMPARISONS = frozenset({"<=", "<", ">=", ">", "=", "bvult", "bvule", "bvugt", "bvuge",
                         "bvslt", "bvsle", "bvsgt", "bvsge"})


def _atoms(constraints, names: set[str]) -> list[App]:
    """Distinct comparison subterms over the variables ``names`` only (no calls)."""
    return list(collect_apps(
        constraints, lambda t: t.op in COMPARISONS and not calls_any(t)
        and bool(free_vars(t)) and free_vars(t) <= names, descend_kept=False))


def _subterms(constraints, sort: Sort, macros) -> list[App]:
    """Distinct compound subterms of ``sort`` without calls, macros expanded."""
    return list(collect_apps([expand(c, macros) for c in constraints],
                             lambda t: t.sort == sort and t.op != "ite" and not calls_any(t)))[
        :200]


ALL_POINTS = 512
"""When the declared variables have at most this many joint values (Bool, small BV), every
point is an example from the start: no CEGIS rounds, and OE is over the whole domain."""


def _all_points(variables) -> list[dict[str, Value]] | None:
    import itertools

    sizes: list[list[Value]] = []
    for v in variables:
        if v.sort.kind is SortKind.BOOL:
            sizes.append([False, True])
        elif v.sort.kind is SortKind.BV and v.sort.width <= 9:
            sizes.append(list(range(1 << v.sort.width)))
        else:
            return None
    total = 1
    for s in sizes:
        total *= len(s)
    if total > ALL_POINTS:
        return None
    return [dict(zip([v.name for v in variables], combo)) for combo in itertools.product(*sizes)]
