"""cvc5 as an independent oracle (optional dependency ``cvc5``): solve a file through its
SyGuS API, and check an answer of ours with its SMT solver."""

from __future__ import annotations

from collections.abc import Sequence

from .render import define_fun, literal, show, symbol
from .spec import Spec
from .terms import Function, calls


def cvc5_solve(path: str) -> str:
    """The answer text cvc5 prints for a SyGuS-IF 2.1 file (raises on parse errors). It has
    no time limit of its own (cvc5's ``tlimit`` does not stop its SyGuS loop): run it in a
    process that can be killed."""
    import cvc5  # type: ignore[import-untyped]

    tm = cvc5.TermManager()
    solver = cvc5.Solver(tm)
    solver.setOption("sygus", "true")
    solver.setOption("incremental", "false")
    sm = cvc5.SymbolManager(tm)
    parser = cvc5.InputParser(solver, sm)
    parser.setFileInput(cvc5.InputLanguage.SYGUS_2_1, path)
    out = []
    while True:
        cmd = parser.nextCommand()
        if cmd.isNull():
            break
        text = cmd.invoke(solver, sm)
        if text and text.strip():
            out.append(text.strip())
    return "\n".join(out)


def smtlib_check(spec: Spec, functions: Sequence[Function]) -> str:
    """An SMT-LIB script that is ``unsat`` iff the functions satisfy the spec."""
    lines = ["(set-logic ALL)"]
    lines += [f"(declare-const {symbol(v.name)} {v.sort})" for v in spec.variables]
    defs = list(spec.macros.values())  # in file order
    needs: set[str] = {f.name for f in functions}
    for m in defs:  # macros that call a synthesized function come after the solutions
        if {c.func for c in calls(m.body, set(spec.macros) | needs)} & needs:
            needs.add(m.name)
    lines += [define_fun(m) for m in defs if m.name not in needs]
    lines += [define_fun(f) for f in functions]
    lines += [define_fun(m) for m in defs if m.name in needs]
    body = "(and " + " ".join(show(c) for c in spec.constraints) + " true)"
    if spec.assumes:
        body = "(=> (and " + " ".join(show(a) for a in spec.assumes) + " true) " + body + ")"
    lines += [f"(assert (not {body}))", "(check-sat)"]
    return "\n".join(lines)


def cvc5_verify(spec: Spec, functions: Sequence[Function], timeout_ms: int = 20000) -> str:
    """``unsat`` (the answer is correct), ``sat`` (wrong) or ``unknown``, decided by cvc5."""
    return cvc5_run(smtlib_check(spec, functions), timeout_ms)


def cvc5_run(script: str, timeout_ms: int = 20000, logic: str | None = None) -> str:
    """Run an SMT-LIB 2.6 script (ending in ``(check-sat)``) in cvc5; its last answer."""
    import cvc5  # type: ignore[import-untyped]

    tm = cvc5.TermManager()
    solver = cvc5.Solver(tm)
    solver.setOption("tlimit-per", str(timeout_ms))
    if logic is not None:
        solver.setLogic(logic)
    sm = cvc5.SymbolManager(tm)
    parser = cvc5.InputParser(solver, sm)
    parser.setStringInput(cvc5.InputLanguage.SMT_LIB_2_6, script, "check")
    result = ""
    while True:
        cmd = parser.nextCommand()
        if cmd.isNull():
            break
        text = cmd.invoke(solver, sm)
        if text and text.strip():
            result = text.strip()
    return result


__all__ = ["cvc5_run", "cvc5_solve", "cvc5_verify", "literal", "smtlib_check"]
