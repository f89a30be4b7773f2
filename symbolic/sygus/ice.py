"""ICE learning of invariants (Garg et al., CAV'14): examples of three kinds, a learner
consistent with all of them, and z3 as the teacher.

* positive states: reachable (models of ``pre``, and successors of positives);
* negative states: violate ``post`` (models of ``inv ∧ ¬post``);
* implication pairs ``(s, s')``: a step of ``trans`` leaving the candidate.

The learner picks a formula in disjunctive normal form over candidate atoms (the Houdini atoms:
comparisons of the spec, intervals, octagons): ``k`` conjunctions chosen by SAT so that every
positive is in, every negative out, and no pair leads from in to out; then each conjunction
is greedily shortened while it stays consistent. ``k`` grows 1, 2, 3 when no formula fits.
The teacher checks ``pre ⇒ I``, ``I ∧ trans ⇒ I'`` and ``I ⇒ post`` and returns an example of
the right kind. A returned invariant passed all three checks.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from .invariants import atoms
from .semantics import EvalError, evaluate
from .smt import Encoder, SmtSpec, from_z3, to_z3, z3_sort
from .spec import InvProblem, Spec
from .terms import BOOL, App, Lit, Term, Value

MAX_DISJUNCTS = 3
MAX_SMALL = 8
SEED_STEPS = 4
SEED_PER_STEP = 3
"""Formulas of up to this many atoms are searched smallest first."""
Z3_MS = 2000

State = dict[str, Value]


@dataclass
class Examples:
    """Atom truth values at the example states (rows), by kind."""

    pos: list[np.ndarray] = field(default_factory=list)
    neg: list[np.ndarray] = field(default_factory=list)
    pairs: list[tuple[np.ndarray, np.ndarray]] = field(default_factory=list)

    def size(self) -> int:
        return len(self.pos) + len(self.neg) + len(self.pairs)


DNF = list[list[int]]
"""A candidate: conjunctions of atom indices, joined by or."""


def holds(dnf: DNF, rows: np.ndarray) -> np.ndarray:
    """Which rows (states, as atom truth values) satisfy the DNF."""
    out = np.zeros(len(rows), dtype=bool)
    for conj in dnf:
        out |= rows[:, conj].all(axis=1) if conj else True
    return out


@dataclass(frozen=True)
class _Matrices:
    pos: np.ndarray
    neg: np.ndarray
    before: np.ndarray
    after: np.ndarray

    @staticmethod
    def of(ex: Examples, n_atoms: int) -> _Matrices:
        def stack(rows: list[np.ndarray]) -> np.ndarray:
            return np.array(rows, dtype=bool).reshape(len(rows), n_atoms)

        return _Matrices(stack(ex.pos), stack(ex.neg), stack([a for a, _ in ex.pairs]),
                         stack([b for _, b in ex.pairs]))

    def consistent(self, dnf: DNF) -> bool:
        return bool(holds(dnf, self.pos).all() and not holds(dnf, self.neg).any()
                    and (~holds(dnf, self.before) | holds(dnf, self.after)).all())


def consistent(dnf: DNF, ex: Examples, n_atoms: int) -> bool:
    """Every positive in, every negative out, no pair leading from in to out."""
    return _Matrices.of(ex, n_atoms).consistent(dnf)


class Learner:
    """SAT over atom selections ``s[j][a]`` (atom ``a`` in conjunction ``j``), kept
    incremental: each call adds only the examples that arrived since the last."""

    def __init__(self, n_atoms: int, k: int, z3: Any) -> None:
        self.z3 = z3
        self.k = k
        self.sel = [[z3.Bool(f"s{j}_{a}") for a in range(n_atoms)] for j in range(k)]
        self.solver = z3.Solver()
        self.solver.set("timeout", Z3_MS)
        self.seen = (0, 0, 0)
        self.bound = 0  # fewer atoms than this cannot fit the examples (they only grow)
        self._bounds: dict[int, Any] = {}

    def _at_most(self, b: int) -> Any:
        """A literal that, assumed, allows at most ``b`` selected atoms in all."""
        if b not in self._bounds:
            lit = self.z3.Bool(f"atmost{b}")
            every = [s for row in self.sel for s in row]
            self.solver.add(self.z3.Implies(lit, self.z3.AtMost(*every, b)))
            self._bounds[b] = lit
        return self._bounds[b]

    def _inside(self, row: np.ndarray) -> Any:
        z3 = self.z3
        off = np.flatnonzero(~row)
        return z3.Or(*[z3.Not(z3.Or(*[self.sel[j][a] for a in off])) if len(off) else
                       z3.BoolVal(True) for j in range(self.k)])

    def __call__(self, ex: Examples) -> DNF | None:
        """A DNF of ``k`` conjunctions consistent with the examples, or None."""
        z3 = self.z3
        p, n, i = self.seen
        for r in ex.pos[p:]:
            self.solver.add(self._inside(r))
        for r in ex.neg[n:]:
            self.solver.add(z3.Not(self._inside(r)))
        for a, b in ex.pairs[i:]:
            self.solver.add(z3.Implies(self._inside(a), self._inside(b)))
        self.seen = (len(ex.pos), len(ex.neg), len(ex.pairs))
        # the fewest atoms first (Occam: small formulas generalise), then any number
        while self.bound <= MAX_SMALL:
            r = self.solver.check(self._at_most(self.bound))
            if r == z3.sat:
                break
            if r != z3.unsat:
                return None
            self.bound += 1
        else:
            if self.solver.check() != z3.sat:
                return None
        model = self.solver.model()
        chosen = {d.name() for d in model.decls() if z3.is_true(model[d])}
        dnf = [[a for a in range(len(self.sel[j])) if f"s{j}_{a}" in chosen]
               for j in range(self.k)]
        return _shorten(dnf, _Matrices.of(ex, len(self.sel[0])))


def learn(ex: Examples, n_atoms: int, k: int, z3: Any) -> DNF | None:
    """A DNF of ``k`` conjunctions over ``n_atoms`` atoms consistent with the examples."""
    return Learner(n_atoms, k, z3)(ex)


def _shorten(dnf: DNF, ex: _Matrices) -> DNF:
    """Drop atoms (and whole conjunctions) while the formula stays consistent."""
    for j in range(len(dnf)):
        for a in list(dnf[j]):
            trial = [c if i != j else [b for b in c if b != a] for i, c in enumerate(dnf)]
            if ex.consistent(trial):
                dnf = trial
    for j in reversed(range(len(dnf))):
        trial = dnf[:j] + dnf[j + 1:]
        if trial and ex.consistent(trial):
            dnf = trial
    return dnf


def reaches_bad(inv: InvProblem, spec: Spec, smt: SmtSpec, steps: int, deadline: float
                ) -> bool:
    """Is a state violating post reachable from pre within ``steps`` transitions (bounded
    model checking with z3)? Then no invariant exists: pre ⇒ I, I ∧ trans ⇒ I' and I ⇒ post
    chain along the path to a contradiction. The z3 trace is replayed by the plain evaluator
    before it counts. False also when z3 gives up."""
    z3 = smt.z3
    enc = Encoder(z3, spec.macros, smt.uf)
    solver = z3.Solver()
    log: list[tuple[Term, dict[str, Any]]] = []
    for k, frame in enumerate(_unroll(inv, spec, enc, z3, solver, steps, log)):
        left = deadline - time.monotonic()
        if left <= 0:
            return False
        solver.push()
        end = {**_inputs(inv, spec, z3, f"post{k}"), **frame}
        solver.add(z3.Not(enc.encode(inv.post, end)))
        solver.set("timeout", int(1000 * min(left, 1.0)))
        if solver.check() == z3.sat:
            return _replay(spec, solver.model(), log, (inv.post, end), z3)
        solver.pop()
    return False


def _replay(spec: Spec, model: Any, steps: list[tuple[Term, dict[str, Any]]],
            end: tuple[Term, dict[str, Any]], z3: Any) -> bool:
    """Do pre and every step hold, and post fail, in the evaluator at the model's values?"""
    sorts = {v.name: v.sort for v in spec.variables}

    def holds_at(term: Term, env: dict[str, Any]) -> bool:
        values = {n: from_z3(z3, model.eval(c, model_completion=True), sorts[n])
                  for n, c in env.items()}
        return bool(evaluate(term, values, spec.macros))

    try:
        return all(holds_at(t, e) for t, e in steps) and not holds_at(*end)
    except (EvalError, ValueError, ZeroDivisionError, RecursionError, KeyError):
        return False


def _inputs(inv: InvProblem, spec: Spec, z3: Any, tag: str) -> dict[str, Any]:
    """Fresh constants for the declared variables other than the state (inputs that the
    macros read): each use of a constraint quantifies them anew."""
    state = {v.name for v in inv.state} | {p.name for p in inv.primed}
    return {v.name: z3.Const(f"{v.name}@{tag}", z3_sort(z3, v.sort))
            for v in spec.variables if v.name not in state}


def _unroll(inv: InvProblem, spec: Spec, enc: Encoder, z3: Any, solver: Any, steps: int,
            log: list[tuple[Term, dict[str, Any]]] | None = None):
    """Add pre and trans steps to ``solver`` frame by frame; yield each frame's variables
    (the state after 0, 1, ..., ``steps`` transitions). ``log`` gets each added term with
    its variables."""
    log = [] if log is None else log
    frames = [{v.name: z3.Const(f"{v.name}@{t}", z3_sort(z3, v.sort)) for v in inv.state}
              for t in range(steps + 1)]
    env = {**_inputs(inv, spec, z3, "pre"), **frames[0]}
    solver.add(enc.encode(inv.pre, env))
    log.append((inv.pre, env))
    for k in range(steps + 1):
        if k:
            env = {**_inputs(inv, spec, z3, f"step{k}"), **frames[k - 1]}
            env.update({p.name: frames[k][v.name] for v, p in zip(inv.state, inv.primed)})
            solver.add(enc.encode(inv.trans, env))
            log.append((inv.trans, env))
        yield frames[k]


def reachable_states(inv: InvProblem, spec: Spec, smt: SmtSpec, steps: int, per_step: int,
                     deadline: float) -> list[State]:
    """A few distinct states reachable in 0 .. ``steps`` transitions (positive examples)."""
    z3 = smt.z3
    enc = Encoder(z3, spec.macros, smt.uf)
    solver = z3.Solver()
    out: list[State] = []
    for frame in _unroll(inv, spec, enc, z3, solver, steps):
        solver.push()
        for _ in range(per_step):
            left = deadline - time.monotonic()
            if left <= 0:
                return out
            solver.set("timeout", int(1000 * min(left, 0.5)))
            if solver.check() != z3.sat:
                break
            model = solver.model()
            state = {v.name: from_z3(z3, model.eval(frame[v.name], model_completion=True),
                                     v.sort) for v in inv.state}
            if state not in out:
                out.append(state)
            solver.add(z3.Or(*[frame[v.name] != to_z3(z3, state[v.name], frame[v.name])
                               for v in inv.state]))
        solver.pop()
    return out




class IceLearner:
    """The ICE loop for one ``inv-constraint``."""

    def __init__(self, inv: InvProblem, spec: Spec, smt: SmtSpec) -> None:
        self.inv = inv
        self.spec = spec
        self.smt = smt
        self.z3 = smt.z3
        self.atoms = [a for a in atoms(inv, spec, disjunctive=False) if a.sort == BOOL]
        enc = Encoder(self.z3, spec.macros, smt.uf)
        now_env = {v.name: smt.vars[v.name] for v in inv.state}
        next_env = {v.name: smt.vars[p.name] for v, p in zip(inv.state, inv.primed)}
        self.now = [enc.encode(a, now_env) for a in self.atoms]
        self.next = [enc.encode(a, next_env) for a in self.atoms]
        self.pre = enc.encode(inv.pre, smt.vars)
        self.trans = enc.encode(inv.trans, smt.vars)
        self.post = enc.encode(inv.post, smt.vars)
        self.examples = Examples()
        self.rounds = 0

    def run(self, deadline: float) -> Term | None:
        """An invariant verified by z3 (all three conditions), or None."""
        try:  # reachable states up front: they pin down what never changes
            seeds = reachable_states(self.inv, self.spec, self.smt, SEED_STEPS, SEED_PER_STEP,
                                     min(deadline, time.monotonic() + 0.5))
            self.examples.pos += [self._row(s) for s in seeds]
        except (EvalError, ValueError, ZeroDivisionError, RecursionError):
            pass
        k = 1
        learner = Learner(len(self.atoms), k, self.z3)
        while time.monotonic() < deadline:
            dnf = learner(self.examples)
            if dnf is None:
                if k == MAX_DISJUNCTS:
                    return None
                k += 1
                learner = Learner(len(self.atoms), k, self.z3)
                continue
            self.rounds += 1
            verdict = self._teach(dnf)
            if verdict is None:
                return None
            if verdict:
                return self.term(dnf)
        return None

    def term(self, dnf: DNF) -> Term:
        conjs = [_join("and", [self.atoms[a] for a in c]) for c in dnf]
        return _join("or", conjs)

    def _teach(self, dnf: DNF) -> bool | None:
        """True when ``dnf`` is an invariant; False after adding an example; None when z3
        gives up or an example cannot be evaluated."""
        z3 = self.z3
        now = self._formula(dnf, self.now)
        nxt = self._formula(dnf, self.next)
        for facts, kind in (([self.pre, z3.Not(now)], "pos"),
                            ([now, self.trans, z3.Not(nxt)], "pair"),
                            ([now, z3.Not(self.post)], "neg")):
            solver = z3.Solver()
            solver.set("timeout", Z3_MS)
            solver.add(*facts)
            r = solver.check()
            if r == z3.unsat:
                continue
            if r != z3.sat:
                return None
            model = solver.model()
            try:
                row = self._row(self._state(model, primed=False))
                if kind == "pos":
                    self.examples.pos.append(row)
                elif kind == "neg":
                    self.examples.neg.append(row)
                else:
                    self.examples.pairs.append((row, self._row(self._state(model, True))))
            except (EvalError, ValueError, ZeroDivisionError, RecursionError):
                return None
            return False
        return True

    def _formula(self, dnf: DNF, encoded: list) -> Any:
        z3 = self.z3
        return z3.Or(*[z3.And(*[encoded[a] for a in c]) if c else z3.BoolVal(True)
                       for c in dnf])

    def _state(self, model: Any, primed: bool) -> State:
        names = self.inv.primed if primed else self.inv.state
        return {v.name: from_z3(self.z3, model.eval(self.smt.vars[p.name],
                                                    model_completion=True), v.sort)
                for v, p in zip(self.inv.state, names)}

    def _row(self, state: State) -> np.ndarray:
        return np.array([bool(evaluate(a, state, self.spec.macros)) for a in self.atoms],
                        dtype=bool)


def _join(op: str, parts: list[Term]) -> Term:
    if not parts:
        return Lit(op == "and", BOOL)
    return parts[0] if len(parts) == 1 else App(op, tuple(parts), BOOL)


def ice(inv: InvProblem, spec: Spec, smt: SmtSpec, deadline: float) -> Term | None:
    """An inductive invariant proving post, learned from ICE examples, or None."""
    return IceLearner(inv, spec, smt).run(deadline)


__all__ = ["DNF", "Examples", "IceLearner", "Learner", "consistent", "holds", "ice", "learn",
           "reaches_bad"]
