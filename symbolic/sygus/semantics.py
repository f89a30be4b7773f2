"""The plain-Python evaluator: exact SMT-LIB semantics on Python values (the reference twin of
the vectorised kernels in ``kernels.py``)."""

from __future__ import annotations

from collections.abc import Mapping

from .ops import OPS
from .terms import App, Call, Function, Hole, Lit, Term, Value, Var


class EvalError(Exception):
    """A term cannot be evaluated (an unbound variable or function)."""


def evaluate(term: Term, env: Mapping[str, Value], funcs: Mapping[str, Function]) -> Value:
    """Value of ``term`` with variables from ``env`` and functions (macros and candidate
    solutions) from ``funcs``. ``ite`` evaluates only the branch taken."""
    if isinstance(term, Lit):
        return term.value
    if isinstance(term, Var):
        try:
            return env[term.name]
        except KeyError:
            raise EvalError(f"unbound variable {term.name}") from None
    if isinstance(term, App):
        if term.op == "ite":
            c = evaluate(term.args[0], env, funcs)
            return evaluate(term.args[1] if c else term.args[2], env, funcs)
        if term.op in ("and", "or", "=>"):
            return _lazy_bool(term, env, funcs)
        args = [evaluate(a, env, funcs) for a in term.args]
        return OPS[term.op].scalar(args, [a.sort for a in term.args], term.indices)
    if isinstance(term, Call):
        f = funcs.get(term.func)
        if f is None:
            raise EvalError(f"no definition of {term.func}")
        inner = {p.name: evaluate(a, env, funcs) for p, a in zip(f.params, term.args)}
        return evaluate(f.body, {**env, **inner}, funcs)  # macros may mention declared vars
    if isinstance(term, Hole):
        raise EvalError(f"hole {term.name} has no value")
    raise EvalError(f"not a term: {term!r}")


def _lazy_bool(term: App, env: Mapping[str, Value], funcs: Mapping[str, Function]) -> bool:
    if term.op == "and":
        return all(evaluate(a, env, funcs) for a in term.args)
    if term.op == "or":
        return any(evaluate(a, env, funcs) for a in term.args)
    args = term.args  # => is right-associative: a => (b => c)
    *hyps, concl = args
    return not all(evaluate(h, env, funcs) for h in hyps) or bool(evaluate(concl, env, funcs))
