"""An LALR(1) recognizer over lark's parse table, with persistent (shareable) stacks.

A stack is ``(state, parent)`` linked tuples ending in ``None``: feeding a terminal returns a
new stack and never changes the old one, so matcher snapshots, rollback and mask computation
(which tries several terminals from one configuration) cost nothing to copy.
"""

from __future__ import annotations

from dataclasses import dataclass

Stack = tuple  # (state, parent stack) or None


@dataclass(frozen=True)
class ParseTables:
    """``action[state][terminal]`` is ``s >= 0`` (shift to s) or ``-(rule+1)`` (reduce).
    ``rhs[rule]`` spells each rule's right-hand side, terminal ``t`` as ``t`` and nonterminal
    ``n`` as ``-(n+1)``: the parser never reads it, the grammar analyses of
    :mod:`.completion` do."""

    action: tuple[dict[int, int], ...]
    goto: tuple[dict[int, int], ...]  # state -> nonterminal id -> state
    rules: tuple[tuple[int, int], ...]  # (left-hand side nonterminal id, length)
    start_state: int
    end_state: int
    end_terminal: int
    rhs: tuple[tuple[int, ...], ...] = ()

    def initial(self) -> Stack:
        return (self.start_state, None)

    def feed(self, stack: Stack, term: int) -> Stack | None:
        """The stack after shifting ``term`` (reducing first), or None if it is rejected."""
        action, goto, rules = self.action, self.goto, self.rules
        while True:
            act = action[stack[0]].get(term)
            if act is None:
                return None
            if act >= 0:
                return (act, stack)
            lhs, size = rules[-act - 1]
            for _ in range(size):
                stack = stack[1]
            state = goto[stack[0]][lhs]
            stack = (state, stack)
            if term == self.end_terminal and state == self.end_state:
                return stack

    def feed_depth(self, stack: Stack, term: int, ext: int) -> tuple[Stack | None, int, int]:
        """:meth:`feed`, tracking heights relative to a reference stack ``ext`` cells below
        the top: returns (new stack, new ext, lowest ext reached). A lowest ext below 0 means
        the result depended on cells under the reference stack's top."""
        action, goto, rules = self.action, self.goto, self.rules
        low = ext
        while True:
            act = action[stack[0]].get(term)
            if act is None:
                return None, ext, low
            if act >= 0:
                return (act, stack), ext + 1, low
            lhs, size = rules[-act - 1]
            for _ in range(size):
                stack = stack[1]
            ext -= size
            low = min(low, ext)
            stack = (goto[stack[0]][lhs], stack)
            ext += 1

    def accepts_end(self, stack: Stack) -> bool:
        return self.feed(stack, self.end_terminal) is not None


def tables_from_lark(parse_table, start: str, term_index: dict[str, int]) -> ParseTables:
    """Convert lark's ``IntParseTable`` (terminal names) to integer-keyed tables."""
    rule_ids: dict[object, int] = {}
    rules: list[tuple[int, int]] = []
    rhs: list[tuple[int, ...]] = []
    action: list[dict[int, int]] = []
    goto: list[dict[int, int]] = []
    nonterms: dict[str, int] = {}
    end = len(term_index)
    n_states = max(parse_table.states) + 1
    for state in range(n_states):
        acts: dict[int, int] = {}
        gotos: dict[int, int] = {}
        for sym, (kind, arg) in parse_table.states.get(state, {}).items():
            if sym == "$END" or sym in term_index:
                t = end if sym == "$END" else term_index[sym]
                if kind.name == "Shift":
                    acts[t] = arg
                else:
                    if arg not in rule_ids:
                        rule_ids[arg] = len(rules)
                        lhs = nonterms.setdefault(str(arg.origin.name), len(nonterms))
                        rules.append((lhs, len(arg.expansion)))
                        rhs.append(tuple(
                            term_index[x.name] if x.is_term
                            else -(nonterms.setdefault(str(x.name), len(nonterms)) + 1)
                            for x in arg.expansion))
                    acts[t] = -(rule_ids[arg] + 1)
            else:
                gotos[nonterms.setdefault(str(sym), len(nonterms))] = arg
        action.append(acts)
        goto.append(gotos)
    return ParseTables(tuple(action), tuple(goto), tuple(rules),
                       parse_table.start_states[start], parse_table.end_states[start], end,
                       tuple(rhs))
