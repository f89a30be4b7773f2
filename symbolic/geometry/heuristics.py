"""Hand-written auxiliary-construction proposals: the classic ones a geometer tries first.

When DD+AR saturates without the goal, a proof often needs a point the statement does not
have. This proposer lists the classic ones over the figure's points and lines, kind by kind
in turn (so that a short list still holds every kind), goal points first within each kind.
It only proposes: every candidate is drawn, deduced from and checked like any other problem.
"""

from __future__ import annotations

from itertools import combinations, zip_longest
from operator import itemgetter

from .problem import Clause, Problem, Step
from .proposal import Candidate


def figure_lines(problem: Problem) -> list[tuple[str, str]]:
    """Segments the statement draws: pairs of points named together in a premise."""
    out: dict[tuple[str, str], None] = {}
    for clause in problem.clauses:
        for step in clause.steps:
            for atom in step.premises:
                for a, b in atom.pred.figure_lines(atom.args):
                    if a != b:
                        out.setdefault((min(a, b), max(a, b)), None)
    return list(out)


_Steps = tuple[tuple[str, ...], ...]  # a clause's steps as (construction, arguments...)


class HeuristicProposer:
    """Classic auxiliary points over the figure, in kinds taken in turn (the first of every
    kind, then the second of every kind, ...), goal points first within each kind: midpoints,
    intersections of two lines of the figure, feet of perpendiculars onto them, circumcentres,
    reflections over them, feet of angle bisectors, and points reflected through a point."""

    source = "heuristic"

    def propose(self, problem: Problem, k: int) -> list[Candidate]:
        x = problem.fresh_point()
        pts = list(problem.points)
        goal = set(problem.goal.args)
        lines = figure_lines(problem)
        kinds: list[list[tuple[int, _Steps]]] = [[] for _ in range(7)]
        for a, b in combinations(pts, 2):
            kinds[0].append((-len(goal & {a, b}), (("midpoint", x, a, b),)))
        for (a, b), (c, d) in combinations(lines, 2):
            if len({a, b, c, d}) == 4:
                kinds[1].append((-len(goal & {a, b, c, d}),
                                 (("on_line", x, a, b), ("on_line", x, c, d))))
        for a, b in lines:
            for c in pts:
                if c not in (a, b):
                    kinds[2].append((-len(goal & {a, b, c}), (("foot", x, c, a, b),)))
                    kinds[4].append((-len(goal & {a, b, c}), (("reflect", x, c, a, b),)))
        for a, b, c in combinations(pts, 3):
            kinds[3].append((-len(goal & {a, b, c}), (("circle", x, a, b, c),)))
        segments = set(lines)
        for a, b, c in combinations(pts, 3):  # the bisector at b of a triangle of the figure
            if _seg(a, b) in segments and _seg(b, c) in segments and _seg(a, c) in segments:
                score = -len(goal & {a, b, c})
                for u, v, w in ((a, b, c), (b, c, a), (c, a, b)):
                    kinds[5].append((score,
                                     (("angle_bisector", x, u, v, w), ("on_line", x, u, w))))
        for a, b in combinations(pts, 2):
            for u, v in ((a, b), (b, a)):
                kinds[6].append((-len(goal & {u, v}), (("mirror", x, u, v),)))
        # the kinds in turn, each best first: the first k of that order, made
        ordered = [[steps for _, steps in sorted(kind, key=itemgetter(0))] for kind in kinds]
        n = sum(map(len, ordered))
        top: list[_Steps] = []
        for row in zip_longest(*ordered):
            top.extend(steps for steps in row if steps is not None)
            if len(top) >= k:
                break
        return [Candidate((Clause((x,), tuple(Step.of(*s) for s in steps)),), float(n - i),
                          self.source)
                for i, steps in enumerate(top[:k])]


def _seg(a: str, b: str) -> tuple[str, str]:
    return (a, b) if a < b else (b, a)
