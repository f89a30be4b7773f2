"""Hand-written auxiliary-construction proposals: the classic ones a geometer tries first.

When DD+AR saturates without the goal, a proof often needs a point the statement does not
have. This proposer lists, in a fixed order of usefulness, midpoints of segments between
existing points, intersections of two lines of the figure, feet of perpendiculars onto lines
of the figure, and circumcentres of triangles; goal points first within each kind. It only
proposes: every candidate is drawn, deduced from and checked like any other problem.
"""

from __future__ import annotations

from itertools import combinations

from .problem import Clause, Problem, Step
from .proposal import Candidate


def figure_lines(problem: Problem) -> list[tuple[str, str]]:
    """Segments the statement draws: pairs of points named together in a premise."""
    out: dict[tuple[str, str], None] = {}
    for clause in problem.clauses:
        for step in clause.steps:
            for atom in step.atoms(step.construction.premises):
                for a, b in atom.pred.figure_lines(atom.args):
                    if a != b:
                        out.setdefault((min(a, b), max(a, b)), None)
    return list(out)


_Steps = tuple[tuple[str, ...], ...]  # a clause's steps as (construction, arguments...)


class HeuristicProposer:
    """Midpoints, line intersections, feet and circumcentres, goal points first."""

    source = "heuristic"

    def propose(self, problem: Problem, k: int) -> list[Candidate]:
        x = problem.fresh_point()
        pts = list(problem.points)
        goal = set(problem.goal.args)
        lines = figure_lines(problem)
        kinds: list[list[tuple[int, _Steps]]] = [[], [], [], []]
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
        for a, b, c in combinations(pts, 3):
            kinds[3].append((-len(goal & {a, b, c}), (("circle", x, a, b, c),)))
        ranked = [(-float(rank * 10_000 + order), steps) for rank, kind in enumerate(kinds)
                  for order, (_, steps) in enumerate(sorted(kind, key=lambda t: t[0]))]
        return [Candidate((Clause((x,), tuple(Step.of(*s) for s in steps)),), score, self.source)
                for score, steps in ranked[:k]]
