"""AR: algebraic reasoning by exact Gaussian elimination over fractions, with provenance.

A ``LinearTable`` holds linear equations ``sum(c_v * v) = 0`` over named variables with
``Fraction`` coefficients. Every equation comes from a fact (its id); every stored row keeps,
beside its coefficients, the combination of input equations it was built from, so that any
derived equation can be traced back to the facts it used and re-verified exactly.

Two tables are used by the prover:

* angles: one variable per line (its direction, a real number in [0, pi)) and the constant
  ``PI`` (pi / 360: ``state.PI_PARTS``); ``para``/``perp``/``eqangle``/``aconst`` facts are
  equations whose multiple of pi is read off the diagram, so every equation is true over the
  reals, not only modulo pi;
* ratios: one variable per segment (the log of its length) and the logs of primes as
  constants; ``cong``/``eqratio``/``rconst``/``midp`` facts are equations.

Constants are variables too, but never chosen as pivots.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable
from fractions import Fraction

Var = Hashable
Expr = dict  # Var -> Fraction
Prov = dict  # equation id -> Fraction
Snapshot = tuple  # ((pivot, its row, its provenance), ...): ``LinearTable.snapshot``


def exact(x: int | Fraction) -> int | Fraction:
    """Integral values as ``int``: int arithmetic is much faster than Fraction's, and the
    coefficients met in geometry are nearly always small integers."""
    if type(x) is Fraction and x.denominator == 1:
        return x.numerator
    return x


def add_scaled(target: dict, source: dict, k: int | Fraction) -> None:
    """target += k * source, dropping zeros (in place)."""
    for key, c in source.items():
        v = target.get(key, 0) + k * c
        if v:
            target[key] = exact(v) if type(v) is Fraction else v
        else:
            target.pop(key, None)


class LinearTable:
    """Incremental reduced row echelon form with provenance.

    ``rows[p]`` is an expression with coefficient 1 on its pivot ``p`` and no other pivot;
    ``prov[p]`` says which input equations (by id, with coefficients) sum to that row;
    ``pivots`` lists the pivots in the order they were made (``residual_since`` reads it).
    A row (and its provenance) that a new pivot changes is replaced by a new dict, never
    changed in place: copies and snapshots share rows. ``occurs[v]`` holds the pivots of the
    rows where the variable ``v`` occurs besides its own, so that a new pivot is eliminated
    from those rows only, not looked for in every row (a table fed the law of sines holds
    thousands); its sets are shared with copies until one of them changes a set
    (``_occurs``).
    """

    def __init__(self, constants: Iterable[Var] = ()) -> None:
        self.constants: set[Var] = set(constants)
        self.rows: dict[Var, Expr] = {}
        self.prov: dict[Var, Prov] = {}
        self.order: dict[Var, int] = {}  # creation order: newest variables become pivots
        self.equations: dict[int, Expr] = {}  # id -> the input equation as given
        self.pivots: list[Var] = []
        self.occurs: dict[Var, set[Var]] = {}
        self._own: set[Var] = set()  # the variables whose ``occurs`` set this table made

    def copy(self) -> LinearTable:
        """An independent copy (rows are replaced, never changed in place: they are shared)."""
        new = LinearTable(self.constants)
        new.rows = dict(self.rows)
        new.prov = dict(self.prov)
        new.order = dict(self.order)
        new.equations = dict(self.equations)  # never changed once added
        new.pivots = list(self.pivots)
        new.occurs = dict(self.occurs)  # the sets are shared now: each table copies a set
        self._own = set()  # before it changes it
        return new

    def _occurs(self, v: Var) -> set[Var]:
        """``occurs[v]``, a set this table may change."""
        found = self.occurs.get(v)
        if found is None:
            found = self.occurs[v] = set()
        elif v not in self._own:
            found = self.occurs[v] = set(found)
        self._own.add(v)
        return found

    def _touch(self, expr: Expr) -> None:
        for v in expr:
            if v not in self.order:
                self.order[v] = len(self.order)

    def reduce(self, expr: Expr) -> tuple[Expr, Prov]:
        """Express ``expr`` modulo the table: (residual, combination of equations used).

        ``expr - residual == sum(k * equation[id] for id, k in combination)``.
        """
        return reduce_by(expr, self.snapshot(expr))

    def snapshot(self, expr: Expr) -> Snapshot:
        """What reducing ``expr`` reads: the rows (with provenance) of its pivots. Rows are
        replaced, never changed in place, so ``reduce_by(expr, snapshot)`` gives later
        exactly what ``reduce(expr)`` gives now."""
        rows, prov = self.rows, self.prov
        return tuple((v, rows[v], prov[v]) for v in expr if v in rows)

    def add(self, expr: Expr, eq_id: int) -> bool:
        """Add the equation ``expr = 0``; False when it already followed from the table."""
        self._touch(expr)
        res, prov = self.reduce(expr)
        pivots = [v for v in res if v not in self.constants]
        if not pivots:
            return False  # redundant (or, if constants remain, inconsistent: caller checks)
        self.equations[eq_id] = dict(expr)
        prov = {k: -c for k, c in prov.items()}
        prov[eq_id] = prov.get(eq_id, 0) + 1
        p = max(pivots, key=self.order.__getitem__)
        c0 = res[p]
        k = c0 if c0 in (1, -1) else Fraction(1) / c0  # 1/c for c = +-1 is c itself
        row = {v: exact(c * k) for v, c in res.items()}
        rprov = {e: exact(c * k) for e, c in prov.items()}
        rows = self.rows
        for q in sorted(self.occurs.get(p, ()), key=self.order.__getitem__):
            old = rows[q]  # a new row: snapshots and copies keep the old one
            c = old[p]
            other, oprov = dict(old), dict(self.prov[q])
            add_scaled(other, row, -c)
            add_scaled(oprov, rprov, -c)
            rows[q], self.prov[q] = other, oprov
            for v in row:
                if v in old:
                    if v not in other:
                        self._occurs(v).discard(q)
                elif v in other:
                    self._occurs(v).add(q)
        rows[p] = row
        self.prov[p] = rprov
        for v in row:
            if v != p:
                self._occurs(v).add(p)
        self.pivots.append(p)
        return True

    def implies(self, expr: Expr) -> Prov | None:
        """If ``expr = 0`` follows, the combination of input equations that shows it."""
        if self.residual(expr):  # most queries fail: find out before tracking provenance
            return None
        res, prov = self.reduce(expr)
        return prov if not res else None

    def residual(self, expr: Expr) -> Expr:
        """``expr`` modulo the table (``reduce`` without the provenance)."""
        res: Expr = dict(expr)
        for v in [v for v in expr if v in self.rows]:
            c = res.get(v)
            if c:
                add_scaled(res, self.rows[v], -c)
        return res

    def residual_since(self, res: Expr, known: int) -> Expr:
        """``expr`` modulo the table, given ``res``, its residual when the table had its first
        ``known`` pivots: only the pivots made since can occur in ``res``, and reducing by
        their rows (which hold no other pivot) gives the one residual free of every pivot.
        What makes a failed query cheap to ask again: most of the time no new pivot occurs
        in it and ``res`` itself comes back (callers must not change it)."""
        if not self.touched_since(res, known):
            return res
        out = dict(res)
        for p in self.pivots[known:]:
            c = out.get(p)
            if c:
                add_scaled(out, self.rows[p], -c)
        return out

    def touched_since(self, res: Expr, known: int) -> bool:
        """Whether a pivot made after the first ``known`` occurs in ``res``: if none does,
        ``res`` is still the residual (and still says not implied, if it did)."""
        pivots = self.pivots
        if len(pivots) <= known:
            return False
        return not res.keys().isdisjoint(pivots[known:] if known else pivots)

    def key(self, expr: Expr) -> frozenset:
        """A hashable normal form: two expressions are equal modulo the table iff keys are."""
        return frozenset(self.residual(expr).items())


def reduce_by(expr: Expr, snapshot: Snapshot) -> tuple[Expr, Prov]:
    """``LinearTable.reduce`` of ``expr`` by the rows of a ``snapshot`` of the table. The
    rows hold no pivot but their own, so each pivot of ``expr`` keeps its coefficient until
    its row is subtracted."""
    res: Expr = dict(expr)
    prov: Prov = {}
    for v, row, pr in snapshot:
        c = res.get(v)
        if not c:
            continue
        add_scaled(res, row, -c)
        add_scaled(prov, pr, c)
    return res, prov


def verify_combination(target: Expr, equations: dict[int, Expr], combo: Prov) -> bool:
    """Exact check that ``target == sum(k * equations[id])`` (the AR step is sound)."""
    total: Expr = {}
    for eq_id, k in combo.items():
        add_scaled(total, equations[eq_id], Fraction(k))
    diff = dict(total)
    add_scaled(diff, target, Fraction(-1))
    return not diff
