"""Bottom-up enumeration by cost with observational equivalence (OE).

Programs are built level by level: a program of cost ``c`` whose root production costs ``r``
has children whose costs sum to ``c - r``. Each non-terminal keeps one program per distinct
value vector over the examples (64-bit row hashes); new programs are evaluated in blocks of
child tuples by the vectorised evaluator (numba kernels). ``Enumerator.levels()`` yields every
new block; callers test blocks against the spec and ``build`` the programs they want.
"""

from __future__ import annotations

import itertools
import time
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np

from .spec import AnyConst, AnyVar, Grammar
from .terms import App, Call, Function, Hole, Lit, Sort, SortKind, Term, Var, rewrite, substitute
from .vector import Overflow, eval_vec

BLOCK_ROWS = 1 << 16
BLOCK_CELLS = 1 << 22  # values evaluated per block: bounds the time between deadline checks
_RNG = np.random.default_rng(12345)
_COEFFS = _RNG.integers(1, 2**63, size=4096, dtype=np.uint64) | np.uint64(1)


class Timeout(Exception):
    """The enumeration ran past its deadline."""


class Exhausted(Exception):
    """The bank is full (memory cap) or the grammar has no more programs."""


@dataclass(frozen=True)
class Production:
    """A grammar rule with its hole occurrences renamed ``#0, #1, ...`` (one per child)."""

    nt: str
    index: int
    term: Term
    children: tuple[str, ...]
    cost: int


@dataclass
class Block:
    """New programs of one non-terminal and cost: value rows and how to build each."""

    nt: str
    cost: int
    values: np.ndarray
    recipes: list[tuple[int, tuple[int, ...]]]  # (production id, child row ids)
    base: int = 0  # row id of the first program in the non-terminal's bank


@dataclass
class _Bank:
    rows: list[np.ndarray] = field(default_factory=list)  # blocks of value rows
    blocks: list[Block] = field(default_factory=list)
    by_cost: dict[int, list[int]] = field(default_factory=dict)  # cost -> block indices
    seen: set = field(default_factory=set)
    size: int = 0


def productions(grammar: Grammar, constants: Mapping[Sort, Sequence[Lit]],
                params: Sequence[Var], rule_costs: Mapping[tuple[str, int], int],
                skip: set[tuple[str, int]] | None = None) -> list[Production]:
    """Flatten a grammar into productions; (Constant σ)/(Variable σ) become leaves."""
    out: list[Production] = []
    for nt in grammar.nonterminals:
        for i, rule in enumerate(nt.rules):
            if skip and (nt.name, i) in skip:
                continue
            cost = rule_costs.get((nt.name, i), 1)
            if isinstance(rule, AnyConst):
                leaves: list[Term] = list(constants.get(rule.sort, ()))
            elif isinstance(rule, AnyVar):
                leaves = [p for p in params if p.sort == rule.sort]
            else:
                leaves = [rule]
            for leaf in leaves:
                term, kids = number_holes(leaf)
                out.append(Production(nt.name, i, term, kids, cost))
    return out


def number_holes(term: Term) -> tuple[Term, tuple[str, ...]]:
    """Rename each hole occurrence to ``#k``; return the term and the holes' non-terminals."""
    kids: list[str] = []

    def hole(t: Term) -> Term | None:
        if isinstance(t, Hole):
            kids.append(t.name)
            return Hole(f"#{len(kids) - 1}", t.sort)
        return None

    return rewrite(term, hole), tuple(kids)


EXACT_BYTES = 512
"""Rows up to this many bytes are compared exactly (their bytes are the OE key); longer rows
by a 64-bit hash, which makes the enumeration complete only up to hash collisions."""


def row_keys(values: np.ndarray) -> list:
    """Observational-equivalence keys of the rows of a value matrix."""
    if values.dtype == object:
        return [tuple(r) for r in values.tolist()]
    if values.shape[1] * values.itemsize <= EXACT_BYTES:
        return [r.tobytes() for r in values]
    return row_hashes(values)


def row_hashes(values: np.ndarray) -> list[int]:
    """64-bit hashes of the rows of a value matrix (strings: Python hashes)."""
    if values.dtype == object:
        return [hash(tuple(r)) for r in values]
    m = values.shape[1]
    coeffs = _COEFFS[:m] if m <= len(_COEFFS) else _RNG.integers(
        1, 2**63, size=m, dtype=np.uint64)
    with np.errstate(over="ignore"):
        return (values.astype(np.uint64) * coeffs).sum(axis=1).tolist()


class Enumerator:
    """Bottom-up enumeration of a grammar over fixed example inputs."""

    def __init__(self, prods: Sequence[Production], sorts: Mapping[str, Sort],
                 inputs: Mapping[str, np.ndarray], n_examples: int,
                 funcs: Mapping[str, Function], deadline: float,
                 max_cells: int = 1_200_000_000) -> None:
        self.prods = list(prods)
        self.sorts = dict(sorts)
        self.inputs = dict(inputs)
        self.m = n_examples
        self.funcs = funcs
        self.deadline = deadline
        self.max_cells = max_cells
        self.cells = 0  # bytes held by the bank
        self.banks = {nt: _Bank() for nt in sorts}
        self.dropped = False  # some program was dropped (Int overflow): not complete
        self.exact = all(v.dtype == object or v.itemsize * n_examples <= EXACT_BYTES
                         for v in inputs.values()) and n_examples * 8 <= EXACT_BYTES
        self._merged: dict[tuple[str, int], list[Block]] = {}
        self.max_cost = max((p.cost for p in self.prods), default=1)

    # ------------------------------------------------------------ public

    def levels(self, max_cost: int = 10**9) -> Iterator[Block]:
        """Yield every new block, cost level by cost level."""
        last = 0  # the last level that produced a program
        arity = max((len(p.children) for p in self.prods), default=0)
        for cost in range(1, max_cost + 1):
            new: dict[str, list[Block]] = {}
            for prod_id, prod in enumerate(self.prods):
                for block in self._expand(prod_id, prod, cost):
                    new.setdefault(block.nt, []).append(block)
            for blocks in new.values():
                yield _merge(blocks)
            if new:
                last = cost
            elif cost > arity * last + self.max_cost:
                return  # every child is cheaper than ``last``: nothing new can ever appear

    def build(self, nt: str, row: int) -> Term:
        """The program stored at ``row`` of ``nt``'s bank."""
        block, k = self._locate(nt, row)
        prod_id, kids = block.recipes[k]
        prod = self.prods[prod_id]
        if not kids:
            return prod.term
        mapping = {f"#{i}": self.build(c, r) for i, (c, r) in enumerate(zip(prod.children,
                                                                         kids))}
        return substitute(prod.term, mapping)

    def rules_of(self, nt: str, row: int) -> list[tuple[str, int]]:
        """The productions used by a program (for pCFG updates)."""
        block, k = self._locate(nt, row)
        prod_id, kids = block.recipes[k]
        prod = self.prods[prod_id]
        out = [(prod.nt, prod.index)]
        for c, r in zip(prod.children, kids):
            out += self.rules_of(c, r)
        return out

    def values(self, nt: str) -> np.ndarray:
        bank = self.banks[nt]
        if not bank.rows:
            return np.empty((0, self.m), dtype=object)
        return np.concatenate(bank.rows) if len(bank.rows) > 1 else bank.rows[0]

    # ------------------------------------------------------------ internals

    def _locate(self, nt: str, row: int) -> tuple[Block, int]:
        for block in self.banks[nt].blocks:
            if block.base <= row < block.base + len(block.recipes):
                return block, row - block.base
        raise IndexError(row)

    def _level(self, nt: str, cost: int) -> list[Block]:
        """The programs of ``nt`` at a finished cost level, as one block (rows contiguous)."""
        key = (nt, cost)
        if key not in self._merged:
            bank = self.banks[nt]
            blocks = [bank.blocks[i] for i in bank.by_cost.get(cost, ())]
            self._merged[key] = [_merge(blocks)] if blocks else []
        return self._merged[key]

    def _expand(self, prod_id: int, prod: Production, cost: int) -> Iterator[Block]:
        rest = cost - prod.cost
        k = len(prod.children)
        if k == 0:
            if rest == 0:
                env = dict(self.inputs)
                try:
                    row = eval_vec(prod.term, env, self.funcs, self.m).reshape(1, self.m)
                except Overflow:
                    self.dropped = True
                    return
                block = self._add(prod.nt, cost, row, [(prod_id, ())])
                if block is not None:
                    yield block
            return
        if rest < k:
            return
        for split in compositions(rest, k):
            choices = [self._level(c, s) for c, s in zip(prod.children, split)]
            if any(not ch for ch in choices):
                continue
            for blocks in itertools.product(*choices):
                yield from self._combine(prod_id, prod, cost, blocks)

    def _combine(self, prod_id: int, prod: Production, cost: int,
                 blocks: Sequence[Block]) -> Iterator[Block]:
        sizes = [len(b.recipes) for b in blocks]
        total = int(np.prod(sizes))
        step = max(1024, min(BLOCK_ROWS, BLOCK_CELLS // max(1, self.m)))
        for start in range(0, total, step):
            if time.monotonic() > self.deadline:
                raise Timeout
            flat = np.arange(start, min(total, start + step))
            idx = np.unravel_index(flat, sizes)
            evaluated = self._eval(prod, blocks, idx)
            if evaluated is None:
                continue
            values, rows = evaluated
            kids = np.stack([b.base + i[rows] for b, i in zip(blocks, idx)], axis=1)
            block = self._add(prod.nt, cost, values, None, prod_id, kids)
            if block is not None:
                yield block

    def _eval(self, prod: Production, blocks: Sequence[Block],
              idx: tuple[np.ndarray, ...]) -> tuple[np.ndarray, np.ndarray] | None:
        n = len(idx[0])
        env = {name: np.tile(v, n) for name, v in self.inputs.items()} if _uses_vars(
            prod.term) else {}
        for i, (b, ix) in enumerate(zip(blocks, idx)):
            env[f"#{i}"] = b.values[ix].reshape(-1)
        try:
            out = eval_vec(prod.term, env, self.funcs, n * self.m).reshape(n, self.m)
            return out, np.arange(n)
        except Overflow:
            if n == 1:
                self.dropped = True
                return None
            half = n // 2
            parts = [self._eval(prod, blocks, tuple(i[:half] for i in idx)),
                     self._eval(prod, blocks, tuple(i[half:] for i in idx))]
            rows = [p[0][p[1]] for p in parts if p is not None]
            keeps = [p[1] + (0 if j == 0 else half) for j, p in enumerate(parts)
                     if p is not None]
            if not rows:
                return None
            return np.concatenate(rows), np.concatenate(keeps)

    def _add(self, nt: str, cost: int, values: np.ndarray,
             recipes: list[tuple[int, tuple[int, ...]]] | None, prod_id: int = 0,
             kids: np.ndarray | None = None) -> Block | None:
        """Keep the rows with new value vectors; recipes are built for kept rows only
        (from ``prod_id`` and the child row ids ``kids`` when ``recipes`` is None)."""
        bank = self.banks[nt]
        hashes = row_keys(values)
        keep: list[int] = []
        seen = bank.seen
        for j, h in enumerate(hashes):
            if h not in seen:
                seen.add(h)
                keep.append(j)
        if not keep:
            return None
        self.cells += len(keep) * self.m * (values.itemsize if values.dtype != object else 16)
        if self.cells > self.max_cells:
            raise Exhausted("bank memory cap reached")
        if recipes is None:
            assert kids is not None
            kept = [(prod_id, tuple(row)) for row in kids[keep].tolist()]
        else:
            kept = [recipes[j] for j in keep]
        block = Block(nt, cost, values[keep] if len(keep) < len(values) else values,
                      kept, bank.size)
        bank.size += len(keep)
        bank.rows.append(block.values)
        bank.by_cost.setdefault(cost, []).append(len(bank.blocks))
        bank.blocks.append(block)
        return block


def _merge(blocks: list[Block]) -> Block:
    """One block for a level's new programs of one non-terminal (their rows are contiguous)."""
    if len(blocks) == 1:
        return blocks[0]
    first = blocks[0]
    recipes = [r for b in blocks for r in b.recipes]
    return Block(first.nt, first.cost, np.concatenate([b.values for b in blocks]), recipes,
                 first.base)


def _uses_vars(term: Term) -> bool:
    if isinstance(term, Var):
        return True
    if isinstance(term, (App, Call)):
        return any(_uses_vars(a) for a in term.args)
    return False


def compositions(total: int, parts: int) -> Iterator[tuple[int, ...]]:
    """Ordered ways to write ``total`` as ``parts`` positive integers."""
    if parts == 1:
        yield (total,)
        return
    for first in range(1, total - parts + 2):
        for rest in compositions(total - first, parts - 1):
            yield (first,) + rest


def literal_sort_ok(sort: Sort) -> bool:
    return sort.kind in (SortKind.INT, SortKind.BV, SortKind.BOOL, SortKind.STRING)
