"""A SyGuS file elaborated into a typed ``Spec``: sorts checked, names resolved, macros kept.

``parse_spec(text, file)`` is the entry point. ``inv-constraint`` is desugared into the three
constraints of its definition over fresh primed variables, and kept as ``InvProblem`` for the
invariant engine. Unsupported features raise ``UnsupportedError`` naming construct and place.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from .errors import ParseError, SygusError, UnsupportedError
from .ops import ALIASES, OPS, UNSUPPORTED, SortMismatch
from .reader import Atom, Command, SExpr, SList, read_commands, shown
from .terms import (
    BOOL,
    INT,
    STRING,
    App,
    Call,
    Function,
    Hole,
    Lit,
    Sort,
    Term,
    Var,
    bv,
    substitute,
)

MAX_BV_WIDTH = 64
IGNORED = frozenset({"set-option", "set-info", "set-feature"})
KNOWN_LOGICS = frozenset({"LIA", "NIA", "BV", "SLIA", "S", "SAT", "ALL", "PBE_BV", "PBE_SLIA",
                          "Inv_LIA", "Inv_BV", "CLIA", "LIA_BV", "BVLIA"})


@dataclass(frozen=True)
class AnyConst:
    """``(Constant σ)`` in a grammar: any literal of the sort."""

    sort: Sort


@dataclass(frozen=True)
class AnyVar:
    """``(Variable σ)`` in a grammar: any parameter of the sort."""

    sort: Sort


Rule = Term | AnyConst | AnyVar


@dataclass(frozen=True)
class NonTerminal:
    name: str
    sort: Sort
    rules: tuple[Rule, ...]


@dataclass(frozen=True)
class Grammar:
    """Non-terminals in declaration order; the first is the start symbol."""

    nonterminals: tuple[NonTerminal, ...]

    @property
    def start(self) -> NonTerminal:
        return self.nonterminals[0]

    def __getitem__(self, name: str) -> NonTerminal:
        return next(n for n in self.nonterminals if n.name == name)


@dataclass(frozen=True)
class SynthFun:
    """A function to synthesize; ``grammar`` None means any term of the logic."""

    name: str
    params: tuple[Var, ...]
    sort: Sort
    grammar: Grammar | None
    is_inv: bool = False
    line: int = 0


@dataclass(frozen=True)
class InvProblem:
    """``(inv-constraint inv pre trans post)`` with its variables (unprimed and primed)."""

    inv: str
    pre: Term
    trans: Term
    post: Term
    state: tuple[Var, ...]
    primed: tuple[Var, ...]


@dataclass(frozen=True)
class Spec:
    """The conjecture of one file: ∃ funs ∀ variables. assumes ⇒ constraints."""

    file: str
    logic: str
    funs: tuple[SynthFun, ...]
    variables: tuple[Var, ...]
    macros: dict[str, Function] = field(default_factory=dict)
    constraints: tuple[Term, ...] = ()
    assumes: tuple[Term, ...] = ()
    inv: tuple[InvProblem, ...] = ()

    def fun(self, name: str) -> SynthFun:
        return next(f for f in self.funs if f.name == name)


def parse_spec(text: str, file: str = "<string>") -> Spec:
    """Parse and elaborate SyGuS-IF text. Raises ``SygusError`` (located) on bad input."""
    try:
        return _Elaborator(file).run(read_commands(text, file))
    except SygusError as e:
        raise e.located(file) from None
    except RecursionError:
        raise UnsupportedError("term nesting too deep", file=file) from None


def read_spec(path: str | Path) -> Spec:
    p = Path(path)
    try:
        text = p.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as e:
        raise ParseError(f"cannot read: {e}", file=str(p)) from None
    return parse_spec(text, str(p))


class _Elaborator:
    """Walks the commands, keeping the symbol tables; one method per command."""

    def __init__(self, file: str) -> None:
        self.file = file
        self.logic = "ALL"
        self.funs: dict[str, SynthFun] = {}
        self.vars: dict[str, Var] = {}
        self.macros: dict[str, Function] = {}
        self.constraints: list[Term] = []
        self.assumes: list[Term] = []
        self.inv: list[InvProblem] = []
        self.checks = 0

    def run(self, commands: list[Command]) -> Spec:
        for c in commands:
            if c.name in IGNORED:
                continue
            handler = getattr(self, "cmd_" + c.name.replace("-", "_"), None)
            if handler is None or c.name == "other-command":
                name = c.args[0].text if c.name == "other-command" else c.name
                raise UnsupportedError(f"unsupported command ({shown(name)} ...)", line=c.line,
                                       column=c.column)
            handler(c)
        if self.checks == 0:
            raise ParseError("no (check-synth) command", line=None)
        if not self.funs:
            raise ParseError("no synth-fun or synth-inv to solve", line=None)
        return Spec(self.file, self.logic, tuple(self.funs.values()),
                    tuple(self.vars.values()), dict(self.macros), tuple(self.constraints),
                    tuple(self.assumes), tuple(self.inv))

    # ------------------------------------------------------------ commands

    def cmd_set_logic(self, c: Command) -> None:
        name = c.args[0].text.removeprefix("QF_")
        if name not in KNOWN_LOGICS:
            raise UnsupportedError(f"unsupported logic {name}", line=c.line, column=c.column)
        self.logic = name

    def cmd_check_synth(self, c: Command) -> None:
        self.checks += 1
        if self.checks > 1:
            raise UnsupportedError("more than one (check-synth)", line=c.line)

    def cmd_declare_var(self, c: Command) -> None:
        name = self._fresh(c.args[0])
        self.vars[name] = Var(name, self.sort(c.args[1]))

    def cmd_define_fun(self, c: Command) -> None:
        name = self._fresh(c.args[0])
        params = self.params(c.args[1:-2])
        sort = self.sort(c.args[-2])
        scope: dict[str, Term] = {**self.vars, **{p.name: p for p in params}}
        body = self.term(c.args[-1], scope)
        self._expect(body, sort, c.args[-1])
        self.macros[name] = Function(name, params, sort, body, c.line)

    def cmd_synth_fun(self, c: Command) -> None:
        self._synth(c, is_inv=False)

    def cmd_synth_inv(self, c: Command) -> None:
        self._synth(c, is_inv=True)

    def _synth(self, c: Command, is_inv: bool) -> None:
        name = self._fresh(c.args[0])
        rest = list(c.args[1:])
        grammar_raw = rest.pop() if rest and rest[-1][0] == "grammar" else None
        sort = BOOL if is_inv else self.sort(rest.pop())
        params = self.params(rest)
        grammar = self.grammar(grammar_raw, params, sort) if grammar_raw else None
        self.funs[name] = SynthFun(name, params, sort, grammar, is_inv, c.line)

    def cmd_constraint(self, c: Command) -> None:
        self.constraints.append(self._formula(c.args[0]))

    def cmd_assume(self, c: Command) -> None:
        self.assumes.append(self._formula(c.args[0]))

    def _formula(self, sx: SExpr) -> Term:
        t = self.term(sx, dict(self.vars))
        self._expect(t, BOOL, sx)
        return t

    def cmd_inv_constraint(self, c: Command) -> None:
        inv_name, pre, trans, post = (a.text for a in c.args)
        f = self.funs.get(inv_name)
        if f is None or not f.is_inv:
            raise ParseError(f"inv-constraint: {inv_name} is not a synth-inv", line=c.line)
        state = tuple(Var(p.name, p.sort) for p in f.params)
        primed = tuple(Var(self._prime(p.name), p.sort) for p in f.params)
        for v in state + primed:
            self.vars.setdefault(v.name, v)
        terms = {}
        for role, mname, args in (("pre", pre, state), ("trans", trans, state + primed),
                                  ("post", post, state)):
            m = self.macros.get(mname)
            if m is None or [p.sort for p in m.params] != [a.sort for a in args]:
                raise ParseError(f"inv-constraint: {role} {mname} is not a define-fun over "
                                 f"the invariant's {len(args)} variables", line=c.line)
            terms[role] = Call(mname, args, BOOL)
        inv_now, inv_next = Call(inv_name, state, BOOL), Call(inv_name, primed, BOOL)
        self.constraints += [App("=>", (terms["pre"], inv_now), BOOL),
                             App("=>", (App("and", (inv_now, terms["trans"]), BOOL),
                                        inv_next), BOOL),
                             App("=>", (inv_now, terms["post"]), BOOL)]
        self.inv.append(InvProblem(inv_name, terms["pre"], terms["trans"], terms["post"],
                                   state, primed))

    def _prime(self, name: str) -> str:
        out = name + "!"
        while out in self.vars or out in self.macros:
            out += "!"
        return out

    # ------------------------------------------------------------ sorts, params, grammars

    def sort(self, raw: tuple) -> Sort:
        _, head, idx = raw
        name = head.text
        if name in ("Int", "Bool", "String") and not idx:
            return {"Int": INT, "Bool": BOOL, "String": STRING}[name]
        if name == "BitVec" and len(idx) == 1 and isinstance(idx[0], Atom):
            width = int(idx[0].text)
            if not 1 <= width <= MAX_BV_WIDTH:
                raise UnsupportedError(f"bit-vector width {width} (supported: 1 to "
                                       f"{MAX_BV_WIDTH})", line=head.line, column=head.column)
            return bv(width)
        raise UnsupportedError(f"unsupported sort {name}", line=head.line, column=head.column)

    def params(self, raw: list | tuple) -> tuple[Var, ...]:
        out: list[Var] = []
        for name, sort in raw:
            if any(p.name == name.text for p in out):
                raise ParseError(f"parameter {name.text} declared twice", line=name.line,
                                 column=name.column)
            out.append(Var(name.text, self.sort(sort)))
        return tuple(out)

    def grammar(self, raw: tuple, params: tuple[Var, ...], ret: Sort) -> Grammar:
        _, decls, groups = raw
        nts = {d[0].text: self.sort(d[1]) for d in decls}
        scope: dict[str, Term] = {p.name: p for p in params}
        scope.update({n: Hole(n, s) for n, s in nts.items()})
        out = []
        for head, sort_raw, rules in groups:
            if head.text not in nts or nts[head.text] != self.sort(sort_raw):
                raise ParseError(f"grammar rules for {head.text} do not match its declaration",
                                 line=head.line, column=head.column)
            out.append(NonTerminal(head.text, nts[head.text],
                                   tuple(self.rule(r, scope, nts[head.text]) for r in rules)))
        ruled = {n.name for n in out}
        for name, _ in decls:
            if name.text not in ruled:  # SyGuS-IF 2.1: one rule group per declared non-terminal
                raise ParseError(f"non-terminal {name.text} is declared but has no rules",
                                 line=name.line, column=name.column)
        order = [d[0].text for d in decls]
        out.sort(key=lambda n: order.index(n.name))
        if not out or out[0].sort != ret:
            raise ParseError(f"the start symbol must have the function's sort {ret}",
                             line=decls[0][0].line if decls else None)
        return Grammar(tuple(out))

    def rule(self, sx: SExpr, scope: dict[str, Term], sort: Sort) -> Rule:
        if isinstance(sx, SList) and len(sx.items) == 2 and isinstance(sx.items[0], Atom) \
                and sx.items[0].text in ("Constant", "Variable"):
            s = self.sort(_as_sort(sx.items[1]))
            if s != sort:
                raise ParseError(f"({sx.items[0].text} {s}) in a rule of sort {sort}",
                                 line=sx.line, column=sx.column)
            return AnyConst(s) if sx.items[0].text == "Constant" else AnyVar(s)
        t = self.term(sx, scope)
        self._expect(t, sort, sx)
        return t

    # ------------------------------------------------------------ terms

    def term(self, sx: SExpr, scope: dict[str, Term]) -> Term:
        if isinstance(sx, Atom):
            return self.atom(sx, scope)
        if not sx.items:
            raise ParseError("empty application ()", line=sx.line, column=sx.column)
        head = sx.items[0]
        if isinstance(head, SList):
            return self.indexed_app(head, sx, scope)
        if head.kind != "SYMBOL":
            raise ParseError(f"{head.text} cannot be applied", line=head.line,
                             column=head.column)
        name = head.text
        if name == "_":
            return self.indexed_literal(sx)
        if name == "let":
            return self.let(sx, scope)
        if name == "!":
            return self.term(sx.items[1], scope)
        if name in ("forall", "exists"):
            raise UnsupportedError(f"quantifier {name}", line=head.line, column=head.column)
        if ALIASES.get(name, name) in UNSUPPORTED:
            raise UnsupportedError(f"unsupported operator {ALIASES.get(name, name)}",
                                   line=head.line, column=head.column)
        args = tuple(self.term(a, scope) for a in sx.items[1:])
        return self.apply(head, args)

    def apply(self, head: Atom, args: tuple[Term, ...], indices: tuple[int, ...] = ()) -> Term:
        name = ALIASES.get(head.text, head.text)
        fn = self.macros.get(name) or self.funs.get(name)
        if fn is not None and not indices:
            params = fn.params
            if [a.sort for a in args] != [p.sort for p in params]:
                raise ParseError(f"{name} expects ({' '.join(str(p.sort) for p in params)}), "
                                 f"got ({' '.join(str(_sort(a)) for a in args)})",
                                 line=head.line, column=head.column)
            return Call(name, args, fn.sort)
        op = OPS.get(name)
        if op is None:
            cls = UnsupportedError if name in UNSUPPORTED else ParseError
            what = "unsupported operator" if name in UNSUPPORTED else "unknown function"
            raise cls(f"{what} {name}", line=head.line, column=head.column)
        try:
            sort = op.result([_sort(a) for a in args], indices)
        except SortMismatch as e:
            raise ParseError(f"{name} {e}", line=head.line, column=head.column) from None
        if name == "-" and len(args) == 1 and isinstance(args[0], Lit) and sort == INT:
            assert isinstance(args[0].value, int)
            return Lit(-args[0].value, INT)  # the literal (- n)
        return App(name, args, sort, indices)

    def indexed_app(self, head: SList, sx: SList, scope: dict[str, Term]) -> Term:
        items = _only_atoms(head)
        if items is None or len(items) < 3 \
                or items[0].text != "_" or any(i.kind != "NUMERAL" for i in items[2:]):
            raise ParseError("expected an indexed operator (_ name index ...)", line=head.line,
                             column=head.column)
        args = tuple(self.term(a, scope) for a in sx.items[1:])
        return self.apply(items[1], args, tuple(int(i.text) for i in items[2:]))

    def indexed_literal(self, sx: SList) -> Term:
        items = _only_atoms(sx)
        if items is not None and len(items) == 3 \
                and items[1].text.startswith("bv") and items[1].text[2:].isdigit() \
                and items[2].kind == "NUMERAL":
            width = int(items[2].text)
            if not 1 <= width <= MAX_BV_WIDTH:
                raise UnsupportedError(f"bit-vector width {width}", line=sx.line)
            return Lit(int(items[1].text[2:]) % (1 << width), bv(width))
        raise UnsupportedError("unsupported indexed term", line=sx.line, column=sx.column)

    def let(self, sx: SList, scope: dict[str, Term]) -> Term:
        if len(sx.items) != 3 or not isinstance(sx.items[1], SList):
            raise ParseError("expected (let ((x t) ...) body)", line=sx.line, column=sx.column)
        inner = dict(scope)
        for b in sx.items[1].items:
            if not (isinstance(b, SList) and len(b.items) in (2, 3)
                    and isinstance(b.items[0], Atom)):
                raise ParseError("expected a let binding (x t)", line=sx.line)
            inner[b.items[0].text] = self.term(b.items[-1], scope)  # v1 (x σ t) too
        return self.term(sx.items[2], inner)

    def atom(self, a: Atom, scope: dict[str, Term]) -> Term:
        if a.kind == "NUMERAL":
            return Lit(int(a.text), INT)
        if a.kind == "HEXBV":
            return self._bvlit(int(a.text[2:], 16), 4 * (len(a.text) - 2), a)
        if a.kind == "BINBV":
            return self._bvlit(int(a.text[2:], 2), len(a.text) - 2, a)
        if a.kind == "STRING":
            return Lit(a.text[1:-1].replace('""', '"'), STRING)
        if a.kind == "DECIMAL":
            raise UnsupportedError(f"real literal {a.text}", line=a.line, column=a.column)
        if a.text in scope:
            return scope[a.text]
        if a.text in ("true", "false"):
            return Lit(a.text == "true", BOOL)
        if a.text.lstrip("-").isdigit() and a.text.startswith("-"):
            return Lit(int(a.text), INT)  # v1 negative literal
        if a.text in self.macros or a.text in self.funs:
            return self.apply(a, ())
        raise ParseError(f"unknown symbol {a.text}", line=a.line, column=a.column)

    def _bvlit(self, value: int, width: int, a: Atom) -> Term:
        if not 1 <= width <= MAX_BV_WIDTH:
            raise UnsupportedError(f"bit-vector width {width}", line=a.line, column=a.column)
        return Lit(value, bv(width))

    def _fresh(self, a: Atom) -> str:
        if a.text in self.funs or a.text in self.macros or a.text in self.vars:
            raise ParseError(f"{a.text} is already declared", line=a.line, column=a.column)
        if a.text in OPS:
            raise ParseError(f"{a.text} is a built-in operator", line=a.line, column=a.column)
        return a.text

    def _expect(self, t: Term, sort: Sort, sx: SExpr) -> None:
        if _sort(t) != sort:
            raise ParseError(f"expected a term of sort {sort}, got {_sort(t)}",
                             line=sx.line, column=sx.column)


def _sort(t: Term) -> Sort:
    return t.sort


def _only_atoms(sx: SList) -> list[Atom] | None:
    """The items of a list when every one is an atom, else None."""
    items = [i for i in sx.items if isinstance(i, Atom)]
    return items if len(items) == len(sx.items) else None


def _as_sort(sx: SExpr) -> tuple:
    """A sort written in term position (inside (Constant S)) back to the sort form."""
    if isinstance(sx, Atom):
        return ("sort", sx, ())
    items = _only_atoms(sx)
    if items is not None and len(items) == 3 and items[0].text == "_":
        return ("sort", items[1], (items[2],))
    raise ParseError("expected a sort", line=sx.line, column=sx.column)


__all__ = ["AnyConst", "AnyVar", "Grammar", "InvProblem", "NonTerminal", "Rule", "Spec",
           "SynthFun", "parse_spec", "read_spec", "substitute"]
